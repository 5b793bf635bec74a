import { closeSync, constants, fstatSync, lstatSync, openSync } from 'node:fs';
import { isLockedHash, readSystemState } from '../accounts';
import type { Command } from '../context';
import { systemError } from '../errors';
import { ADMINS_GROUP, MEMBERS_GROUP, protectedReason } from '../policy';

export interface MemberInfo {
  user: string;
  uid: number;
  fullName: string;
  locked: boolean;
  protected: boolean;
  protectedReason: string | null;
  familyAdmin: boolean;
  packagesInstalled: boolean;
}

// A kid owns their home and everything in it, and may put symlinks (or hard
// links, FIFOs, ...) where the entry points should be. Root never follows them:
// each folder on the way is opened with O_NOFOLLOW | O_DIRECTORY, and the next
// name is looked up under /proc/self/fd/N of that open folder, so a name swapped
// for a link after a check is not followed either. What counts is a real folder
// or regular file owned by the kid, as pip --user leaves them; anything else is
// "not installed", whatever it points to.
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Opens `name` inside the open folder `dirFd` (or the absolute path when dirFd is null) without following a link; null unless it is a folder owned by uid. */
function openOwnedDir(dirFd: number | null, name: string, uid: number): number | null {
  let fd: number;
  try {
    fd = openSync(dirFd === null ? name : `/proc/self/fd/${dirFd}/${name}`, DIR_FLAGS);
  } catch {
    return null; // missing, a link (ELOOP), not a folder (ENOTDIR), not readable
  }
  const st = fstatSync(fd);
  if (!st.isDirectory() || st.uid !== uid) {
    closeSync(fd);
    return null;
  }
  return fd;
}

/** A regular file owned by uid, named `name` in the open folder dirFd (lstat: a link is not a file). */
function isOwnedFile(dirFd: number, name: string, uid: number): boolean {
  try {
    const st = lstatSync(`/proc/self/fd/${dirFd}/${name}`);
    return st.isFile() && st.uid === uid;
  } catch {
    return false;
  }
}

export const ENTRY_POINTS: readonly string[] = ['jupyterhub-singleuser', 'jupyter-lab'];

/**
 * The spawn wrapper's install is there when both entry points exist in
 * ~/.local/bin (pip --user's scripts), as real files of the account: no import,
 * no link followed.
 */
export function packagesInstalled(home: string, uid: number): boolean {
  if (!home.startsWith('/') || home === '/') return false;
  const opened: number[] = [];
  try {
    let fd = openOwnedDir(null, home, uid);
    for (const name of ['.local', 'bin']) {
      if (fd === null) return false;
      opened.push(fd);
      fd = openOwnedDir(fd, name, uid);
    }
    if (fd === null) return false;
    opened.push(fd);
    return ENTRY_POINTS.every((name) => isOwnedFile(fd!, name, uid));
  } finally {
    for (const fd of opened) closeSync(fd);
  }
}

export const listMembers: Command = {
  spec: {
    name: 'list-members',
    positionals: [],
    options: [],
    mutating: false,
    readsPassword: false,
    synopsis: 'list-members',
  },
  run(ctx) {
    const state = readSystemState({ shadow: true });
    const group = state.group(MEMBERS_GROUP);
    if (!group) throw systemError(`the group ${MEMBERS_GROUP} does not exist`);
    const members: MemberInfo[] = [];
    for (const name of [...new Set(group.members)].sort()) {
      const account = state.user(name);
      if (!account) continue; // a dangling name in /etc/group: not an account
      const reason = protectedReason(account, state, ctx.config);
      members.push({
        user: name,
        uid: account.uid,
        fullName: account.gecos.split(',')[0] ?? '',
        locked: isLockedHash(state.shadowHash(name)),
        protected: reason !== null,
        protectedReason: reason,
        familyAdmin: state.isInGroup(name, ADMINS_GROUP),
        packagesInstalled: packagesInstalled(account.home, account.uid),
      });
    }
    return { members };
  },
};
