import 'server-only';
// Any thrown value -> the one error class, so that the guard's answer and the
// audit row read the same table row. A hub API failure (lib/hub/hub-client.ts) gets
// its code here; anything unknown is `internal` (500, failed), its text kept for
// the log and the audit row only.
import { PublicError } from './errors';
import { HubError } from '../hub/hub-client';

function fromHubError(e: HubError): PublicError {
  const logText = `${e.kind}: ${e.message}`;
  switch (e.kind) {
    case 'no_token':
      return new PublicError('hub_not_connected', { logText, cause: e });
    case 'unauthorized':
      return new PublicError('hub_token_rejected', { logText, cause: e });
    case 'timeout':
      return new PublicError('hub_timeout', { logText, cause: e });
    case 'http':
      if (e.status === 400) return new PublicError('invalid_input', { reason: 'invalid_hub_user', logText, cause: e });
      if (e.status === 404) return new PublicError('not_found', { reason: 'no_such_hub_user', logText, cause: e });
      return new PublicError('hub_unavailable', { logText, cause: e });
    default:
      return new PublicError('hub_unavailable', { logText, cause: e });
  }
}

export function publicErrorOf(error: unknown): PublicError {
  if (error instanceof PublicError) return error;
  if (error instanceof HubError) return fromHubError(error);
  const text = error instanceof Error ? error.message : String(error);
  return new PublicError('internal', { logText: text, cause: error });
}
