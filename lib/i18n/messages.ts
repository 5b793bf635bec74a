// The message catalogs (one file per language: en.ts, de.ts) and what reads them.
import { de } from './de';
import { en } from './en';

export type { Messages } from './catalog';
export { de, en };

export const catalogs = { en, de } as const;
export type Locale = keyof typeof catalogs;
export const locales = Object.keys(catalogs) as Locale[];
export const defaultLocale: Locale = 'en';

/** Fills `{name}` placeholders. Unknown placeholders stay visible so they get noticed. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole));
}
