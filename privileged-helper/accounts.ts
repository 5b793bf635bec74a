// The account databases, read as files (never through a shell or getent).
// Parsers are pure and unit-tested; readSystemState() does the I/O.
import { readFileSync } from 'node:fs';
import { systemError } from './errors';
import { parseLoginDefs, type UidRange } from '../lib/login-defs';

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
}

export interface Group {
  readonly name: string;
  readonly gid: number;
  /** Supplementary members (4th field of /etc/group). */
  readonly members: readonly string[];
}

export type LoginDefs = Readonly<UidRange>;

export const PATHS = {
  passwd: '/etc/passwd',
  group: '/etc/group',
  shadow: '/etc/shadow',
  loginDefs: '/etc/login.defs',
  useraddDefaults: '/etc/default/useradd',
} as const;

const isUint = (s: string | undefined): s is string => s !== undefined && /^\d{1,10}$/.test(s);

/** /etc/passwd: name:pw:uid:gid:gecos:home:shell. Malformed and NIS (+/-) lines are skipped. */
export function parsePasswd(text: string): Map<string, Account> {
  const out = new Map<string, Account>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length !== 7) continue;
    const [name, , uid, gid, gecos, home, shell] = f as [string, string, string, string, string, string, string];
    if (!name || name.startsWith('+') || name.startsWith('-') || !isUint(uid) || !isUint(gid)) continue;
    if (!out.has(name)) out.set(name, { name, uid: Number(uid), gid: Number(gid), gecos, home, shell });
  }
  return out;
}

/** /etc/group: name:pw:gid:member,member */
export function parseGroup(text: string): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length !== 4) continue;
    const [name, , gid, members] = f as [string, string, string, string];
    if (!name || name.startsWith('+') || name.startsWith('-') || !isUint(gid)) continue;
    if (!out.has(name)) out.set(name, { name, gid: Number(gid), members: members.split(',').filter((m) => m !== '') });
  }
  return out;
}

/** /etc/shadow: name -> password field (hash, or !/* forms). */
export function parseShadow(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 2 || !f[0]) continue;
    if (!out.has(f[0])) out.set(f[0], f[1]!);
  }
  return out;
}

export { parseLoginDefs };

/** HOME= of /etc/default/useradd, default /home. */
export function parseUseraddHomeBase(text: string): string {
  for (const raw of text.split('\n')) {
    const m = /^\s*HOME=(\/[^\s]*)\s*$/.exec(raw);
    if (m) return m[1]!.replace(/\/+$/, '') || '/';
  }
  return '/home';
}

/** A password field meaning "locked": starts with '!' (usermod -L, passwd -l, useradd without password). */
export function isLockedHash(hash: string | undefined): boolean {
  return hash === undefined || hash.startsWith('!');
}

/** A password field that is a usable password hash. */
export function isUsableHash(hash: string | undefined): boolean {
  return hash !== undefined && hash.length > 1 && !hash.startsWith('!') && !hash.startsWith('*');
}

export class SystemState {
  constructor(
    readonly users: ReadonlyMap<string, Account>,
    readonly groups: ReadonlyMap<string, Group>,
    readonly loginDefs: LoginDefs,
    private readonly shadowMap: ReadonlyMap<string, string> | null,
  ) {}

  user(name: string): Account | undefined {
    return this.users.get(name);
  }

  userByUid(uid: number): Account | undefined {
    for (const a of this.users.values()) if (a.uid === uid) return a;
    return undefined;
  }

  group(name: string): Group | undefined {
    return this.groups.get(name);
  }

  /** Supplementary membership only (what JupyterHub's allowed_groups sees). */
  isSupplementaryMember(user: string, group: string): boolean {
    return this.groups.get(group)?.members.includes(user) ?? false;
  }

  /** Primary or supplementary membership (what `id` and pam_succeed_if ingroup see). */
  isInGroup(user: string, group: string): boolean {
    const g = this.groups.get(group);
    if (!g) return false;
    if (g.members.includes(user)) return true;
    return this.users.get(user)?.gid === g.gid;
  }

  shadowHash(user: string): string | undefined {
    if (!this.shadowMap) throw systemError('internal: shadow file was not read');
    return this.shadowMap.get(user);
  }
}

function readText(path: string, optional = false): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw systemError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

export function readSystemState(opts: { shadow?: boolean } = {}): SystemState {
  return new SystemState(
    parsePasswd(readText(PATHS.passwd)),
    parseGroup(readText(PATHS.group)),
    parseLoginDefs(readText(PATHS.loginDefs, true)),
    opts.shadow ? parseShadow(readText(PATHS.shadow)) : null,
  );
}

export function readHomeBase(): string {
  return parseUseraddHomeBase(readText(PATHS.useraddDefaults, true));
}
