// The helper's error codes (ARCHITECTURE.md, "Helper command contract") and the two
// tables the panel maps them with: exit code -> code, code -> HTTP status. Pure data,
// no I/O, so client components may import it; lib/helper-client.ts uses it at the
// system boundary.

export type HelperErrorCode =
  | 'usage'
  | 'invalid_name'
  | 'no_such_user'
  | 'protected_account'
  | 'conflict'
  | 'busy'
  | 'system_error'
  | 'not_authorized'
  | 'unavailable'
  | 'timeout';

/** The one table: exit code -> error code. 0 is success; anything else unknown is system_error. */
export const EXIT_CODE_TABLE: Readonly<Record<number, HelperErrorCode>> = Object.freeze({
  2: 'usage',
  3: 'invalid_name',
  4: 'no_such_user',
  5: 'protected_account',
  6: 'conflict',
  7: 'busy',
  8: 'system_error',
  126: 'not_authorized', // pkexec: not authorized, or the authentication dialog was dismissed
  127: 'not_authorized', // pkexec: authorization could not be obtained (polkit not running, no agent, ...)
});

export const HTTP_STATUS: Readonly<Record<HelperErrorCode, number>> = Object.freeze({
  invalid_name: 400,
  no_such_user: 404,
  protected_account: 403,
  conflict: 409,
  busy: 503,
  system_error: 500,
  usage: 500, // the panel built a wrong command line: our bug, not the user's
  not_authorized: 502,
  unavailable: 503, // the helper service is not running
  timeout: 504,
});
