import 'server-only';
// Login throttling, kept in SQLite so a restart does not reset it. The model and
// its numbers are in docs/ARCHITECTURE.md, "Login throttling". In short, three
// counters per attempt, each counted when the attempt STARTS (so fifty attempts
// sent at once are fifty, not zero until PAM answers):
//
//   address       the client (IPv4 address; IPv6 /64, see addressKey)   10 free
//   name_address  this name from this client                           5 free
//   name          this name from anywhere                               10 free
//   device        a trusted device (device-cookie.ts), alone            5 free
//
// After its free failures each further one blocks its key for a growing time
// (2, 4, 8, ... seconds, capped by loginDelayMaxSeconds, 15 minutes by default).
// The address and name_address blocks refuse every attempt they match. The name
// block (the bound on a guess spread over many addresses) refuses only clients
// that have been failing themselves (FAILING_ADDRESS_AT): someone else's failures
// never keep a parent out from an address of her own that was not failing.
// An attempt that carries a valid device cookie for its name (a browser where
// this parent signed in before) is counted on its `device` key only, and the
// other keys' blocks do not apply to it; once the device key is blocked the
// cookie counts as absent and the attempt is an ordinary one.
// Never a permanent lock-out: a block always ends, a quiet hour forgets a key.
import net from 'node:net';
import { db } from '../store/db';
import { settings } from '../settings';

export type ThrottleKind = 'address' | 'name_address' | 'name' | 'device';

export const FREE_FAILURES: Readonly<Record<ThrottleKind, number>> = Object.freeze({ address: 10, name_address: 5, name: 10, device: 5 });
/** A client with this many failures (any names) in its window counts as failing: a blocked name applies to it. */
export const FAILING_ADDRESS_AT = 3;
/** A key's failures are forgotten after this long without a new one (once its block is over). */
export const FORGET_AFTER_MS = 60 * 60 * 1000;

/** Milliseconds a key stays blocked after its `failures`-th failure. Pure. */
export function blockMs(failures: number, free: number, maxSeconds: number): number {
  if (failures <= free) return 0;
  const seconds = Math.min(2 ** Math.min(failures - free, 30), maxSeconds);
  return seconds * 1000;
}

/**
 * The throttle's client key of a socket address. Pure. IPv4 (also IPv4-mapped
 * IPv6) is the address itself. A global IPv6 address counts as its /64: one
 * internet customer gets a whole /64 and can use any of its 2^64 addresses, so
 * per-address counters would bound nothing. Loopback, link-local (fe80::/10) and
 * unique-local (fc00::/7) addresses stay whole: they are this machine or the home
 * network, where a /64 would lump every device of the family together.
 */
export function addressKey(address: string): string {
  let a = address.trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && net.isIPv4(a.slice(7))) return a.slice(7);
  if (net.isIPv4(a)) return a;
  if (!net.isIPv6(a)) return 'unknown';
  const canonical = new URL(`http://[${a}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  }
  const groups = expandIPv6(canonical);
  const first = groups[0]!;
  if (canonical === '::1' || (first & 0xffc0) === 0xfe80 || (first & 0xfe00) === 0xfc00) return canonical;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** A canonical IPv6 text (no embedded IPv4) -> its eight groups. */
function expandIPv6(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

export type ThrottleVerdict = { blocked: false } | { blocked: true; scope: ThrottleKind; retryAfterSeconds: number };

/** An admitted attempt, counted already; its end is reported with succeeded() or cancelled(). */
export interface Attempt {
  name: string;
  address: string;
  /** The client (for a trusted attempt: the device) had been failing before this attempt (FAILING_ADDRESS_AT). */
  failing: boolean;
  /** Set when the attempt is trusted: the device cookie's nonce, its only counted key. */
  device?: string;
  /** Seconds this attempt's count blocks the next one, per key that it pushed over its free failures. */
  blocks: Partial<Record<ThrottleKind, number>>;
}

export type Gate = { admitted: true; attempt: Attempt } | { admitted: false; scope: ThrottleKind; retryAfterSeconds: number };

interface Row {
  failures: number;
  last_failure: number;
  blocked_until: number;
}

const keysOf = (name: string, address: string): [ThrottleKind, string][] => [
  ['address', address],
  ['name_address', `${name} ${address}`],
  ['name', name],
];

/** The keys an admitted attempt was counted on. */
const countedKeys = (attempt: Attempt): [ThrottleKind, string][] => (attempt.device ? [['device', attempt.device]] : keysOf(attempt.name, attempt.address));

function row(kind: ThrottleKind, key: string): Row | undefined {
  return db().prepare('SELECT failures, last_failure, blocked_until FROM login_throttle WHERE kind = ? AND key = ?').get(kind, key) as Row | undefined;
}

/** Failures that still count at `now` (a key whose block is over and which was quiet for FORGET_AFTER_MS counts 0). */
function liveFailures(r: Row | undefined, now: number): number {
  if (!r) return 0;
  return r.last_failure < now - FORGET_AFTER_MS && r.blocked_until <= now ? 0 : r.failures;
}

/** The refusal for this name from this client key now, if any. Reads only. */
function refusal(name: string, address: string, now: number): { verdict: ThrottleVerdict; failing: boolean } {
  const failing = liveFailures(row('address', address), now) >= FAILING_ADDRESS_AT;
  let verdict: ThrottleVerdict = { blocked: false };
  for (const [kind, key] of keysOf(name, address)) {
    if (kind === 'name' && !failing) continue; // someone else's failures never block a client that was not failing
    const r = row(kind, key);
    if (!r || r.blocked_until <= now) continue;
    const retryAfterSeconds = Math.ceil((r.blocked_until - now) / 1000);
    if (!verdict.blocked || retryAfterSeconds > verdict.retryAfterSeconds) verdict = { blocked: true, scope: kind, retryAfterSeconds };
  }
  return { verdict, failing };
}

/** May this name be tried from this client address now? Counts nothing. */
export function checkLogin(name: string, address: string, now = Date.now()): ThrottleVerdict {
  return refusal(name, addressKey(address), now).verdict;
}

/** Counts one failure on a key; returns the seconds of the block it caused (0: none). */
function count(kind: ThrottleKind, key: string, now: number): number {
  const free = FREE_FAILURES[kind];
  const { failures } = db()
    .prepare(
      `INSERT INTO login_throttle (kind, key, failures, last_failure, blocked_until) VALUES (@kind, @key, 1, @now, 0)
       ON CONFLICT (kind, key) DO UPDATE SET
         failures     = CASE WHEN last_failure < @forgetBefore AND blocked_until <= @now THEN 1 ELSE failures + 1 END,
         last_failure = @now
       RETURNING failures`,
    )
    .get({ kind, key, now, forgetBefore: now - FORGET_AFTER_MS }) as { failures: number };
  const ms = blockMs(failures, free, settings().loginDelayMaxSeconds);
  if (ms > 0)
    db()
      .prepare('UPDATE login_throttle SET blocked_until = MAX(blocked_until, ?) WHERE kind = ? AND key = ?')
      .run(now + ms, kind, key);
  return ms / 1000;
}

/** Takes back one counted attempt on a key (it turned out not to be a failure). */
function uncount(kind: ThrottleKind, key: string): void {
  const conn = db();
  conn
    .prepare(
      `UPDATE login_throttle SET failures = failures - 1,
         blocked_until = CASE WHEN failures - 1 <= ? THEN 0 ELSE blocked_until END
       WHERE kind = ? AND key = ? AND failures > 0`,
    )
    .run(FREE_FAILURES[kind], kind, key);
  conn.prepare('DELETE FROM login_throttle WHERE kind = ? AND key = ? AND failures <= 0').run(kind, key);
}

function housekeeping(now: number): void {
  db()
    .prepare('DELETE FROM login_throttle WHERE blocked_until <= ? AND last_failure < ?')
    .run(now, now - FORGET_AFTER_MS);
}

/**
 * The start of a login attempt: refused if a block applies to it; otherwise it is
 * counted on all three keys at once, before PAM runs, and admitted. With
 * `device` (the nonce of a device cookie that verified for this name) and that
 * device not blocked, it is trusted: counted on the device key alone and
 * never refused here. A blocked device is as if no cookie had come.
 */
export function beginAttempt(name: string, clientAddress: string, now = Date.now(), device?: string | null): Gate {
  const address = addressKey(clientAddress);
  return db().transaction((): Gate => {
    if (device) {
      const r = row('device', device);
      if (!r || r.blocked_until <= now) {
        const failing = liveFailures(r, now) >= FAILING_ADDRESS_AT;
        const seconds = count('device', device, now);
        housekeeping(now);
        return { admitted: true, attempt: { name, address, failing, device, blocks: seconds > 0 ? { device: seconds } : {} } };
      }
    }
    const { verdict, failing } = refusal(name, address, now);
    if (verdict.blocked) return { admitted: false, scope: verdict.scope, retryAfterSeconds: verdict.retryAfterSeconds };
    const blocks: Attempt['blocks'] = {};
    for (const [kind, key] of keysOf(name, address)) {
      const seconds = count(kind, key, now);
      if (seconds > 0) blocks[kind] = seconds;
    }
    housekeeping(now);
    return { admitted: true, attempt: { name, address, failing, blocks } };
  })();
}

/**
 * The attempt was the right password of a parent: this client's failures for
 * the name are forgotten, and the attempt itself is taken back from the address
 * and name counters (their other failures stay: knowing one password must not
 * wipe an attack from the same address). A trusted attempt clears its device
 * key and touches no other.
 */
export function attemptSucceeded(attempt: Attempt): void {
  if (attempt.device) {
    db().prepare("DELETE FROM login_throttle WHERE kind = 'device' AND key = ?").run(attempt.device);
    return;
  }
  db().transaction(() => {
    db().prepare("DELETE FROM login_throttle WHERE kind = 'name_address' AND key = ?").run(`${attempt.name} ${attempt.address}`);
    uncount('address', attempt.address);
    uncount('name', attempt.name);
  })();
}

/** The attempt checked no password (PAM busy or broken): it is taken back from every counter it was counted on. */
export function attemptCancelled(attempt: Attempt): void {
  db().transaction(() => {
    for (const [kind, key] of countedKeys(attempt)) uncount(kind, key);
  })();
}

/** A malformed login (no PAM call, no valid name): counts against the client address only. */
export function recordMalformed(clientAddress: string, now = Date.now()): void {
  db().transaction(() => {
    count('address', addressKey(clientAddress), now);
    housekeeping(now);
  })();
}

export const throttle = {
  check: checkLogin,
  begin: beginAttempt,
  succeeded: attemptSucceeded,
  cancelled: attemptCancelled,
  malformed: recordMalformed,
};
