// The closed set of helper outcomes: the exit-code table is lib/shared/exit-codes.ts,
// the same one the panel's helper client reads back; the reasons are
// lib/shared/helper-reasons.ts, which the client checks the same way.
import { HELPER_EXIT_CODES } from '../../lib/shared/exit-codes';
import type { HelperReason, HelperReasonValues } from '../../lib/shared/helper-reasons';

export const EXIT_CODES = HELPER_EXIT_CODES;

export type ErrorCode = keyof typeof EXIT_CODES;

/**
 * An expected failure: becomes the last JSON line and the exit code. `reason` and
 * `values` say why as data (the panel words it in the parent's language); the
 * message is the same in English, for a person at a terminal and for syslog.
 * Without a reason of its own a failure carries its code's generic one.
 */
export class HelperFailure extends Error {
  readonly code: ErrorCode;
  readonly reason: HelperReason;
  readonly values: HelperReasonValues;
  /** Extra fields of the error line (install-packages: pip's last lines as "tail"). */
  details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, reason: HelperReason = code, values: HelperReasonValues = {}) {
    super(message);
    this.name = 'HelperFailure';
    this.code = code;
    this.reason = reason;
    this.values = values;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
  /** The last line of a failed request, as the contract says. */
  line(): Record<string, unknown> {
    return { ...this.details, ok: false, error: this.code, message: this.message, reason: this.reason, values: { ...this.values } };
  }
}

type Reasoned = (m: string, reason?: HelperReason, values?: HelperReasonValues) => HelperFailure;

export const usage: Reasoned = (m, reason, values) => new HelperFailure('usage', m, reason, values);
export const invalidName: Reasoned = (m, reason, values) => new HelperFailure('invalid_name', m, reason, values);
export const noSuchUser = (user: string) => new HelperFailure('no_such_user', `there is no account named ${user}`, 'no_such_user', { user });
export const refused: Reasoned = (m, reason, values) => new HelperFailure('protected_account', m, reason, values);
export const conflict: Reasoned = (m, reason, values) => new HelperFailure('conflict', m, reason, values);
export const busy: Reasoned = (m, reason, values) => new HelperFailure('busy', m, reason, values);
export const systemError: Reasoned = (m, reason, values) => new HelperFailure('system_error', m, reason, values);
