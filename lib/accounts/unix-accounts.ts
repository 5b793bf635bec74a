import 'server-only';
// Accounts, groups and lock state, read from /etc/passwd, /etc/group (both
// world-readable) and /etc/shadow (readable by group shadow, which the panel's
// account is in for PAM). The panel runs unprivileged: no root, no helper for reads.
// Parsed files are cached by mtime, size, inode and ctime, so a request costs one
// stat() per file; a snapshot() holds one consistent view with indexes for a
// whole request (2,000 members x 10 protected groups must not be 20,000 stats).
// The parsers are the helper's own (lib/shared/account-files.ts), so both sides
// see the same accounts.
import fs from 'node:fs';
import { fullNameOf, isLockedHash, parseGroup, parsePasswd as parseAccountFile, parseShadow, type GroupEntry } from '../shared/account-files';

export interface Account {
  username: string;
  uid: number;
  gid: number;
  /** First GECOS field (the full name), or '' when none. */
  fullName: string;
  home: string;
  shell: string;
}

export type Group = GroupEntry;
export { parseGroup };

/** /etc/passwd through the shared parser, in the panel's shape (username, the first GECOS field). */
export function parsePasswd(text: string): Map<string, Account> {
  const accounts = new Map<string, Account>();
  for (const e of parseAccountFile(text).values()) {
    accounts.set(e.name, { username: e.name, uid: e.uid, gid: e.gid, fullName: fullNameOf(e.gecos), home: e.home, shell: e.shell });
  }
  return accounts;
}

/** /etc/shadow -> whether each account's password is locked (the shared isLockedHash). */
export function parseShadowLocks(text: string): Map<string, boolean> {
  return new Map([...parseShadow(text)].map(([name, hash]) => [name, isLockedHash(hash)]));
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
