// Why the helper failed, as a code: the closed set of reasons its error line may
// carry next to the error code and the English sentence
// ({"ok":false,"error":CODE,"message":TEXT,"reason":REASON,"values":{...}}). The
// helper says why with these (privileged-helper/common/errors.ts); the panel's
// client (lib/helper/client.ts) accepts only these, so it never has to read the
// sentence, which stays for a person at a terminal and for syslog.
// Bundled into the root helper: imports only lib/shared.
import { HELPER_EXIT_CODES, type HelperExitErrorCode } from './exit-codes';
import { HOURS_REASONS } from './hours-rule';
import { LIMITS_REASONS } from './limits-rule';
import { PROTECTION_REASON_CODES } from './protection';

export const HELPER_REASONS = [
  // The generic reason of each error code: what a failure says when there is nothing more precise.
  ...(Object.keys(HELPER_EXIT_CODES) as HelperExitErrorCode[]),
  // protected_account: the protection rule (lib/shared/protection.ts; "group" with values.group) ...
  ...PROTECTION_REASON_CODES,
  // ... the target is not a member of jupyterhub, or a parent (jupyterhub_adm), or the hub account
  // itself for remove-member; the actor is someone else than the caller, has no account, is no parent.
  'not_member',
  'is_parent',
  'hub_account_stays',
  'actor_not_caller',
  'actor_unknown',
  'actor_not_admin',
  // invalid_name: which name broke the rule of lib/shared/username-rule.ts.
  'invalid_actor',
  'invalid_full_name',
  // usage: the panel did not name its actor; the password on stdin is bad; the hours (hours-rule.ts).
  'actor_missing',
  'bad_password',
  'hours_missing',
  'hours_not_json',
  ...HOURS_REASONS,
  // usage: set-updates' --mode is not one of security, all, off.
  'update_mode_invalid',
  // usage/conflict: set-limits' target or numbers (limits-rule.ts), or a broken limits file.
  ...LIMITS_REASONS,
  // conflict: upgrade-system's --mode is not the saved automatic-updates mode (or updates are off).
  'update_mode_mismatch',
  // system_error: upgrade-system's apt-get or dpkg failed (values: what, how).
  'upgrade_failed',
  // conflict: create-user's name is taken; the hours file is broken; a home that is not the member's
  // own folder (make-home-private); not the hub this command is for.
  'account_exists',
  'group_exists',
  'home_exists',
  'hours_file_broken',
  'home_not_own_folder',
  'not_family_hub',
  'hub_connected_at_setup',
  'hub_run_by_systemd',
  'hub_cannot_restart',
  'hub_config_broken',
  // usage: the socket's request line is not {argv, stdin}.
  'bad_request',
  // busy: another helper change holds the lock; a program outside us holds the account files' lock.
  'another_change_running',
  'account_files_locked',
  // system_error: a root tool is missing, did not finish in time, or failed (values: tool or what/how);
  // the panel's account is gone.
  'tool_missing',
  'tool_timed_out',
  'tool_failed',
  'panel_account_missing',
] as const;

export type HelperReason = (typeof HELPER_REASONS)[number];

/** A reason's values: names, paths, numbers; never a password. */
export type HelperReasonValues = Readonly<Record<string, string | number>>;

const REASON_SET: ReadonlySet<string> = new Set(HELPER_REASONS);

export function isHelperReason(v: unknown): v is HelperReason {
  return typeof v === 'string' && REASON_SET.has(v);
}

/** Bounds of what a line's values may hold (the panel drops what is outside them). */
export const MAX_REASON_VALUES = 8;
export const MAX_REASON_VALUE_CHARS = 200;
const VALUE_KEY_RE = /^[a-z][a-zA-Z0-9]{0,31}$/;

/**
 * The values of a line, kept only as they may be: at most MAX_REASON_VALUES keys of
 * a plain name, each a string of at most MAX_REASON_VALUE_CHARS or a finite number;
 * anything else is dropped. Pure.
 */
export function reasonValuesOf(v: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    if (Object.keys(out).length >= MAX_REASON_VALUES) break;
    if (!VALUE_KEY_RE.test(key)) continue;
    if (typeof value === 'string' && value.length <= MAX_REASON_VALUE_CHARS) out[key] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  }
  return out;
}
