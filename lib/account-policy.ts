import 'server-only';
// The panel's read-only view of "which accounts may the panel touch", for good
// messages and for the picker of candidates. The root helper decides for real,
// under its lock (privileged-helper/policy.ts); this mirrors its rules:
// uid 0, uid outside UID_MIN..UID_MAX, members of the protected groups, the hub
// and panel accounts. Reads /etc/login.defs and (if the panel may read it)
// /etc/jupyterhub-panel/helper.json; accounts and groups via lib/unix-accounts.ts.
import fs from 'node:fs';
import { ACCESS_GROUP, ADMIN_GROUP, PANEL_ACCOUNT } from './constants';
import { isValidUsername } from './names';
import { getAccount, getGroup, isGroupMember, listAccounts, type Account } from './unix-accounts';
import { DEFAULT_PROTECTED_GROUPS } from './protected-groups';
import { parseLoginDefs, type UidRange } from './login-defs';

export { DEFAULT_PROTECTED_GROUPS };
const HUB_ACCOUNT = 'jupyterhub';
const HELPER_CONFIG = '/etc/jupyterhub-panel/helper.json';

export type { UidRange };
/** UID_MIN / UID_MAX of a login.defs text (the helper's own parser). */
export const parseUidRange = parseLoginDefs;

function readText(path: string): string | null {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function uidRange(): UidRange {
  return parseUidRange(readText('/etc/login.defs') ?? '');
}

/** The protected groups: the helper's config when the panel can read it, else the defaults. */
function protectedGroups(): readonly string[] {
  const text = readText(HELPER_CONFIG);
  if (!text) return DEFAULT_PROTECTED_GROUPS;
  try {
    const pg = (JSON.parse(text) as { protectedGroups?: unknown }).protectedGroups;
    if (Array.isArray(pg) && pg.every((g) => typeof g === 'string')) return pg as string[];
  } catch {
    /* the helper fails closed on a malformed file; the panel just shows the defaults */
  }
  return DEFAULT_PROTECTED_GROUPS;
}

export type ProtectedReason = 'uid0' | 'hub_account' | 'panel_account' | 'system_account' | `group:${string}`;

/** Why the panel may not change this account, or null. */
export function protectedReasonOf(account: Account, range = uidRange(), groups = protectedGroups()): ProtectedReason | null {
  if (account.uid === 0) return 'uid0';
  if (account.username === HUB_ACCOUNT) return 'hub_account';
  if (account.username === PANEL_ACCOUNT) return 'panel_account';
  if (account.uid < range.uidMin || account.uid > range.uidMax) return 'system_account';
  for (const g of groups) if (isGroupMember(account.username, g)) return `group:${g}`;
  return null;
}

export interface AccountFacts {
  exists: boolean;
  username: string;
  fullName: string;
  protectedReason: ProtectedReason | null;
  /** Supplementary member of jupyterhub (what the hub's allowed_groups sees). */
  member: boolean;
  familyAdmin: boolean;
}

export function accountFacts(username: string): AccountFacts {
  const account = getAccount(username);
  if (!account) return { exists: false, username, fullName: '', protectedReason: null, member: false, familyAdmin: false };
  return {
    exists: true,
    username,
    fullName: account.fullName,
    protectedReason: protectedReasonOf(account),
    member: getGroup(ACCESS_GROUP)?.members.includes(username) ?? false,
    familyAdmin: isGroupMember(username, ADMIN_GROUP),
  };
}

export interface Candidate {
  username: string;
  fullName: string;
}

/** Human accounts (uid in UID_MIN..UID_MAX, valid name, unprotected) that are not members yet. */
export function candidateAccounts(): Candidate[] {
  const range = uidRange();
  const groups = protectedGroups();
  const members = new Set(getGroup(ACCESS_GROUP)?.members ?? []);
  const out: Candidate[] = [];
  for (const account of listAccounts()) {
    if (members.has(account.username) || !isValidUsername(account.username)) continue;
    if (protectedReasonOf(account, range, groups) !== null) continue;
    out.push({ username: account.username, fullName: account.fullName });
  }
  return out.sort((a, b) => a.username.localeCompare(b.username));
}

/** Whether a new account of this name would collide: an account, a group or a home directory. */
export function isNameTaken(name: string): boolean {
  if (getAccount(name) || getGroup(name)) return true;
  try {
    fs.lstatSync(`/home/${name}`);
    return true;
  } catch {
    return false;
  }
}

