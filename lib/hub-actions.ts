import 'server-only';
// The hub actions of the dashboard: connect-hub and restart-hub through the root
// helper, stopping a member's server through the hub API. Each is audited before
// and after (hub_connect, hub_restart, server_stop), success and failure alike,
// and drops the cached health report so the next read shows the new state.
import { audit, type AuditAction, type AuditOutcome } from './audit';
import { HelperError, runHelper, type HelperErrorCode } from './helper-client';
import * as hub from './hub-client';
import { invalidateHubReport } from './hub-health';
import { isValidUsername } from './names';

export interface Actor {
  username: string;
  clientAddress?: string | null;
}

const REFUSED: ReadonlySet<HelperErrorCode> = new Set(['protected_account', 'invalid_name', 'not_authorized']);

function outcomeOf(error: unknown): AuditOutcome {
  if (error instanceof HelperError && REFUSED.has(error.code)) return 'refused';
  if (error instanceof hub.HubError && (error.kind === 'unauthorized' || error.kind === 'no_token')) return 'refused';
  return 'failed';
}

function errorText(error: unknown): string {
  if (error instanceof HelperError) return `${error.code}: ${error.message}`;
  if (error instanceof hub.HubError) return `${error.kind}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function audited<T extends Record<string, unknown>>(
  actor: Actor,
  action: AuditAction,
  target: string | null,
  call: () => Promise<T>,
  summary: (r: T) => Record<string, unknown> = () => ({}),
): Promise<T> {
  const base = { actor: actor.username, action, target, clientAddress: actor.clientAddress ?? null };
  audit.record({ ...base, outcome: 'ok', detail: { phase: 'start' } });
  try {
    const result = await call();
    audit.record({ ...base, outcome: 'ok', detail: { phase: 'done', ...summary(result) } });
    return result;
  } catch (error) {
    audit.record({ ...base, outcome: outcomeOf(error), detail: { phase: 'done' }, error: errorText(error) });
    throw error;
  } finally {
    invalidateHubReport();
  }
}

export function connectHub(actor: Actor) {
  return audited(actor, 'hub_connect', 'jupyterhub', () => runHelper('connect-hub', ['--actor', actor.username], { timeoutMs: 30_000 }), (r) => ({
    replaced: r.replaced === true,
    config: r.config,
  }));
}

export function restartHub(actor: Actor) {
  // The helper waits up to 13 s for the old hub to end and 15 s for the new one to appear.
  return audited(actor, 'hub_restart', 'jupyterhub', () => runHelper('restart-hub', ['--actor', actor.username], { timeoutMs: 60_000 }), (r) => ({
    stopped: r.stopped,
    hubPid: r.hubPid,
  }));
}

export function stopMemberServer(actor: Actor, user: string) {
  if (!isValidUsername(user)) throw new hub.HubError('http', 'invalid user name', 400);
  return audited(actor, 'server_stop', user, async () => ({ ...(await hub.stopServer(user)) }), (r) => ({ stopped: r.stopped, pending: r.pending }));
}
