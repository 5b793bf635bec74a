// The closed set of helper outcomes: the exit-code table is lib/shared/exit-codes.ts,
// the same one the panel's helper client reads back.
import { HELPER_EXIT_CODES } from '../../lib/shared/exit-codes';

export const EXIT_CODES = HELPER_EXIT_CODES;

export type ErrorCode = keyof typeof EXIT_CODES;

/** An expected failure: becomes the last JSON line and the exit code. */
export class HelperFailure extends Error {
  readonly code: ErrorCode;
  /** Extra fields of the error line (install-packages: pip's last lines as "tail"). */
  details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'HelperFailure';
    this.code = code;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export const usage = (m: string) => new HelperFailure('usage', m);
export const invalidName = (m: string) => new HelperFailure('invalid_name', m);
export const noSuchUser = (user: string) => new HelperFailure('no_such_user', `there is no account named ${user}`);
export const refused = (m: string) => new HelperFailure('protected_account', m);
export const conflict = (m: string) => new HelperFailure('conflict', m);
export const busy = (m: string) => new HelperFailure('busy', m);
export const systemError = (m: string) => new HelperFailure('system_error', m);
