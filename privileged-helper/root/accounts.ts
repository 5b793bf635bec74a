// The account databases as root reads them: the files through the shared parsers
// (lib/shared/account-files.ts, the panel's own), never a shell or getent.
import { readFileSync } from 'node:fs';
import { systemError } from '../common/errors';
import { parseGroup, parseLoginDefs, parsePasswd, parseShadow, type GroupEntry, type PasswdEntry, type UidRange } from '../../lib/shared/account-files';

export type Account = PasswdEntry;
export type Group = GroupEntry;

export const PATHS = {
  passwd: '/etc/passwd',
  group: '/etc/group',
  shadow: '/etc/shadow',
  loginDefs: '/etc/login.defs',
  useraddDefaults: '/etc/default/useradd',
} as const;

/** HOME= of /etc/default/useradd, default /home. */
export function parseUseraddHomeBase(text: string): string {
  const m = /^\s*HOME=(\/[^\s]*)\s*$/m.exec(text);
  return m ? m[1]!.replace(/\/+$/, '') || '/' : '/home';
}

export class SystemState {
  constructor(
    readonly users: ReadonlyMap<string, Account>,
    readonly groups: ReadonlyMap<string, Group>,
    readonly loginDefs: Readonly<UidRange>,
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
    return !!g && (g.members.includes(user) || this.users.get(user)?.gid === g.gid);
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
