import 'server-only';
import { headers } from 'next/headers';
import { catalogs, type Locale, type Messages } from './messages';
import { pickLocale } from './locale';

/** The locale of the current request, from its Accept-Language header. */
export async function requestLocale(): Promise<Locale> {
  const h = await headers();
  return pickLocale(h.get('accept-language'));
}

export async function requestMessages(): Promise<{ locale: Locale; t: Messages }> {
  const locale = await requestLocale();
  return { locale, t: catalogs[locale] };
}
