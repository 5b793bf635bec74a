// The family use cases' expected failures (lib/members.ts), with messages in
// every language. A helper error code (lib/helper-client.ts) plus, where the
// panel knows more, a specific reason ("papa is a parent") and, for onboarding,
// the step that failed. No I/O: client components may import the types.
import { HTTP_STATUS, type HelperErrorCode } from './helper-errors';
import { catalogs, format, type Locale, type Messages } from './i18n/messages';

export type OnboardStep = 'create' | 'password' | 'add';

export type FamilyReason =
  | 'is_parent'
  | 'not_member'
  | 'protected'
  | 'exists'
  | 'invalid_name'
  | 'no_such_user'
  | 'hub_account';

/** HTTP status of each helper error code: the one table in lib/helper-errors.ts. */
export const HTTP_STATUS_OF = HTTP_STATUS;

export class FamilyError extends Error {
  readonly code: HelperErrorCode;
  readonly httpStatus: number;
  readonly reason: FamilyReason | null;
  readonly step: OnboardStep | null;
  readonly values: Record<string, string>;
  /** For onboarding: the account exists now (so running it again continues). */
  readonly accountExists: boolean | null;

  constructor(
    code: HelperErrorCode,
    options: { reason?: FamilyReason | null; step?: OnboardStep | null; values?: Record<string, string>; accountExists?: boolean | null; cause?: unknown } = {},
  ) {
    super(`${code}${options.reason ? ` (${options.reason})` : ''}${options.step ? ` at step ${options.step}` : ''}`, { cause: options.cause });
    this.name = 'FamilyError';
    this.code = code;
    this.httpStatus = HTTP_STATUS_OF[code];
    this.reason = options.reason ?? null;
    this.step = options.step ?? null;
    this.values = options.values ?? {};
    this.accountExists = options.accountExists ?? null;
  }
}

/** The plain-language message of a helper error code. */
export function helperCodeMessage(code: string, t: Messages): string {
  const m = t.helperErrors;
  switch (code) {
    case 'invalid_name':
      return m.invalidName;
    case 'no_such_user':
      return m.noSuchUser;
    case 'protected_account':
      return m.protectedAccount;
    case 'conflict':
      return m.conflict;
    case 'busy':
      return m.busy;
    case 'not_authorized':
      return m.notAuthorized;
    case 'unavailable':
      return m.unavailable;
    case 'timeout':
      return m.timeout;
    case 'usage':
      return m.usage;
    default:
      return m.systemError;
  }
}

/** How a protection reason of lib/account-policy.ts reads. */
export function protectedReasonText(reason: string, t: Messages): string {
  const r = t.family.protectedReasons;
  if (reason === 'uid0') return r.uid0;
  if (reason === 'hub_account') return r.hubAccount;
  if (reason === 'panel_account') return r.panelAccount;
  if (reason === 'system_account') return r.systemAccount;
  if (reason.startsWith('group:')) return format(r.group, { group: reason.slice(6) });
  return reason;
}

function reasonMessage(e: FamilyError, t: Messages): string | null {
  const f = t.family.errors;
  const values = { ...e.values };
  if (values.protectedReason) values.protectedReason = protectedReasonText(values.protectedReason, t);
  switch (e.reason) {
    case 'is_parent':
      return format(f.isParent, values);
    case 'not_member':
      return format(f.notMember, values);
    case 'protected':
      return format(values.protectedReason ? f.protectedBecause : f.protected, values);
    case 'exists':
      return format(f.exists, values);
    case 'hub_account':
      return format(f.hubAccount, values);
    default:
      return null;
  }
}

function stepMessage(step: OnboardStep, t: Messages): string {
  const o = t.onboard.steps;
  return step === 'create' ? o.create : step === 'password' ? o.password : o.add;
}

export interface FamilyErrorBody {
  error: HelperErrorCode;
  message: string;
  step?: OnboardStep;
  accountExists?: boolean;
}

/** The JSON body of a failed family request. */
export function familyErrorBody(e: FamilyError, locale: Locale): FamilyErrorBody {
  const t = catalogs[locale];
  const main = reasonMessage(e, t) ?? helperCodeMessage(e.code, t);
  if (!e.step) return { error: e.code, message: main };
  const again = e.accountExists ? ` ${t.onboard.runAgain}` : '';
  return { error: e.code, message: `${stepMessage(e.step, t)} ${main}${again}`, step: e.step, ...(e.accountExists !== null ? { accountExists: e.accountExists } : {}) };
}
