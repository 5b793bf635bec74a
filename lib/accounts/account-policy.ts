import 'server-only';
// The panel's read-only view of "which accounts may the panel touch", for the
// family list, good messages and the search for candidates. The root helper
// decides for real, under its lock; both apply the one rule of
// lib/shared/protection.ts (reason codes) to what they read the same way:
// /etc/login.defs and the account files through lib/shared/account-files.ts, the
// protected groups from /etc/jupyterhub-panel/helper.json only when that file and
// its folder are root's alone (else the shared defaults).
import fs from 'node:fs';
import { ACCESS_GROUP, ADMIN_GROUP } from '../constants';
import { isValidUsername } from '../shared/username-rule';
import { getAccount, snapshot, type Account, type AccountsSnapshot } from './unix-accounts';
import { parseLoginDefs, type UidRange } from '../shared/account-files';
import { DEFAULT_PROTECTED_GROUPS, isRootOnlyWritable, protectedGroupsOf, protectedReason, type ProtectedReason } from '../shared/protection';
import { foldForSearch } from './search-text';

export { DEFAULT_PROTECTED_GROUPS, type ProtectedReason };
const HELPER_CONFIG_DIR = '/etc/jupyterhub-panel';
const files = { loginDefs: '/etc/login.defs', helperConfig: `${HELPER_CONFIG_DIR}/helper.json`, helperConfigDir: HELPER_CONFIG_DIR };

/** Tests: read other files instead of /etc/login.defs and helper.json. */
export function setPolicyFilesForTests(paths: { loginDefs: string; helperConfig: string; helperConfigDir: string } | null): void {
  files.loginDefs = paths?.loginDefs ?? '/etc/login.defs';
  files.helperConfig = paths?.helperConfig ?? `${HELPER_CONFIG_DIR}/helper.json`;
  files.helperConfigDir = paths?.helperConfigDir ?? HELPER_CONFIG_DIR;
}

export type { UidRange };
/** UID_MIN / UID_MAX of a login.defs text (the helper's own parser). */
export const parseUidRange = parseLoginDefs;

/** A small file's text, re-read only when it changed (one stat() per call); null when missing or unreadable. */
function statKey(st: fs.Stats): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}:${st.ctimeMs}:${st.uid}:${st.mode}`;
}

let loginDefsCache: { key: string; range: UidRange } | null = null;
function uidRange(): UidRange {
  let key = 'missing';
  try {
    key = statKey(fs.statSync(/*turbopackIgnore: true*/ files.loginDefs));
  } catch {
    /* missing: shadow-utils' defaults */
  }
  if (loginDefsCache?.key !== key) {
    let text = '';
    try {
      text = fs.readFileSync(/*turbopackIgnore: true*/ files.loginDefs, 'utf8');
    } catch {
      /* as missing */
    }
    loginDefsCache = { key, range: parseUidRange(text) };
  }
  return loginDefsCache.range;
}

/**
 * The protected groups as the helper loads them: helper.json when it is a regular
 * file that root alone can write, in a folder root alone can write, holding a
 * list of valid group names; otherwise the defaults. (A root-owned but malformed
 * file makes the helper refuse everything; the panel shows the defaults then,
 * and the helper's refusal says what is wrong.)
 */
let configCache: { key: string; groups: readonly string[] } | null = null;
function protectedGroups(): readonly string[] {
  let st: fs.Stats;
  let dir: fs.Stats;
  try {
    st = fs.lstatSync(/*turbopackIgnore: true*/ files.helperConfig);
    dir = fs.lstatSync(/*turbopackIgnore: true*/ files.helperConfigDir);
  } catch {
    return DEFAULT_PROTECTED_GROUPS;
  }
  if (!st.isFile() || !isRootOnlyWritable(st) || !dir.isDirectory() || !isRootOnlyWritable(dir) || st.size > 64 * 1024) return DEFAULT_PROTECTED_GROUPS;
  const key = `${statKey(st)}/${statKey(dir)}`;
  if (configCache?.key !== key) {
    let groups: readonly string[] = DEFAULT_PROTECTED_GROUPS;
    try {
      groups = protectedGroupsOf(JSON.parse(fs.readFileSync(/*turbopackIgnore: true*/ files.helperConfig, 'utf8'))) ?? DEFAULT_PROTECTED_GROUPS;
    } catch {
      /* unreadable (mode 0600) or not JSON: the defaults */
    }
    configCache = { key, groups };
  }
  return configCache.groups;
}

/** What the rule needs, read once per request. */
export interface PolicyView {
  accounts: AccountsSnapshot;
  range: UidRange;
  groups: readonly string[];
}

export function policyView(): PolicyView {
  return { accounts: snapshot(), range: uidRange(), groups: protectedGroups() };
}

/** Why the panel may not change this account, or null: the helper's rule (lib/shared/protection.ts). */
export function protectedReasonOf(account: Account, view: PolicyView = policyView()): ProtectedReason | null {
  return protectedReason(account.username, account.uid, {
    uidRange: view.range,
    protectedGroups: view.groups,
    isInGroup: (user, group) => view.accounts.isGroupMember(user, group),
  });
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
  const view = policyView();
  const account = view.accounts.getAccount(username);
  if (!account) return { exists: false, username, fullName: '', protectedReason: null, member: false, familyAdmin: false };
  return {
    exists: true,
    username,
    fullName: account.fullName,
    protectedReason: protectedReasonOf(account, view),
    member: view.accounts.supplementary(ACCESS_GROUP).has(username),
    familyAdmin: view.accounts.isGroupMember(username, ADMIN_GROUP),
  };
}

export interface Candidate {
  username: string;
  fullName: string;
}

let candidateCache: { accounts: AccountsSnapshot; range: UidRange; groups: readonly string[]; list: Array<Candidate & { folded: string }> } | null = null;

/** Human accounts (uid in UID_MIN..UID_MAX, valid name, unprotected) that are not members yet, by name. */
function allCandidates(): Array<Candidate & { folded: string }> {
  const view = policyView();
  if (candidateCache && candidateCache.accounts === view.accounts && candidateCache.range === view.range && candidateCache.groups === view.groups) {
    return candidateCache.list;
  }
  const members = view.accounts.supplementary(ACCESS_GROUP);
  const list: Array<Candidate & { folded: string }> = [];
  for (const account of view.accounts.accounts.values()) {
    if (members.has(account.username) || !isValidUsername(account.username)) continue;
    if (protectedReasonOf(account, view) !== null) continue;
    list.push({ username: account.username, fullName: account.fullName, folded: foldForSearch(`${account.username} ${account.fullName}`) });
  }
  list.sort((a, b) => a.username.localeCompare(b.username));
  candidateCache = { ...view, list };
  return list;
}

export interface CandidateSearch {
  candidates: Candidate[];
  /** How many candidates match in all (the list holds at most `limit`). */
  total: number;
}

/** Candidates whose username or full name contains every word of `query` (case and accents ignored). */
export function searchCandidates(query: string, limit: number): CandidateSearch {
  const words = foldForSearch(query).split(' ').filter(Boolean);
  const matches = allCandidates().filter((c) => words.every((w) => c.folded.includes(w)));
  return { candidates: matches.slice(0, limit).map(({ username, fullName }) => ({ username, fullName })), total: matches.length };
}

/** Every candidate (the old, unsearched list). */
export function candidateAccounts(): Candidate[] {
  return allCandidates().map(({ username, fullName }) => ({ username, fullName }));
}

/** Whether a new account of this name would collide: an account, a group or a home directory. */
export function isNameTaken(name: string): boolean {
  if (getAccount(name) || snapshot().getGroup(name)) return true;
  try {
    fs.lstatSync(/*turbopackIgnore: true*/ `/home/${name}`);
    return true;
  } catch {
    return false;
  }
}
