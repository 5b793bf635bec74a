import 'server-only';
// Route-handler glue of the family use cases: a FamilyError becomes its JSON
// answer ({error, message[, step, accountExists]}) with the helper code's HTTP
// status (ARCHITECTURE.md "HTTP API"); anything else goes on to lib/guard.ts.
import { familyErrorBody, FamilyError } from './family-errors';
import { json } from './guard';
import type { Locale } from './i18n/messages';

export async function familyCall<T>(locale: Locale, call: () => Promise<T>): Promise<T | Response> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FamilyError) {
      if (error.httpStatus >= 500) process.stderr.write(`${new Date().toISOString()} family: ${error.message}: ${String((error.cause as Error | undefined)?.message ?? '')}\n`);
      const headers: Record<string, string> = error.code === 'busy' ? { 'retry-after': '2' } : {};
      return json(familyErrorBody(error, locale), { status: error.httpStatus, headers });
    }
    throw error;
  }
}
