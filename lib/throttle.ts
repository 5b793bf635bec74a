import 'server-only';
// Login throttling, kept in SQLite so a restart does not reset it. Two counters
// per attempt: the user name tried and the client address. After a few free
// failures each further failure blocks that key for a growing time (2, 4, 8, ...
// seconds, capped by loginDelayMaxSeconds, 15 minutes by default). Never a
// permanent lock-out: a block always ends, a quiet hour forgets the failures,
// and a successful login clears its user name's counter (not the address's, so
// one known password cannot be used to reset an attack from the same address).
import { db } from './db';
import { settings } from './settings';

export type ThrottleKind = 'username' | 'address';

export const FREE_FAILURES: Readonly<Record<ThrottleKind, number>> = Object.freeze({ username: 5, address: 10 });
/** Failures are forgotten after this long without a new one. */
export const FORGET_AFTER_MS = 60 * 60 * 1000;

/** Milliseconds a key stays blocked after its `failures`-th failure. Pure. */
export function blockMs(failures: number, free: number, maxSeconds: number): number {
  if (failures <= free) return 0;
  const seconds = Math.min(2 ** Math.min(failures - free, 30), maxSeconds);
  return seconds * 1000;
}

/** 127.0.0.1 and ::ffff:127.0.0.1 are one client. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a || 'unknown';
}

export type ThrottleVerdict =
  | { blocked: false }
  | { blocked: true; scope: ThrottleKind; retryAfterSeconds: number };

interface Row {
  failures: number;
  window_start: number;
  last_failure: number;
  blocked_until: number;
}

function row(kind: ThrottleKind, key: string): Row | undefined {
  return db()
    .prepare('SELECT failures, window_start, last_failure, blocked_until FROM login_throttle WHERE kind = ? AND key = ?')
    .get(kind, key) as Row | undefined;
}

/** May this user name be tried from this address now? */
export function checkLogin(username: string, address: string, now = Date.now()): ThrottleVerdict {
  let worst: ThrottleVerdict = { blocked: false };
  for (const [kind, key] of [
    ['username', username],
    ['address', normalizeAddress(address)],
  ] as const) {
    const r = row(kind, key);
    if (!r || r.blocked_until <= now) continue;
    const retryAfterSeconds = Math.ceil((r.blocked_until - now) / 1000);
    if (!worst.blocked || retryAfterSeconds > worst.retryAfterSeconds) worst = { blocked: true, scope: kind, retryAfterSeconds };
  }
  return worst;
}

/** Counts a failed login against its user name (null: a malformed one, address only) and address; returns the verdict for the next attempt. */
export function recordFailure(username: string | null, address: string, now = Date.now()): ThrottleVerdict {
  const maxSeconds = settings().loginDelayMaxSeconds;
  const conn = db();
  const upsert = conn.prepare(
    `INSERT INTO login_throttle (kind, key, failures, window_start, last_failure, blocked_until)
     VALUES (@kind, @key, 1, @now, @now, @blockedUntil1)
     ON CONFLICT (kind, key) DO UPDATE SET
       failures      = CASE WHEN last_failure < @forgetBefore AND blocked_until <= @now THEN 1 ELSE failures + 1 END,
       window_start  = CASE WHEN last_failure < @forgetBefore AND blocked_until <= @now THEN @now ELSE window_start END,
       last_failure  = @now
     RETURNING failures`,
  );
  const setBlock = conn.prepare('UPDATE login_throttle SET blocked_until = MAX(blocked_until, ?) WHERE kind = ? AND key = ?');
  conn.transaction(() => {
    const keys: [ThrottleKind, string][] = [['address', normalizeAddress(address)]];
    if (username !== null) keys.unshift(['username', username]);
    for (const [kind, key] of keys) {
      const free = FREE_FAILURES[kind];
      const blockedUntil1 = now + blockMs(1, free, maxSeconds);
      const { failures } = upsert.get({ kind, key, now, blockedUntil1, forgetBefore: now - FORGET_AFTER_MS }) as { failures: number };
      const ms = blockMs(failures, free, maxSeconds);
      if (ms > 0) setBlock.run(now + ms, kind, key);
    }
    // Housekeeping: rows whose block is over and whose failures are forgotten.
    conn.prepare('DELETE FROM login_throttle WHERE blocked_until <= ? AND last_failure < ?').run(now, now - FORGET_AFTER_MS);
  })();
  return checkLogin(username ?? '', address, now);
}

/** A successful login clears the counter of its user name. */
export function recordSuccess(username: string): void {
  db().prepare("DELETE FROM login_throttle WHERE kind = 'username' AND key = ?").run(username);
}

export const throttle = { check: checkLogin, failure: recordFailure, success: recordSuccess };
