import 'server-only';
// Route-handler glue of the install jobs: JobError -> 404/409 JSON with the
// catalog's message; FamilyError (the panel's refusal) via lib/family-http.ts.
import { familyCall } from './family-http';
import { json } from './guard';
import { catalogs, type Locale } from './i18n/messages';
import { JobError } from './jobs';

export async function jobCall<T>(locale: Locale, call: () => T | Promise<T>): Promise<T | Response> {
  return familyCall(locale, async () => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof JobError) {
        const t = catalogs[locale].jobs;
        return json(
          { error: error.code, message: error.code === 'not_found' ? t.notFound : t.conflict },
          { status: error.code === 'not_found' ? 404 : 409 },
        ) as unknown as T;
      }
      throw error;
    }
  });
}
