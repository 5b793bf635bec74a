// Serializes mutating commands with a lock the kernel holds: flock(2) on a
// root-owned file in /run. Node has no flock(), so util-linux's flock(1) takes it
// on a descriptor it shares with us: flock locks belong to the open file, which
// outlives the flock process, so the lock is ours until we close our descriptor,
// and the kernel drops it when we die (no stale locks, no pid files).
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { busy, systemError } from '../common/errors';
import { lastLine, pauseBeforeRetry, runTool } from './run';

export const LOCK_PATH = '/run/jupyterhub-panel-helper.lock';
const FLOCK = '/usr/bin/flock';

export interface LockHandle {
  release(): void;
}

/**
 * Take the helper lock, waiting at most waitMs; busy after that. It tries without
 * blocking (flock --nonblock, awaited like every tool) and sleeps between tries,
 * so a wait never holds up the other requests the helper's service is answering.
 */
export async function acquireLock(path = LOCK_PATH, waitMs = 10_000, retryMs = 100): Promise<LockHandle> {
  let fd: number;
  try {
    // /run is root's: the file cannot be a link someone else planted; O_NOFOLLOW anyway.
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (e) {
    throw systemError(`cannot open the lock ${path}: ${(e as NodeJS.ErrnoException).code}`);
  }
  const deadline = Date.now() + waitMs;
  try {
    if (!fstatSync(fd).isFile()) throw systemError(`the lock ${path} is not a regular file`);
    for (;;) {
      const r = await runTool(FLOCK, ['--exclusive', '--nonblock', '3'], { passFd: fd, timeoutMs: 5000 });
      if (r.status === 0) break;
      if (r.status !== 1) throw systemError(`cannot take the lock ${path}: ${lastLine(r.stderr) || `flock exit ${r.status}`}`);
      if (Date.now() >= deadline) throw busy(`another change is still running (lock ${path}); try again later`, 'another_change_running');
      await pauseBeforeRetry(deadline, retryMs);
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  let held = true;
  return {
    release() {
      if (held) closeSync(fd);
      held = false;
    },
  };
}
