import 'server-only';
// Route-handler glue for hub API failures: a HubError becomes {error, message}
// with a fitting status and a message of the `hub.apiErrors` catalog section;
// anything else goes on to lib/guard.ts.
import { json } from './guard';
import { HubError } from './hub-client';
import { catalogs, type Locale } from './i18n/messages';

export function hubErrorStatus(e: HubError): { status: number; code: string } {
  switch (e.kind) {
    case 'no_token':
      return { status: 409, code: 'hub_not_connected' };
    case 'unauthorized':
      return { status: 502, code: 'hub_token_rejected' };
    case 'timeout':
      return { status: 504, code: 'hub_timeout' };
    case 'http':
      if (e.status === 400) return { status: 400, code: 'invalid_input' };
      if (e.status === 404) return { status: 404, code: 'not_found' };
      return { status: 502, code: 'hub_unavailable' };
    default:
      return { status: 502, code: 'hub_unavailable' };
  }
}

export function hubErrorResponse(error: unknown, locale: Locale): Response {
  if (!(error instanceof HubError)) throw error;
  const { status, code } = hubErrorStatus(error);
  const m = catalogs[locale].hub.apiErrors;
  const message =
    code === 'hub_not_connected' ? m.notConnected
    : code === 'hub_token_rejected' ? m.tokenRejected
    : code === 'hub_timeout' ? m.timeout
    : code === 'not_found' ? m.noSuchHubUser
    : code === 'invalid_input' ? m.invalidUser
    : m.unavailable;
  if (status >= 500) process.stderr.write(`${new Date().toISOString()} hub: ${error.kind}: ${error.message}\n`);
  return json({ error: code, message }, { status });
}
