// The catalogs' key set: English's keys, each with any text (a nested group
// stays a group). lib/i18n/de.ts is typed with it.
import type { en } from './en';

type Shape<T> = { readonly [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

export type Messages = Shape<typeof en>;
