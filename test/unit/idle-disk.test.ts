// The idle rule (which servers the panel stops), the idle setting's bounds, and
// the parsing of du's output for disk use: pure parts, no hub, no helper.
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseDuOutput } from '../../privileged-helper/agent/disk-use';
import { bytesText } from '../../lib/i18n/bytes-text';
import { idleStopProblem } from '../../lib/store/family-settings';
import type { HubUser } from '../../lib/hub/hub-client';
import { idleServers, idleSpan } from '../../lib/upkeep/idle-rule';

const NOW = Date.parse('2026-12-04T18:00:00Z');
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

function user(name: string, servers: Partial<HubUser['servers'][number]>[]): HubUser {
  const full = servers.map((s) => ({ name: '', ready: true, pending: null, started: ago(600), lastActivity: null, ...s }));
  return { name, admin: false, lastActivity: null, servers: full, running: full.length };
}

test('a ready server idle at least the limit is stopped; one active within it is kept', () => {
  const users = [user('anna', [{ lastActivity: ago(181) }]), user('ben', [{ lastActivity: ago(179) }]), user('cleo', [{ lastActivity: ago(180) }])];
  const idle = idleServers(users, 180 * 60_000, NOW);
  assert.deepEqual(
    idle.map((s) => [s.user, s.server, Math.round(s.idleMs / 60_000)]),
    [
      ['anna', '', 181],
      ['cleo', '', 180],
    ],
  );
});

test('named servers are judged one by one, by their own last activity', () => {
  const users = [
    user('anna', [
      { name: '', lastActivity: ago(5) },
      { name: 'old', lastActivity: ago(400) },
    ]),
  ];
  assert.deepEqual(
    idleServers(users, 180 * 60_000, NOW).map((s) => s.server),
    ['old'],
  );
});

test('starting or stopping servers, servers without a time, and "never" are left alone', () => {
  const users = [
    user('anna', [{ ready: false, pending: 'spawn', lastActivity: ago(999) }]),
    user('ben', [{ ready: true, pending: 'stop', lastActivity: ago(999) }]),
    user('cleo', [{ lastActivity: null, started: null }]),
  ];
  assert.deepEqual(idleServers(users, 60_000, NOW), []);
  assert.deepEqual(idleServers([user('dora', [{ lastActivity: ago(999) }])], null, NOW), []);
});

test('without a last activity, the start time counts (the hub sets both at spawn)', () => {
  const idle = idleServers([user('anna', [{ lastActivity: null, started: ago(200) }])], 180 * 60_000, NOW);
  assert.equal(idle.length, 1);
  assert.equal(idle[0]!.lastActivity, ago(200));
});

test('idle spans read as whole hours, or minutes below an hour', () => {
  assert.deepEqual(idleSpan(3 * 3600_000 + 59 * 60_000), { hours: 3 });
  assert.deepEqual(idleSpan(90_000), { minutes: 1 });
  assert.deepEqual(idleSpan(10_000), { minutes: 1 });
});

test('the idle setting takes whole hours, or minutes only where the sandbox allows them', () => {
  assert.equal(idleStopProblem(180, false), null);
  assert.equal(idleStopProblem(null, false), null);
  assert.equal(idleStopProblem(1, false), 'whole hours');
  assert.equal(idleStopProblem(1, true), null);
  assert.match(idleStopProblem(0, true) ?? '', /between/);
  assert.match(idleStopProblem(8 * 24 * 60, false) ?? '', /between/);
  assert.match(idleStopProblem(1.5, true) ?? '', /between/);
});

test("du output: the home's own record is the total", () => {
  const out = '4096\t/home/anna/.cache\0' + '12288\t/home/anna/link\0' + '20480\t/home/anna\0';
  assert.deepEqual(parseDuOutput(out, '/home/anna'), { bytes: 20480, complete: true });
});

test('du output cut by the time limit: the finished entries are a lower bound, a cut record is dropped', () => {
  const out = '4096\t/home/anna/a\0' + '8192\t/home/anna/b\0' + '99999999\t/home/an';
  assert.deepEqual(parseDuOutput(out, '/home/anna'), { bytes: 12288, complete: false });
});

test('du output: names with newlines or tabs cannot make up a total', () => {
  // A file named "x\n999999\t/home/anna": -0 keeps it one record, whose path is not the home.
  const out = '4096\t/home/anna/x\n999999\t/home/anna\0' + '8\t/home/anna/\ttab\0' + '4104\t/home/anna\0';
  assert.deepEqual(parseDuOutput(out, '/home/anna'), { bytes: 4104, complete: true });
  assert.deepEqual(parseDuOutput('4096\t/home/anna/x\n999999\t/home/anna\0', '/home/anna'), { bytes: 4096, complete: false });
  assert.deepEqual(parseDuOutput('', '/home/anna'), { bytes: 0, complete: false });
  assert.deepEqual(parseDuOutput('garbage\0-5\t/home/anna\0', '/home/anna'), { bytes: 0, complete: false });
});

test("byte counts read in decimal units, in the page's language", () => {
  assert.equal(bytesText(0, 'en'), '0 byte');
  assert.equal(bytesText(1_500_000, 'en'), '1.5 MB');
  assert.equal(bytesText(1_500_000, 'de'), '1,5 MB');
  assert.equal(bytesText(250_000_000_000, 'en'), '250 GB');
});
