// The helper's exit codes (docs/ARCHITECTURE.md, "Helper command contract"): the
// one table, read by the helper to exit (privileged-helper/common/errors.ts) and by the
// panel to name what happened (lib/helper/client.ts). Pure data: it is bundled
// into the root helper, so it imports nothing.

/** Error code -> the helper's exit code. 0 is success. */
export const HELPER_EXIT_CODES = Object.freeze({
  usage: 2,
  invalid_name: 3,
  no_such_user: 4,
  protected_account: 5,
  conflict: 6,
  busy: 7,
  system_error: 8,
} as const);

/** What the helper itself can answer. */
export type HelperExitErrorCode = keyof typeof HELPER_EXIT_CODES;

/** pkexec's own exits when it never ran the helper: not authorized, or the dialog was dismissed (126), no polkit/agent (127). */
export const PKEXEC_NOT_AUTHORIZED_EXITS = Object.freeze([126, 127] as const);

/** Exit code -> error code, for the panel: the table above turned round, plus pkexec's refusals. */
export const EXIT_CODE_TABLE: Readonly<Record<number, HelperExitErrorCode | 'not_authorized'>> = Object.freeze({
  ...Object.fromEntries(Object.entries(HELPER_EXIT_CODES).map(([code, exit]) => [exit, code as HelperExitErrorCode])),
  ...Object.fromEntries(PKEXEC_NOT_AUTHORIZED_EXITS.map((exit) => [exit, 'not_authorized' as const])),
});
