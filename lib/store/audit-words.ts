// How an audit entry's reason reads, in the reader's language. A row keeps the
// message key of its reason and the values (lib/store/audited.ts errorDetail),
// never a sentence the page would have to show as it is; the codes go to one
// details line. Rows from before the message key: with an error code, worded from
// the code and reason as the panel answered then; with neither, their English
// text is all there is, and it is shown as it is. Pure: no database, no I/O.
import { protectedReasonText, errorMessage, messageAt } from '../errors/errors';
import { isErrorCode, REASON_MESSAGES, type ErrorReason } from '../errors/error-table';
import { catalogs, format, type Locale } from '../i18n/messages';
import type { AuditEntry } from './audit';

export interface AuditWords {
  /** The reason in the reader's language, or the old row's own text. */
  reason: string | null;
  /** The codes and values, for the details line ('' when there are none). */
  codes: string;
}

const ONBOARD_STEPS = ['create', 'password', 'add'] as const;

function valuesOf(v: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [key, value] of Object.entries(v)) if (typeof value === 'string' || typeof value === 'number') out[key] = value;
  return out;
}

function codesOf(d: Record<string, unknown>, values: Record<string, string | number>): string {
  const parts = [d.code, d.reason, d.helperReason].filter((p): p is string => typeof p === 'string' && p !== '');
  const unique = parts.filter((p, i) => parts.indexOf(p) === i);
  const facts = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  return [...unique, ...facts].join(' · ');
}

export function auditWords(e: Pick<AuditEntry, 'detail' | 'error' | 'target'>, locale: Locale): AuditWords {
  const t = catalogs[locale];
  const d = e.detail ?? {};
  const values = valuesOf(d.values);
  const filled: Record<string, string | number> = { ...(e.target ? { user: e.target } : {}), ...values };
  const step = ONBOARD_STEPS.find((s) => s === d.step);
  const before = step ? `${t.onboard.steps[step]} ` : '';
  if (typeof d.messageKey === 'string' && messageAt(t, d.messageKey)) {
    if (d.messageKey === REASON_MESSAGES.protected_because && typeof filled.protectedReason === 'string') {
      filled.protectedReason = protectedReasonText(filled.protectedReason, t);
    }
    return { reason: `${before}${format(messageAt(t, d.messageKey), filled)}`, codes: codesOf(d, values) };
  }
  // A refused login keeps its error code as `reason` (lib/auth/login.ts).
  const code = isErrorCode(d.code) ? d.code : isErrorCode(d.reason) ? d.reason : null;
  if (code) {
    const reason = typeof d.reason === 'string' && Object.hasOwn(REASON_MESSAGES, d.reason) ? (d.reason as ErrorReason) : null;
    const text = errorMessage({ code, reason, values: filled, step: null, accountExists: null, detail: null }, locale);
    return { reason: `${before}${text}`, codes: codesOf(d, values) };
  }
  return { reason: e.error, codes: '' };
}
