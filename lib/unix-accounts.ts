import 'server-only';
// Accounts and groups, read from /etc/passwd and /etc/group (both world-readable;
// the panel runs unprivileged). Parsed files are cached by mtime, size and inode,
// so a check per request costs one stat() per file. Local files only: the family
// machine has no NSS directory service, and the helper edits exactly these files.
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

export function parsePasswd(text: string): Map<string, Account> {
  const accounts = new Map<string, Account>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    if (fields.length < 7) continue;
    const [username = '', , uid = '', gid = '', gecos = '', home = '', shell = ''] = fields;
    const uidN = Number(uid);
    const gidN = Number(gid);
    if (!username || !Number.isInteger(uidN) || !Number.isInteger(gidN) || uid === '' || gid === '') continue;
    if (accounts.has(username)) continue; // first entry wins, as getpwnam does
    accounts.set(username, { username, uid: uidN, gid: gidN, fullName: gecos.split(',')[0] ?? '', home, shell });
  }
  return accounts;
}

export function parseGroup(text: string): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    if (fields.length < 4) continue;
    const [name = '', , gid = '', members = ''] = fields;
    const gidN = Number(gid);
    if (!name || gid === '' || !Number.isInteger(gidN) || groups.has(name)) continue;
    groups.set(name, { name, gid: gidN, members: members.split(',').map((m) => m.trim()).filter(Boolean) });
  }
  return groups;
}

interface Cached<T> {
  key: string;
  value: T;
}

function cachedReader<T>(file: () => string, parse: (text: string) => T): () => T {
  let cache: Cached<T> | null = null;
  let cachedFile = '';
  return () => {
    const path = file();
    const st = fs.statSync(/*turbopackIgnore: true*/ path);
    // mtime alone can miss two edits in one tick; size and inode (rename-replace) catch most of those.
    const key = `${st.mtimeMs}:${st.size}:${st.ino}:${st.ctimeMs}`;
    if (!cache || cache.key !== key || cachedFile !== path) {
      cache = { key, value: parse(fs.readFileSync(/*turbopackIgnore: true*/ path, 'utf8')) };
      cachedFile = path;
    }
    return cache.value;
  };
}

const paths = { passwd: '/etc/passwd', group: '/etc/group' };

/** Tests: read other files instead of /etc/passwd and /etc/group. */
export function setAccountFilesForTests(files: { passwd: string; group: string } | null): void {
  paths.passwd = files?.passwd ?? '/etc/passwd';
  paths.group = files?.group ?? '/etc/group';
}

const readAccounts = cachedReader(() => paths.passwd, parsePasswd);
const readGroups = cachedReader(() => paths.group, parseGroup);

export function getAccount(username: string): Account | null {
  return readAccounts().get(username) ?? null;
}

/** Every account of /etc/passwd, in file order (used by lib/account-policy.ts for the candidate picker). */
export function listAccounts(): Account[] {
  return [...readAccounts().values()];
}

export function getGroup(name: string): Group | null {
  return readGroups().get(name) ?? null;
}

/** Members of a group: the supplementary ones and every account whose primary group it is. */
export function groupMembers(name: string): string[] {
  const group = getGroup(name);
  if (!group) return [];
  const members = new Set(group.members);
  for (const account of readAccounts().values()) if (account.gid === group.gid) members.add(account.username);
  return [...members].sort();
}

/** True when the account exists and is in the group, as a supplementary member or by its primary group. */
export function isGroupMember(username: string, groupName: string): boolean {
  const group = getGroup(groupName);
  const account = getAccount(username);
  if (!group || !account) return false;
  return account.gid === group.gid || group.members.includes(username);
}
