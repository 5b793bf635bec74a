// packages-installed HOME, in the agent, which the root helper started AS the
// member (uid and gid, like disk-use): are the Jupyter entry points there? Root
// no longer looks into a kid's home at all (list-members, commands/list-members.ts).
//
// A kid owns their home and everything in it, and may put symlinks (or hard
// links, FIFOs, ...) where the entry points should be. None is followed:
// each folder on the way is opened with O_NOFOLLOW | O_DIRECTORY, and the next
// name is looked up under /proc/self/fd/N of that open folder, so a name swapped
// for a link after a check is not followed either. What counts is a real folder
// or regular file owned by the kid, as pip --user leaves them; anything else is
// "not installed", whatever it points to.
import { closeSync, constants, fstatSync, lstatSync, openSync } from 'node:fs';
import { usage } from '../common/errors';

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

/** The agent command: HOME is the member's, the uid the agent's own. Answer: {"installed": bool}. */
export function packagesInstalledCommand(args: readonly string[]): Record<string, unknown> {
  if (args.length !== 1) throw usage('packages-installed needs HOME');
  return { installed: packagesInstalled(args[0]!, process.getuid!()) };
}
