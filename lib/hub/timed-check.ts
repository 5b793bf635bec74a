import 'server-only';
// One check of the hub dashboard run against the report's deadline, and the
// failures every check shares (a hub error, the helper failing, the deadline) as
// details the page shows in the parent's language.
import * as hub from './hub-client';
import { PublicError } from '../errors/errors';
import { detail, type CheckId, type CheckResult, type Detail } from './hub-report';
import { settings } from '../settings';
import { CHECK_TIMEOUT_MS } from './check-rules';

/** A check's own result; timed() adds its id and duration. */
export type CheckOutcome = Omit<CheckResult, 'id' | 'ms'>;

class CheckTimeout extends Error {}

/** Resolve with the check, or a timeout failure when the deadline comes first. */
export async function timed(id: CheckId, started: number, deadline: number, fn: () => Promise<CheckOutcome>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout()), Math.max(0, deadline - Date.now()));
  });
  const t0 = performance.now();
  try {
    const r = await Promise.race([fn(), timeout]);
    return { id, ...r, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    const ms = Math.round(performance.now() - t0);
    if (e instanceof CheckTimeout || (e instanceof hub.HubError && e.kind === 'timeout')) {
      return { id, status: 'fail', detail: detail('timedOut', { seconds: ((deadline - started) / 1000).toFixed(1) }), ms, timedOut: true };
    }
    if (e instanceof hub.HubError) return { id, status: 'fail', detail: hubErrorDetail(e), ms };
    console.error(`hub check ${id} failed`, e);
    return { id, status: 'fail', detail: detail('internalError'), ms };
  } finally {
    clearTimeout(timer);
  }
}

function hubErrorDetail(e: hub.HubError): Detail {
  const port = new URL(settings().hubUrl).port || '443';
  switch (e.kind) {
    case 'refused':
      return detail('portClosed', { port });
    case 'not_tls':
      return detail('notTls', { port });
    case 'cert_mismatch':
      return detail('certMismatch', { port });
    case 'cert_expired':
      return detail('certExpiredTls');
    case 'no_cert':
      return detail('noPinnedCert');
    case 'not_hub':
      return detail('notHub', { port });
    case 'http':
      return detail('httpStatus', { status: e.status ?? 0 });
    case 'unauthorized':
      return detail('tokenRejected');
    case 'no_token':
      return detail('notConnected');
    case 'timeout':
      return detail('timedOut', { seconds: (CHECK_TIMEOUT_MS / 1000).toFixed(1) });
    default:
      return detail('networkError', { message: e.message.slice(0, 200) });
  }
}

/** The helper's failure as a check result; anything else is rethrown (timed() reports it). */
export function helperFailure(e: unknown): CheckOutcome {
  if (e instanceof PublicError) {
    if (e.code === 'timeout') return { status: 'fail', detail: detail('timedOut', { seconds: (CHECK_TIMEOUT_MS / 1000).toFixed(1) }), timedOut: true };
    return { status: 'warn', detail: detail('helperFailed', { code: e.code }) };
  }
  throw e;
}
