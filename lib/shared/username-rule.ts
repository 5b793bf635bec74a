// The one name rule, shared by the root helper (privileged-helper/) and the
// web side (lib/http/validation.ts). Pure: no imports, no I/O, safe in both.
// Checked against the shared table test/fixtures/names.json.

/** Debian's rule for account names: ASCII lower case start, then [-a-z0-9_]. */
export const USERNAME_RE = /^[a-z][-a-z0-9_]*$/;
/** Bytes; the regex is ASCII only, so bytes == characters. */
export const USERNAME_MAX_BYTES = 32;
/** Characters (code points). */
export const FULL_NAME_MAX_CHARS = 100;

export function isValidUsername(s: unknown): s is string {
  // Length first so a 10 MB string is refused without running the regex.
  return typeof s === 'string' && s.length >= 1 && s.length <= USERNAME_MAX_BYTES && USERNAME_RE.test(s);
}

/** Why a username is refused, or null when it is fine. English, for logs and the helper. */
export function usernameProblem(s: unknown): string | null {
  if (typeof s !== 'string') return 'the user name must be text';
  if (s.length === 0) return 'the user name is empty';
  if (s.length > USERNAME_MAX_BYTES) return `the user name is longer than ${USERNAME_MAX_BYTES} characters`;
  if (!USERNAME_RE.test(s)) {
    return 'the user name must start with a lower-case letter a-z and contain only a-z, 0-9, "-" and "_"';
  }
  return null;
}

// Control characters (C0, DEL, C1), line/paragraph separators, and the
// replacement character (what invalid UTF-8 in argv turns into).
// eslint-disable-next-line no-control-regex
const FULL_NAME_BAD_CHAR_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]/u;

// A UTF-16 surrogate without its partner cannot be encoded as UTF-8.
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why a full name (the GECOS first field) is refused, or null when it is fine.
 * UTF-8 text, 1..100 characters, no ':' (field separator of /etc/passwd),
 * no ',' (GECOS subfield separator), no control characters, not blank.
 */
export function fullNameProblem(s: unknown): string | null {
  if (typeof s !== 'string') return 'the full name must be text';
  if (s.length > FULL_NAME_MAX_CHARS * 2) return `the full name is longer than ${FULL_NAME_MAX_CHARS} characters`;
  if (LONE_SURROGATE_RE.test(s)) return 'the full name is not valid UTF-8 text';
  if ([...s].length > FULL_NAME_MAX_CHARS) return `the full name is longer than ${FULL_NAME_MAX_CHARS} characters`;
  if (s.trim().length === 0) return 'the full name is empty';
  if (s.includes(':')) return 'the full name must not contain ":"';
  if (s.includes(',')) return 'the full name must not contain ","';
  if (FULL_NAME_BAD_CHAR_RE.test(s)) return 'the full name must not contain control characters';
  return null;
}

export function isValidFullName(s: unknown): s is string {
  return fullNameProblem(s) === null;
}
