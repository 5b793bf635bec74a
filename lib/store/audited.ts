import 'server-only';
// The one way a use case writes its audit rows (members, jobs, hub actions,
// hours): a "start" row before the call, so a call that never returns still
// leaves a trace, and a "done" row after it (naming the start row: the log shows
// the change once) whose outcome is the error table's
// (lib/errors/error-table.ts): ok, or refused / failed by the one rule. A refusal
// by the panel itself, before anything was called, is one row (`refuse`).
import { audit, type AuditAction, type AuditOutcome } from './audit';
import { PublicError } from '../errors/errors';
import { ERROR_TABLE, HELPER_REASON_MESSAGES, type ErrorReason } from '../errors/error-table';
import { protectedReasonFromParts } from '../shared/protection';
import { publicErrorOf } from '../errors/public-error-of';
import { messageKeyOf } from '../errors/errors';

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
  const worded = wordedReason(e);
  const values = { ...e.values, ...worded.values };
  return {
    code: e.code,
    messageKey: messageKeyOf({ code: e.code, reason: worded.reason, values }),
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.helperReason ? { helperReason: e.helperReason } : {}),
    ...(Object.keys(values).length > 0 ? { values } : {}),
  };
}

/** The panel's reason for an error: its own, else the one it gives the helper's reason (as lib/family/members.ts words it). */
function wordedReason(e: PublicError): { reason: ErrorReason | null; values: Record<string, string | number> } {
  if (e.reason || !e.helperReason) return { reason: e.reason, values: {} };
  const protectedReason = protectedReasonFromParts(e.helperReason, e.values);
  if (protectedReason) return { reason: 'protected', values: { protectedReason } };
  return { reason: (HELPER_REASON_MESSAGES as Partial<Record<string, ErrorReason>>)[e.helperReason] ?? null, values: {} };
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
  const startId = audit.record({ ...base, outcome: 'ok', detail: { ...detail, phase: 'start' } });
  let result: T;
  try {
    result = await call();
  } catch (error) {
    const e = publicErrorOf(error);
    audit.record({ ...base, startId, outcome: ERROR_TABLE[e.code].outcome, detail: { ...detail, phase: 'done', ...errorDetail(e) }, error: errorText(e) });
    throw e;
  }
  audit.record({ ...base, startId, outcome: 'ok', detail: { ...detail, phase: 'done', ...(options.summary ?? changedOf)(result) } });
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
