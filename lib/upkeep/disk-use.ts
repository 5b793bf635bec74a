import 'server-only';
// Disk use per member: each home's size (measured by the root helper's disk-use
// command AS the member, bounded to 10 s) and the free space of /home (statfs, no
// root needed). Never measured on a page's request path: a page asks for the
// members it shows (wantDiskUse) and gets what the cache has; a background queue
// measures one home at a time, each again after DISK_USE_MAX_AGE_MS, for members
// a page asked about in the last DISK_USE_KEEP_MS.
import fs from 'node:fs';
import * as helper from '../helper/commands';
import { PublicError } from '../errors/errors';
import { isValidUsername } from '../shared/username-rule';

export const DISK_USE_MAX_AGE_MS = 10 * 60_000;
/** A member nobody has looked at for this long is no longer measured. */
export const DISK_USE_KEEP_MS = 60 * 60_000;
const REFRESH_TICK_MS = 60_000;

export interface HomeSize {
  bytes: number;
  /** false: measuring stopped at the time limit; bytes is a lower bound. */
  complete: boolean;
  measuredAt: string;
}

export interface DiskUseEntry {
  size: HomeSize | null;
  /** A measurement is queued or running. */
  measuring: boolean;
  /** The last measurement failed (helper code), with no size to show. */
  error: string | null;
}

export interface FreeSpace {
  freeBytes: number;
  totalBytes: number;
}

interface State {
  sizes: Map<string, HomeSize>;
  errors: Map<string, string>;
  wantedAt: Map<string, number>;
  queue: string[];
  running: string | null;
  timer: NodeJS.Timeout | null;
}

const KEY = Symbol.for('jh4f.disk-use');
type Holder = { [KEY]?: State };
function state(): State {
  return ((globalThis as Holder)[KEY] ??= { sizes: new Map(), errors: new Map(), wantedAt: new Map(), queue: [], running: null, timer: null });
}

/** Free space of the file system holding the homes (what an ordinary account may still use). */
export function homeFreeSpace(dir = '/home'): FreeSpace | null {
  try {
    const s = fs.statfsSync(dir);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

function stale(user: string, now: number): boolean {
  const size = state().sizes.get(user);
  return !size || now - Date.parse(size.measuredAt) >= DISK_USE_MAX_AGE_MS;
}

function enqueue(user: string): void {
  const st = state();
  if (st.running === user || st.queue.includes(user)) return;
  st.queue.push(user);
  void drain();
}

async function drain(): Promise<void> {
  const st = state();
  if (st.running !== null) return;
  const user = st.queue.shift();
  if (user === undefined) return;
  st.running = user;
  try {
    // The helper bounds du to 10 s and answers; 20 s covers its start and the lock-free checks.
    const r = await helper.diskUse(user, { timeoutMs: 20_000 });
    if (r.bytes !== null) {
      st.sizes.set(user, { bytes: r.bytes, complete: r.complete, measuredAt: new Date().toISOString() });
      st.errors.delete(user);
    }
  } catch (error) {
    st.errors.set(user, error instanceof PublicError ? error.code : 'system_error');
    // Not measured again at once: counted as measured now, without a size.
    st.sizes.delete(user);
  } finally {
    st.running = null;
    if (st.queue.length > 0) void drain();
  }
}

function ensureTimer(): void {
  const st = state();
  if (st.timer) return;
  st.timer = setInterval(() => {
    const now = Date.now();
    for (const [user, at] of st.wantedAt) {
      if (now - at > DISK_USE_KEEP_MS) {
        st.wantedAt.delete(user);
        st.sizes.delete(user);
        st.errors.delete(user);
      } else if (stale(user, now) && !st.errors.has(user)) enqueue(user);
    }
    st.errors.clear(); // a failed member is tried again on the next tick
  }, REFRESH_TICK_MS);
  st.timer.unref();
}

/**
 * What is known about these members' homes now; those never measured or measured
 * too long ago are queued for the background. Never waits for a measurement.
 */
export function wantDiskUse(users: readonly string[], now = Date.now()): Map<string, DiskUseEntry> {
  ensureTimer();
  const st = state();
  const out = new Map<string, DiskUseEntry>();
  for (const user of users) {
    if (!isValidUsername(user)) continue;
    st.wantedAt.set(user, now);
    if (stale(user, now) && !st.errors.has(user)) enqueue(user);
    out.set(user, {
      size: st.sizes.get(user) ?? null,
      measuring: st.running === user || st.queue.includes(user),
      error: st.errors.get(user) ?? null,
    });
  }
  return out;
}
