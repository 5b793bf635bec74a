// The one error class: a code of the error table (lib/errors/error-table.ts) plus
// what makes its message precise. Members, jobs, hub actions, hours, the login,
// the request checks and the helper client all throw it; lib/http/guard.ts turns it
// into {error, message[, fields, step, accountExists]} with the table's status.
// Anything else that goes wrong is logged on the server and shown as `internal`.
// No I/O here, so client components may import it.
import { catalogs, format, type Locale, type Messages } from '../i18n/messages';
import { ERROR_TABLE, REASON_MESSAGES, type ErrorCode, type ErrorReason, type MessageKey, type OnboardStep } from './error-table';
import type { HelperReason } from '../shared/helper-reasons';

export type { ErrorCode, ErrorReason, OnboardStep } from './error-table';

export interface PublicErrorOptions {
  /** A more precise message than the code's ("papa is a parent"). */
  reason?: ErrorReason | null;
  /** Placeholders of the message, e.g. {seconds} of too_many_attempts, {user}. */
  values?: Record<string, string | number>;
  /** Seconds for a Retry-After header (429, 503). */
  retryAfterSeconds?: number;
  /** Which input fields were wrong (400 invalid_input): field -> problem code. */
  fields?: Record<string, string>;
  /** Onboarding: the step that failed, and whether the account exists now (running it again continues). */
  step?: OnboardStep | null;
  accountExists?: boolean | null;
  /** A short untranslated detail shown after the message in parentheses (the hours rule's own words). */
  detail?: string;
  /** Why the helper said no, as its code (lib/shared/helper-reasons.ts); its facts are in `values`. */
  helperReason?: HelperReason | null;
  /** For the server log and the audit row (the helper's own sentence); never sent to the client. */
  logText?: string;
  /** The helper's exit code, when the helper answered. */
  exitCode?: number | null;
  /** For the server log only; never sent to the client. */
  cause?: unknown;
}

/** The one error class of the panel: a code of the table and the facts of its message. */
export class PublicError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly reason: ErrorReason | null;
  readonly values: Record<string, string | number>;
  readonly retryAfterSeconds?: number;
  readonly fields?: Record<string, string>;
  readonly step: OnboardStep | null;
  readonly accountExists: boolean | null;
  readonly detail: string | null;
  readonly exitCode: number | null;
  readonly helperReason: HelperReason | null;

  constructor(code: ErrorCode, options: PublicErrorOptions = {}) {
    super('', { cause: options.cause });
    this.name = 'PublicError';
    this.code = code;
    this.httpStatus = ERROR_TABLE[code].status;
    this.reason = options.reason ?? null;
    this.values = { ...options.values };
    const retryAfter = options.retryAfterSeconds ?? ('retryAfter' in ERROR_TABLE[code] ? (ERROR_TABLE[code] as { retryAfter: number }).retryAfter : undefined);
    if (retryAfter !== undefined) {
      this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfter));
      if (options.retryAfterSeconds !== undefined) this.values.seconds ??= this.retryAfterSeconds;
    }
    if (options.fields) this.fields = options.fields;
    this.step = options.step ?? null;
    this.accountExists = options.accountExists ?? null;
    this.detail = options.detail ?? null;
    this.exitCode = options.exitCode ?? null;
    this.helperReason = options.helperReason ?? null;
    this.message = options.logText ?? errorMessage(this, 'en');
  }

  /** The message in a language of the catalog. */
  localized(locale: Locale): string {
    return errorMessage(this, locale);
  }
}

/** The catalog's text at a "section.key" path ('' when the catalog has none). */
export function messageAt(t: Messages, key: MessageKey | string): string {
  let node: unknown = t;
  for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return typeof node === 'string' ? node : '';
}

/** How a protection reason of lib/accounts/account-policy.ts reads ("it is a member of the group sudo"). */
export function protectedReasonText(reason: string, t: Messages): string {
  const r = t.family.protectedReasons;
  if (reason === 'uid0') return r.uid0;
  if (reason === 'hub_account') return r.hubAccount;
  if (reason === 'panel_account') return r.panelAccount;
  if (reason === 'system_account') return r.systemAccount;
  if (reason.startsWith('group:')) return format(r.group, { group: reason.slice(6) });
  return reason;
}

type ErrorFacts = Pick<PublicError, 'code' | 'reason' | 'values' | 'step' | 'accountExists' | 'detail'>;

/** The catalog key of an error's message: its reason's, else its code's (what the audit row keeps). */
export function messageKeyOf(e: Pick<PublicError, 'code' | 'reason' | 'values'>): MessageKey {
  if (!e.reason) return ERROR_TABLE[e.code].message;
  return e.reason === 'protected' && typeof e.values.protectedReason === 'string' ? REASON_MESSAGES.protected_because : REASON_MESSAGES[e.reason];
}

/** The plain-language message of an error: its reason's or its code's, the onboarding step before it. */
export function errorMessage(e: ErrorFacts, locale: Locale): string {
  const t = catalogs[locale];
  const values: Record<string, string | number> = { ...e.values };
  const key = messageKeyOf(e);
  if (key === REASON_MESSAGES.protected_because) values.protectedReason = protectedReasonText(String(values.protectedReason), t);
  let main = format(messageAt(t, key), values);
  if (e.detail) main = `${main} (${e.detail})`;
  if (!e.step) return main;
  const step = t.onboard.steps[e.step];
  return `${step} ${main}${e.accountExists ? ` ${t.onboard.runAgain}` : ''}`;
}

/** The message of a bare code (a page that only knows the code), in the user's language. */
export function codeMessage(code: ErrorCode, locale: Locale): string {
  return format(messageAt(catalogs[locale], ERROR_TABLE[code].message));
}
