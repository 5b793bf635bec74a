// make-home-private HOME, in the agent, which the root helper started AS the
// member (uid and gid): take group and others' access off the member's home
// folder itself (0755 -> 0700), so a sibling can no longer open their notebooks.
// Only the folder, nothing in it: what the member keeps inside is theirs.
//
// As the member, not as root: the member may change only what they own, so a home
// that is not theirs cannot be changed whatever it points at. The folder is opened
// with O_NOFOLLOW | O_DIRECTORY (a link is not followed, a FIFO not waited on) and
// changed through that open descriptor (fchmod), so a name swapped after the check
// is not changed either.
//
// Answer: {"before":"755","after":"700"} (octal permission bits).
import { closeSync, constants, fchmodSync, fstatSync, openSync } from 'node:fs';
import { conflict, usage } from '../common/errors';

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** The home's mode with group and others' bits taken off (setgid and sticky bits kept). Pure. */
export function privateMode(mode: number): number {
  return mode & 0o7700;
}

export function makeHomePrivate(args: readonly string[]): Record<string, unknown> {
  const [home, ...rest] = args;
  if (!home || !home.startsWith('/') || rest.length > 0) throw usage('make-home-private takes one absolute HOME');
  let fd: number;
  try {
    fd = openSync(home, DIR_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw conflict(`${home} is not a folder that can be opened (${code}); nothing was changed`, 'home_not_own_folder', { home, why: code });
  }
  try {
    const st = fstatSync(fd);
    const uid = process.geteuid?.();
    if (!st.isDirectory() || st.uid !== uid) {
      throw conflict(`${home} is not the member's own folder (owner uid ${st.uid}); nothing was changed`, 'home_not_own_folder', { home, why: 'not_owner' });
    }
    const before = st.mode & 0o7777;
    const after = privateMode(before);
    if (after !== before) fchmodSync(fd, after);
    const now = fstatSync(fd).mode & 0o7777;
    return { before: before.toString(8), after: now.toString(8) };
  } finally {
    closeSync(fd);
  }
}
