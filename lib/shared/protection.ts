// The protection rule: which accounts the panel must never change (add, remove,
// give a password). One rule, returning a reason code: the root helper decides
// with it under its lock (and prints protectedSentence), the panel shows the
// code (the family list, good messages, the search for candidates).
import { USERNAME_RE } from './username-rule';
import { HUB_ACCOUNT, PANEL_ACCOUNT } from './names';
import type { UidRange } from './account-files';

// Groups whose members the panel never touches: they are administrators, or the
// group itself is as good as root (docker, lxd, incus-admin, libvirt and disk
// members can get a root shell). Root can replace the list in
// /etc/jupyterhub-panel/helper.json ("protectedGroups").
export const DEFAULT_PROTECTED_GROUPS: readonly string[] = Object.freeze(['sudo', 'adm', 'wheel', 'root', 'shadow', 'docker', 'lxd', 'incus-admin', 'libvirt', 'disk']);

/** Why an account is protected. `group:NAME`: a member (primary or supplementary) of that protected group. */
export type ProtectedReason = 'uid0' | 'hub_account' | 'panel_account' | 'system_account' | `group:${string}`;

/**
 * The same reason as a fixed code and its values, as the helper's error line carries
 * it: `group:sudo` is {reason: 'group', values: {group: 'sudo'}}, so the code is one of
 * a closed set the panel can check. Pure.
 */
export const PROTECTION_REASON_CODES = ['uid0', 'hub_account', 'panel_account', 'system_account', 'group'] as const;
export type ProtectionReasonCode = (typeof PROTECTION_REASON_CODES)[number];

export function protectionReasonParts(reason: ProtectedReason): { reason: ProtectionReasonCode; values: Record<string, string> } {
  if (reason.startsWith('group:')) return { reason: 'group', values: { group: reason.slice('group:'.length) } };
  return { reason: reason as Exclude<ProtectionReasonCode, 'group'>, values: {} };
}

/** The parts turned back into the rule's reason; null when they are not one. Pure. */
export function protectedReasonFromParts(reason: string, values: Readonly<Record<string, unknown>>): ProtectedReason | null {
  if (reason === 'group') return typeof values.group === 'string' && USERNAME_RE.test(values.group) ? `group:${values.group}` : null;
  return (PROTECTION_REASON_CODES as readonly string[]).includes(reason) ? (reason as ProtectedReason) : null;
}

/** What the rule looks at, read once by the caller. */
export interface ProtectionView {
  readonly uidRange: UidRange;
  readonly protectedGroups: readonly string[];
  /** Primary or supplementary membership (what `id` and pam_succeed_if ingroup see). */
  isInGroup(user: string, group: string): boolean;
}

/** Why the panel may not change this account, or null. Pure. */
export function protectedReason(name: string, uid: number, view: ProtectionView): ProtectedReason | null {
  if (uid === 0) return 'uid0';
  if (name === HUB_ACCOUNT) return 'hub_account';
  if (name === PANEL_ACCOUNT) return 'panel_account';
  if (uid < view.uidRange.uidMin || uid > view.uidRange.uidMax) return 'system_account';
  for (const g of view.protectedGroups) if (view.isInGroup(name, g)) return `group:${g}`;
  return null;
}

/** The helper's English sentence for a reason (its messages and syslog). Pure. */
export function protectedSentence(name: string, uid: number, reason: ProtectedReason, range: UidRange): string {
  if (reason.startsWith('group:')) return `${name} is a member of the group ${reason.slice('group:'.length)}`;
  const sentences: Record<string, string> = {
    uid0: `${name} has uid 0`,
    hub_account: `${name} is the hub account`,
    panel_account: `${name} is the panel's service account`,
    system_account: `${name} is a system account (uid ${uid} outside ${range.uidMin}..${range.uidMax})`,
  };
  return sentences[reason]!;
}

/**
 * The "protectedGroups" of helper.json's parsed content: the defaults when the key
 * is absent, null when it is malformed (the helper then fails closed; the panel
 * shows the defaults and the helper's refusal says what is wrong). Pure.
 */
export function protectedGroupsOf(config: unknown): readonly string[] | null {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return null;
  const pg = (config as Record<string, unknown>).protectedGroups;
  if (pg === undefined) return DEFAULT_PROTECTED_GROUPS;
  if (!Array.isArray(pg) || !pg.every((g) => typeof g === 'string' && g.length <= 32 && USERNAME_RE.test(g))) return null;
  return [...new Set(pg as string[])];
}

/** Root trusts a configuration file (and its folder) only when root alone can write it. Pure over a stat. */
export function isRootOnlyWritable(st: { uid: number; mode: number }): boolean {
  return st.uid === 0 && (st.mode & 0o022) === 0;
}
