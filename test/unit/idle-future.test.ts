// A server that reports its activity ahead of the clock (its own
// JUPYTERHUB_API_TOKEN lets a kid's code post any last_activity up to 59 minutes
// ahead, and the hub keeps the largest): the idle rule counts such a time as the
// moment it was first seen, so idle stop still comes one limit after that; a small
// lead is tolerated and buys nothing; servers with honest times are judged as
// before; each such server is put in the audit once. Pure, with fixed clocks
// (lib/upkeep/idle-rule.ts judgeIdle and its memory).
import assert from 'node:assert/strict';
import test from 'node:test';
import type { HubUser } from '../../lib/hub/hub-client';
import { ACTIVITY_SKEW_MS, FUTURE_AUDIT_EVERY_MS, idleServers, judgeIdle, newActivityMemory, type ActivityMemory } from '../../lib/upkeep/idle-rule';

const T0 = Date.parse('2026-12-04T18:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function user(name: string, lastActivity: number | null, started = T0 - 10 * MIN, server = ''): HubUser {
  return {
    name,
    admin: false,
    lastActivity: lastActivity === null ? null : iso(lastActivity),
    servers: [{ name: server, ready: true, pending: null, started: iso(started), lastActivity: lastActivity === null ? null : iso(lastActivity) }],
    running: 1,
  };
}

/**
 * The idle check once a minute from `from` for `minutes`, the hub showing what
 * `hub(t)` says at each; the moment the first stop comes (or null) and every
 * sighting the rule hands over for the audit.
 */
function run(hub: (t: number) => HubUser[], limitMs: number | null, from: number, minutes: number, memory: ActivityMemory = newActivityMemory()) {
  const future = [];
  for (let i = 0; i <= minutes; i++) {
    const now = from + i * MIN;
    const d = judgeIdle(hub(now), limitMs, now, memory);
    future.push(...d.future);
    if (d.idle.length) return { stoppedAt: now, stop: d.idle[0]!, future };
  }
  return { stoppedAt: null, stop: null, future };
}

test('a server that reports +1 h at every poll is stopped one idle limit after it was first seen', () => {
  // The hub keeps the largest time it was told: 59 minutes ahead of whatever now is.
  const r = run((t) => [user('anna', t + 59 * MIN)], 180 * MIN, T0, 240);
  assert.equal(r.stoppedAt, T0 + 180 * MIN, 'stopped exactly at the limit after the first sight');
  assert.equal(r.stop!.idleMs, 180 * MIN);
  assert.equal(r.stop!.lastActivity, iso(T0), 'counted as the moment it was first seen');
  assert.equal(r.stop!.reportedActivity, iso(T0 + 180 * MIN + 59 * MIN), "the hub's value, kept for the audit row");
});

test("without the memory (the old rule: the hub's time as it is) that server would never be stopped", () => {
  for (let i = 0; i <= 24 * 60; i += 30) {
    const now = T0 + i * MIN;
    assert.deepEqual(idleServers([user('anna', now + 59 * MIN)], 60 * MIN, now), []);
  }
});

test('a time ahead told once counts as its first sight, also after it has passed; a later real activity counts again', () => {
  const F = T0 + 59 * MIN; // posted once at T0; the hub keeps it
  const once = run(() => [user('anna', F)], 60 * MIN, T0, 120);
  assert.equal(once.stoppedAt, T0 + 60 * MIN, 'not F + 60 min: the made-up time is not believed when it has passed either');

  // Real activity after F (the hub takes it: later than what it kept) counts at once.
  const memory = newActivityMemory();
  judgeIdle([user('anna', F)], 60 * MIN, T0, memory);
  const later = judgeIdle([user('anna', F + 5 * MIN)], 60 * MIN, F + 6 * MIN, memory);
  assert.deepEqual(later.idle, []);
  assert.equal(memory.sightings.size, 0, 'the sighting is over');
  const idle = judgeIdle([user('anna', F + 5 * MIN)], 60 * MIN, F + 65 * MIN, memory);
  assert.deepEqual(
    idle.idle.map((s) => [s.user, s.idleMs, s.reportedActivity]),
    [['anna', 60 * MIN, undefined]],
  );
});

test('a lead within the skew is tolerated, never audited, and buys nothing over reporting the present', () => {
  const lead = ACTIVITY_SKEW_MS / 2;
  // Told at every poll: as active as a server that reports now.
  const busy = run((t) => [user('anna', t + lead)], 60 * MIN, T0, 180);
  assert.equal(busy.stoppedAt, null);
  assert.deepEqual(busy.future, []);
  // Told once at T0: stopped one limit after the time it named, at most the skew late.
  const once = run(() => [user('anna', T0 + lead)], 60 * MIN, T0, 120);
  assert.equal(once.stoppedAt, T0 + 61 * MIN, 'the first check from T0 + lead + 60 min');
  assert.deepEqual(once.future, []);
  // Just past the skew is a sighting.
  assert.equal(judgeIdle([user('anna', T0 + ACTIVITY_SKEW_MS + 1000)], 60 * MIN, T0, newActivityMemory()).future.length, 1);
});

test('servers with honest times are judged as before, next to one reporting the future', () => {
  const memory = newActivityMemory();
  const hub = (t: number) => [
    user('anna', t + 59 * MIN),
    user('ben', T0 - 30 * MIN), // last seen half an hour before T0
    user('cleo', null, T0 - 50 * MIN), // never active: its start counts
  ];
  const stops: Array<[string, number]> = [];
  for (let i = 0; i <= 120; i++) {
    const now = T0 + i * MIN;
    for (const s of judgeIdle(hub(now), 60 * MIN, now, memory).idle) if (!stops.some(([u]) => u === s.user)) stops.push([s.user, (now - T0) / MIN]);
  }
  assert.deepEqual(stops, [
    ['cleo', 10],
    ['ben', 30],
    ['anna', 60],
  ]);
});

test('each server start reporting the future is audited once, with how far ahead; at most one row per user an hour', () => {
  const memory = newActivityMemory();
  const r = run((t) => [user('anna', t + 59 * MIN)], null, T0, 59, memory);
  assert.equal(r.stoppedAt, null, '"never" stops nothing');
  assert.deepEqual(r.future, [{ user: 'anna', server: '', started: iso(T0 - 10 * MIN), reported: iso(T0 + 59 * MIN), aheadSeconds: 59 * 60, countedAs: iso(T0) }]);
  // A new start within the hour: counted from its own first sight, not audited again.
  const restart = T0 + 60 * MIN - 30_000;
  const again = judgeIdle([user('anna', restart + 59 * MIN, restart)], 60 * MIN, restart, memory);
  assert.deepEqual(again.future, []);
  assert.equal(memory.sightings.size, 1, 'the first start, gone from the list, is forgotten');
  // Another kid is audited on their own.
  assert.equal(judgeIdle([user('anna', restart + 59 * MIN, restart), user('ben', restart + 20 * MIN)], null, restart, memory).future.length, 1);
  // An hour after anna's row, a new start is audited again.
  const third = T0 + FUTURE_AUDIT_EVERY_MS + MIN;
  assert.deepEqual(
    judgeIdle([user('anna', third + 30 * MIN, third)], null, third, memory).future.map((f) => [f.user, f.aheadSeconds]),
    [['anna', 30 * 60]],
  );
});

test('named servers are remembered one by one', () => {
  const memory = newActivityMemory();
  const hub = (t: number): HubUser[] => {
    const both = user('anna', null);
    both.servers = [
      { name: '', ready: true, pending: null, started: iso(T0 - MIN), lastActivity: iso(t + 59 * MIN) },
      { name: 'lab', ready: true, pending: null, started: iso(T0 - MIN), lastActivity: iso(t - MIN) },
    ];
    return [both];
  };
  assert.deepEqual(judgeIdle(hub(T0), 60 * MIN, T0, memory).idle, []);
  const at = T0 + 60 * MIN;
  assert.deepEqual(
    judgeIdle(hub(at), 60 * MIN, at, memory).idle.map((s) => s.server),
    [''],
    'the default server reporting the future; the active lab kept',
  );
});
