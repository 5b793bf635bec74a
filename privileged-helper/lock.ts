// Serializes mutating commands. Node has no flock(2), so: O_EXCL create of a
// lock file holding "PID STARTTIME"; a lock whose process is gone (or whose
// pid was reused by another process) is stale and is taken over. Takeover is
// itself guarded by a second O_EXCL file so two waiters cannot both remove
// the stale lock and then remove each other's fresh one.
import { closeSync, constants, fstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { busy, systemError } from './errors';
import { sleepMs } from './run';

export const LOCK_PATH = '/run/jupyterhub-panel-helper.lock';

/** Start time (clock ticks since boot) of a process, from /proc/PID/stat; null if unknown. */
export function processStartTime(pid: number | 'self'): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and ')': split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // field 22 overall
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Parse lock content "PID STARTTIME\n". Pure. */
export function parseLockContent(text: string): { pid: number; start: string | null } | null {
  const m = /^(\d{1,10})(?: (\d{1,20}))?\n?$/.exec(text);
  if (!m) return null;
  const pid = Number(m[1]);
  return pid > 0 ? { pid, start: m[2] ?? null } : null;
}

type Holder = { kind: 'absent' } | { kind: 'live' } | { kind: 'stale'; content: string };

function inspect(path: string): Holder {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw systemError(`cannot read the lock ${path}: ${(e as NodeJS.ErrnoException).code}`);
  }
  try {
    const content = readFileSync(fd, 'utf8');
    const parsed = parseLockContent(content);
    if (!parsed) {
      // Empty or garbage: a holder may be between create and write. Give it 2 s.
      const age = Date.now() - fstatSync(fd).mtimeMs;
      return age > 2000 ? { kind: 'stale', content } : { kind: 'live' };
    }
    if (!pidAlive(parsed.pid)) return { kind: 'stale', content };
    const start = processStartTime(parsed.pid);
    if (parsed.start !== null && start !== null && start !== parsed.start) return { kind: 'stale', content };
    return { kind: 'live' };
  } finally {
    closeSync(fd);
  }
}

function myContent(): string {
  const start = processStartTime('self');
  return start ? `${process.pid} ${start}\n` : `${process.pid}\n`;
}

/** O_EXCL create with our pid; false when it exists already. */
function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw systemError(`cannot create the lock ${path}: ${(e as NodeJS.ErrnoException).code}`);
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function unlinkIfContent(path: string, content: string): void {
  try {
    if (readFileSync(path, 'utf8') === content) unlinkSync(path);
  } catch {
    /* gone already */
  }
}

/** Remove a stale lock, guarded by PATH.takeover so only one waiter does it. */
function takeOverStale(path: string, staleContent: string): boolean {
  const guard = `${path}.takeover`;
  const mine = myContent();
  if (!tryCreate(guard, mine)) {
    const g = inspect(guard);
    if (g.kind === 'stale') unlinkIfContent(guard, g.content);
    return false;
  }
  try {
    const again = inspect(path);
    if (again.kind === 'stale' && again.content === staleContent) unlinkSync(path);
    return true;
  } finally {
    unlinkIfContent(guard, mine);
  }
}

export interface LockHandle {
  release(): void;
}

/** Take the helper lock, waiting at most waitMs; busy after that. */
export function acquireLock(path = LOCK_PATH, waitMs = 10_000): LockHandle {
  const deadline = Date.now() + waitMs;
  const mine = myContent();
  for (;;) {
    if (tryCreate(path, mine)) {
      return { release: () => unlinkIfContent(path, mine) };
    }
    const holder = inspect(path);
    if (holder.kind === 'absent') continue;
    if (holder.kind === 'stale' && takeOverStale(path, holder.content)) continue;
    if (Date.now() >= deadline) {
      throw busy(`another change is still running (lock ${path}); try again later`);
    }
    sleepMs(Math.min(100, Math.max(1, deadline - Date.now())));
  }
}
