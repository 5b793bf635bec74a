// The one error table (issue 14): every error code the panel answers with, its
// HTTP status, how the audit log records it, and the catalog key of its message.
// Every layer reads this row instead of deciding "refused or failed" again.
//
// The audit rule, one for every action:
// - refused: the panel, the helper or the hub said no BEFORE changing anything,
//   because of who asked or what was asked: bad input, an account that is
//   protected or missing, not authorized, a state that conflicts, busy (the lock
//   was held), a rate limit.
// - failed: something broke while trying (the system, a timeout, a service that is
//   down, our own bug).
// Pure data, no I/O: client components may import it.
import type { Messages } from '../i18n/messages';
import type { HelperReason } from '../shared/helper-reasons';

export type ErrorOutcome = 'refused' | 'failed';

/** "section.key" paths of the catalog whose value is a text. */
type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
export type MessageKey = Leaves<Messages>;

export interface ErrorRow {
  status: number;
  outcome: ErrorOutcome;
  message: MessageKey;
  /** Seconds for a Retry-After header when the error carries none of its own. */
  retryAfter?: number;
}

export const ERROR_TABLE = {
  // ---- the request and the session (lib/http/guard.ts, lib/http/request-checks.ts, lib/auth/login.ts)
  invalid_input: { status: 400, outcome: 'refused', message: 'errors.invalidInput' },
  unauthenticated: { status: 401, outcome: 'refused', message: 'errors.unauthenticated' },
  session_ended: { status: 401, outcome: 'refused', message: 'errors.sessionEnded' },
  invalid_credentials: { status: 401, outcome: 'refused', message: 'login.invalidCredentials' },
  not_family_admin: { status: 403, outcome: 'refused', message: 'login.notFamilyAdmin' },
  account_unavailable: { status: 403, outcome: 'refused', message: 'login.accountUnavailable' },
  forbidden_origin: { status: 403, outcome: 'refused', message: 'errors.forbiddenOrigin' },
  not_found: { status: 404, outcome: 'refused', message: 'errors.notFound' },
  payload_too_large: { status: 413, outcome: 'refused', message: 'errors.payloadTooLarge' },
  unsupported_media_type: { status: 415, outcome: 'refused', message: 'errors.unsupportedMediaType' },
  misdirected_request: { status: 421, outcome: 'refused', message: 'errors.misdirectedRequest' },
  too_many_attempts: { status: 429, outcome: 'refused', message: 'login.tooManyAttempts' },
  auth_unavailable: { status: 503, outcome: 'failed', message: 'errors.authUnavailable' },
  internal: { status: 500, outcome: 'failed', message: 'errors.internal' },

  // ---- the root helper (docs/ARCHITECTURE.md "Helper command contract"; exit codes in lib/shared/exit-codes.ts)
  invalid_name: { status: 400, outcome: 'refused', message: 'helperErrors.invalidName' },
  no_such_user: { status: 404, outcome: 'refused', message: 'helperErrors.noSuchUser' },
  protected_account: { status: 403, outcome: 'refused', message: 'helperErrors.protectedAccount' },
  conflict: { status: 409, outcome: 'refused', message: 'helperErrors.conflict' },
  busy: { status: 503, outcome: 'refused', message: 'helperErrors.busy', retryAfter: 2 },
  // polkit or the socket's permissions said no to the panel: nothing was run.
  not_authorized: { status: 502, outcome: 'refused', message: 'helperErrors.notAuthorized' },
  // The panel built a wrong command line: our bug, not the user's.
  usage: { status: 500, outcome: 'failed', message: 'helperErrors.usage' },
  system_error: { status: 500, outcome: 'failed', message: 'helperErrors.systemError' },
  unavailable: { status: 503, outcome: 'failed', message: 'helperErrors.unavailable' },
  timeout: { status: 504, outcome: 'failed', message: 'helperErrors.timeout' },

  // ---- the hub API (lib/hub/hub-client.ts's HubError, named in lib/errors/public-error-of.ts)
  hub_not_connected: { status: 409, outcome: 'refused', message: 'hub.apiErrors.notConnected' },
  hub_token_rejected: { status: 502, outcome: 'refused', message: 'hub.apiErrors.tokenRejected' },
  hub_timeout: { status: 504, outcome: 'failed', message: 'hub.apiErrors.timeout' },
  hub_unavailable: { status: 502, outcome: 'failed', message: 'hub.apiErrors.unavailable' },

  // ---- Jupyter hours (lib/shared/hours-rule.ts's rule)
  invalid_hours: { status: 400, outcome: 'refused', message: 'hours.invalid' },
} as const satisfies Record<string, ErrorRow>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export const ERROR_CODES = Object.keys(ERROR_TABLE) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_TABLE, code);
}

export function errorRow(code: ErrorCode): ErrorRow {
  return ERROR_TABLE[code];
}

/**
 * Why, more precisely than the code: the same code with a message that names the
 * cause ("papa is a parent"). The code still decides status and outcome.
 */
export const REASON_MESSAGES = {
  origin_missing: 'errors.originMissing',
  is_parent: 'family.errors.isParent',
  not_member: 'family.errors.notMember',
  protected: 'family.errors.protected',
  protected_because: 'family.errors.protectedBecause',
  exists: 'family.errors.exists',
  hub_account: 'family.errors.hubAccount',
  home_not_folder: 'family.errors.homeNotFolder',
  job_not_found: 'jobs.notFound',
  job_state: 'jobs.conflict',
  updates_off: 'updates.installOff',
  no_such_hub_user: 'hub.apiErrors.noSuchHubUser',
  invalid_hub_user: 'hub.apiErrors.invalidUser',
} as const satisfies Record<string, MessageKey>;

export type ErrorReason = keyof typeof REASON_MESSAGES;

/**
 * How the panel words the helper's reasons (lib/shared/helper-reasons.ts) that
 * have a message of their own; the protection rule's are `protected`, with the
 * rule's code as values.protectedReason (lib/shared/protection.ts).
 */
export const HELPER_REASON_MESSAGES = {
  not_member: 'not_member',
  is_parent: 'is_parent',
  hub_account_stays: 'hub_account',
  account_exists: 'exists',
  group_exists: 'exists',
  home_exists: 'exists',
  home_not_own_folder: 'home_not_folder',
} as const satisfies Partial<Record<HelperReason, ErrorReason>>;

/** Onboarding's steps: a failure says which one it stopped at. */
export type OnboardStep = 'create' | 'password' | 'add';
