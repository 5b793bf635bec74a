import 'server-only';
// Accounts, groups and lock state, read from /etc/passwd, /etc/group (both
// world-readable) and /etc/shadow (readable by group shadow, which the panel's
// account is in for PAM). The panel runs unprivileged: no root, no helper for reads.
// Parsed files are cached by mtime, size, inode and ctime, so a request costs one
// stat() per file; a snapshot() holds one consistent view with indexes for a
// whole request (2,000 members x 10 protected groups must not be 20,000 stats).
// Local files only: the family machine has no NSS directory service, and the helper
// edits exactly these files. The parsers follow the helper's
// (privileged-helper/accounts.ts) line for line, so both see the same accounts;
// test/unit/account-policy.test.ts checks that they agree.
import fs from 'node:fs';

export interface Account {
  username: string;
  uid: number;
  gid: number;
  /** First GECOS field (the full name), or '' when none. */
  fullName: string;
  home: string;
  shell: string;
}

export interface Group {
  name: string;
  gid: number;
  /** Supplementary members as listed in /etc/group. */
  members: string[];
}

const isUint = (s: string | undefined): s is string => s !== undefined && /^\d{1,10}$/.test(s);

/** /etc/passwd: name:pw:uid:gid:gecos:home:shell. Malformed and NIS (+/-) lines are skipped; first entry wins. */
export function parsePasswd(text: string): Map<string, Account> {
  const accounts = new Map<string, Account>();
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length !== 7) continue;
    const [username = '', , uid, gid, gecos = '', home = '', shell = ''] = fields;
    if (!username || username.startsWith('+') || username.startsWith('-') || !isUint(uid) || !isUint(gid)) continue;
    if (accounts.has(username)) continue; // as getpwnam does
    accounts.set(username, { username, uid: Number(uid), gid: Number(gid), fullName: gecos.split(',')[0] ?? '', home, shell });
  }
  return accounts;
}

/** /etc/group: name:pw:gid:member,member */
export function parseGroup(text: string): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length !== 4) continue;
    const [name = '', , gid, members = ''] = fields;
    if (!name || name.startsWith('+') || name.startsWith('-') || !isUint(gid) || groups.has(name)) continue;
    groups.set(name, { name, gid: Number(gid), members: members.split(',').filter((m) => m !== '') });
  }
  return groups;
}

/**
 * /etc/shadow -> the accounts whose password is locked. A password field that
 * starts with "!" is locked (usermod -L, passwd -l, useradd without a password),
 * as in the helper's isLockedHash; an account without a shadow line counts as
 * locked too (lockedIn below).
 */
export function parseShadowLocks(text: string): Map<string, boolean> {
  const locks = new Map<string, boolean>();
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length < 2 || !fields[0] || locks.has(fields[0])) continue;
    locks.set(fields[0], fields[1]!.startsWith('!'));
  }
  return locks;
}

interface Cached<T> {
  key: string;
  value: T;
}

/**
 * A file parsed once per change. `optional`: a missing or unreadable file gives
 * null instead of an error (the shadow file outside group shadow).
 */
function cachedReader<T>(file: () => string, parse: (text: string) => T, optional = false): () => T | null {
  let cache: Cached<T | null> | null = null;
  let cachedFile = '';
  return () => {
    const path = file();
    let st: fs.Stats;
    try {
      st = fs.statSync(/*turbopackIgnore: true*/ path);
    } catch (error) {
      if (optional) return null;
      throw error;
    }
    // mtime alone can miss two edits in one tick; size, inode (rename-replace) and ctime catch those.
    const key = `${st.mtimeMs}:${st.size}:${st.ino}:${st.ctimeMs}`;
    if (!cache || cache.key !== key || cachedFile !== path) {
      let value: T | null;
      try {
        value = parse(fs.readFileSync(/*turbopackIgnore: true*/ path, 'utf8'));
      } catch (error) {
        if (!optional) throw error;
        value = null;
      }
      cache = { key, value };
      cachedFile = path;
    }
    return cache.value;
  };
}

const paths = { passwd: '/etc/passwd', group: '/etc/group', shadow: '/etc/shadow' };

/** Tests: read other files instead of /etc/passwd, /etc/group and /etc/shadow. */
export function setAccountFilesForTests(files: { passwd: string; group: string; shadow?: string } | null): void {
  paths.passwd = files?.passwd ?? '/etc/passwd';
  paths.group = files?.group ?? '/etc/group';
  paths.shadow = files?.shadow ?? '/etc/shadow';
}

const readAccounts = cachedReader(() => paths.passwd, parsePasswd) as () => Map<string, Account>;
const readGroups = cachedReader(() => paths.group, parseGroup) as () => Map<string, Group>;
const readLocks = cachedReader(() => paths.shadow, parseShadowLocks, true);

/** One consistent view of /etc/passwd and /etc/group, with indexes built on first use. */
export class AccountsSnapshot {
  private readonly memberSets = new Map<string, Set<string>>();
  constructor(
    readonly accounts: ReadonlyMap<string, Account>,
    readonly groups: ReadonlyMap<string, Group>,
  ) {}

  getAccount(username: string): Account | null {
    return this.accounts.get(username) ?? null;
  }

  getGroup(name: string): Group | null {
    return this.groups.get(name) ?? null;
  }

  /** Supplementary members of a group, as a set (what JupyterHub's allowed_groups sees). */
  supplementary(name: string): ReadonlySet<string> {
    let set = this.memberSets.get(name);
    if (!set) {
      set = new Set(this.groups.get(name)?.members ?? []);
      this.memberSets.set(name, set);
    }
    return set;
  }

  /** Primary or supplementary membership (what `id` and pam_succeed_if ingroup see). */
  isGroupMember(username: string, groupName: string): boolean {
    const group = this.groups.get(groupName);
    const account = this.accounts.get(username);
    if (!group || !account) return false;
    return account.gid === group.gid || this.supplementary(groupName).has(username);
  }

  /** Members of a group: the supplementary ones and every account whose primary group it is. */
  groupMembers(name: string): string[] {
    const group = this.groups.get(name);
    if (!group) return [];
    const members = new Set(group.members);
    for (const account of this.accounts.values()) if (account.gid === group.gid) members.add(account.username);
    return [...members].sort();
  }
}

let lastSnapshot: AccountsSnapshot | null = null;

/** The current accounts and groups: one stat() per file, the same object while neither changed. */
export function snapshot(): AccountsSnapshot {
  const accounts = readAccounts();
  const groups = readGroups();
  if (!lastSnapshot || lastSnapshot.accounts !== accounts || lastSnapshot.groups !== groups) {
    lastSnapshot = new AccountsSnapshot(accounts, groups);
  }
  return lastSnapshot;
}

/**
 * Lock state per account from /etc/shadow, or null when the panel cannot read it
 * (not in group shadow: a development set-up). An account missing from the file
 * is locked, as the helper sees it.
 */
export function lockState(): ((username: string) => boolean) | null {
  const locks = readLocks();
  if (!locks) return null;
  return (username) => locks.get(username) ?? true;
}

export function getAccount(username: string): Account | null {
  return snapshot().getAccount(username);
}

/** Every account of /etc/passwd, in file order. */
export function listAccounts(): Account[] {
  return [...snapshot().accounts.values()];
}

export function getGroup(name: string): Group | null {
  return snapshot().getGroup(name);
}

/** Members of a group: the supplementary ones and every account whose primary group it is. */
export function groupMembers(name: string): string[] {
  return snapshot().groupMembers(name);
}

/** True when the account exists and is in the group, as a supplementary member or by its primary group. */
export function isGroupMember(username: string, groupName: string): boolean {
  return snapshot().isGroupMember(username, groupName);
}
