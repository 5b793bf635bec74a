// Serializes mutating commands with a lock the kernel holds: flock(2) on a
// root-owned file in /run. Node has no flock(), so util-linux's flock(1) takes it
// on a descriptor it shares with us: flock locks belong to the open file, which
// outlives the flock process, so the lock is ours until we close our descriptor,
// and the kernel drops it when we die (no stale locks, no pid files).
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { busy, systemError } from './errors';
import { lastLine, runTool } from './run';

export const LOCK_PATH = '/run/jupyterhub-panel-helper.lock';
const FLOCK = '/usr/bin/flock';

export interface LockHandle {
  release(): void;
}

/** Take the helper lock, waiting at most waitMs; busy after that. */
export function acquireLock(path = LOCK_PATH, waitMs = 10_000): LockHandle {
  let fd: number;
  try {
    // /run is root's: the file cannot be a link someone else planted; O_NOFOLLOW anyway.
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (e) {
    throw systemError(`cannot open the lock ${path}: ${(e as NodeJS.ErrnoException).code}`);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw systemError(`the lock ${path} is not a regular file`);
  }
  let r;
  try {
    r = runTool(FLOCK, ['--exclusive', '--wait', String(waitMs / 1000), '3'], { passFd: fd, timeoutMs: waitMs + 5000 });
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  if (r.status !== 0) {
    closeSync(fd);
    if (r.status === 1) throw busy(`another change is still running (lock ${path}); try again later`);
    throw systemError(`cannot take the lock ${path}: ${lastLine(r.stderr) || `flock exit ${r.status}`}`);
  }
  let held = true;
  return {
    release() {
      if (held) closeSync(fd);
      held = false;
    },
  };
}
