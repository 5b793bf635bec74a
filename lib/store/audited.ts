import 'server-only';
// The one way a use case writes its audit rows (members, jobs, hub actions,
// hours): a "start" row before the call, so a call that never returns still
// leaves a trace, and a "done" row after it whose outcome is the error table's
// (lib/errors/error-table.ts): ok, or refused / failed by the one rule. A refusal
// by the panel itself, before anything was called, is one row (`refuse`).
import { audit, type AuditAction, type AuditOutcome } from './audit';
import { PublicError } from '../errors/errors';
import { ERROR_TABLE } from '../errors/error-table';
import { publicErrorOf } from '../errors/public-error-of';

/** Who acted: the signed-in parent and where the request came from (lib/http/guard.ts builds it). */
export interface Actor {
  username: string;
  clientAddress: string | null;
}

/** The audit outcome of any thrown value, by the table. */
export function outcomeOf(error: unknown): Exclude<AuditOutcome, 'ok'> {
  return ERROR_TABLE[publicErrorOf(error).code].outcome;
}

/** The audit row's error column: the code, then the server-side text (the helper's sentence). */
export function errorText(e: PublicError): string {
  return `${e.code}: ${e.message}`;
}

/**
 * What the row's detail keeps of an error besides the text: its code, the panel's
 * reason, the helper's reason and their values (never a password: the helper's
 * values are names, paths and numbers), so a row can be worded in the reader's
 * language later instead of showing the helper's English.
 */
export function errorDetail(e: PublicError): Record<string, unknown> {
  return {
    code: e.code,
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.helperReason ? { helperReason: e.helperReason } : {}),
    ...(Object.keys(e.values).length > 0 ? { values: { ...e.values } } : {}),
  };
}

export interface AuditedOptions<T> {
  /** In both rows (e.g. the full name of a new account, the onboarding it belongs to). */
  detail?: Record<string, unknown>;
  /** What the done row says about a success; default: {changed}. */
  summary?: (result: T) => Record<string, unknown>;
}

const changedOf = (result: unknown): Record<string, unknown> => ({
  changed: (result as { changed?: unknown } | null)?.changed ?? true,
});

/**
 * One privileged call with its two audit rows. Rethrows the failure as the one
 * error class, so the caller and the guard read the same code the row has.
 */
export async function audited<T>(actor: Actor, action: AuditAction, target: string | null, call: () => Promise<T>, options: AuditedOptions<T> = {}): Promise<T> {
  const base = { actor: actor.username, action, target, clientAddress: actor.clientAddress };
  const detail = options.detail ?? {};
  audit.record({ ...base, outcome: 'ok', detail: { ...detail, phase: 'start' } });
  let result: T;
  try {
    result = await call();
  } catch (error) {
    const e = publicErrorOf(error);
    audit.record({ ...base, outcome: ERROR_TABLE[e.code].outcome, detail: { ...detail, phase: 'done', ...errorDetail(e) }, error: errorText(e) });
    throw e;
  }
  audit.record({ ...base, outcome: 'ok', detail: { ...detail, phase: 'done', ...(options.summary ?? changedOf)(result) } });
  return result;
}

/** A refusal by the panel itself, before any call: one row, then the error is thrown. */
export function refuse(actor: Actor, action: AuditAction, target: string | null, error: PublicError, detail: Record<string, unknown> = {}): never {
  audit.record({
    actor: actor.username,
    action,
    target,
    outcome: ERROR_TABLE[error.code].outcome,
    detail: { ...detail, checkedBy: 'panel', ...errorDetail(error) },
    error: errorText(error),
    clientAddress: actor.clientAddress,
  });
  throw error;
}
