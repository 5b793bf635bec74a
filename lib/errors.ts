// The closed set of errors a user may see. Each has a code (the API's `error`),
// an HTTP status and a message from the catalog in every language. Anything else
// that goes wrong is logged on the server and shown as the generic `internal`.
// No I/O here, so client components may import the codes too.
import { helperCodeMessage } from './family-errors';
import { catalogs, format, type Locale, type Messages } from './i18n/messages';

interface ErrorSpec {
  status: number;
  text: (m: Messages) => string;
}

export const PUBLIC_ERRORS = {
  invalid_credentials: { status: 401, text: (m) => m.login.invalidCredentials },
  not_family_admin: { status: 403, text: (m) => m.login.notFamilyAdmin },
  account_unavailable: { status: 403, text: (m) => m.login.accountUnavailable },
  too_many_attempts: { status: 429, text: (m) => m.login.tooManyAttempts },
  invalid_input: { status: 400, text: (m) => m.errors.invalidInput },
  unauthenticated: { status: 401, text: (m) => m.errors.unauthenticated },
  session_ended: { status: 401, text: (m) => m.errors.sessionEnded },
  forbidden_origin: { status: 403, text: (m) => m.errors.forbiddenOrigin },
  misdirected_request: { status: 421, text: (m) => m.errors.misdirectedRequest },
  unsupported_media_type: { status: 415, text: (m) => m.errors.unsupportedMediaType },
  payload_too_large: { status: 413, text: (m) => m.errors.payloadTooLarge },
  not_found: { status: 404, text: (m) => m.errors.notFound },
  auth_unavailable: { status: 503, text: (m) => m.errors.authUnavailable },
  internal: { status: 500, text: (m) => m.errors.internal },
} satisfies Record<string, ErrorSpec>;

export type PublicErrorCode = keyof typeof PUBLIC_ERRORS;

export interface PublicErrorOptions {
  /** Placeholders of the message, e.g. {seconds} of too_many_attempts. */
  values?: Record<string, string | number>;
  /** Seconds for a Retry-After header (429, 503). */
  retryAfterSeconds?: number;
  /** Which input fields were wrong (400 invalid_input): field -> problem code. */
  fields?: Record<string, string>;
  /** For the server log only; never sent to the client. */
  cause?: unknown;
}

export class PublicError extends Error {
  readonly code: PublicErrorCode;
  readonly httpStatus: number;
  readonly values: Record<string, string | number>;
  readonly retryAfterSeconds?: number;
  readonly fields?: Record<string, string>;

  constructor(code: PublicErrorCode, options: PublicErrorOptions = {}) {
    super(`${code}: ${format(PUBLIC_ERRORS[code].text(catalogs.en), options.values)}`, { cause: options.cause });
    this.name = 'PublicError';
    this.code = code;
    this.httpStatus = PUBLIC_ERRORS[code].status;
    this.values = { ...options.values };
    if (options.retryAfterSeconds !== undefined) {
      this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
      this.values.seconds ??= this.retryAfterSeconds;
    }
    if (options.fields) this.fields = options.fields;
  }

  /** The message in a language of the catalog. */
  localized(locale: Locale): string {
    return format(PUBLIC_ERRORS[this.code].text(catalogs[locale]), this.values);
  }
}

/** Messages of the helper's error codes (lib/helper-client.ts), in the user's language. */
export function helperErrorMessage(code: string, locale: Locale): string {
  return helperCodeMessage(code, catalogs[locale]);
}
