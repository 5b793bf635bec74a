import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { tempPanel } from './support/temp-panel';
import { db, setDatabaseForTests } from '../../lib/store/db';
import { addressKey, blockMs, FAILING_ADDRESS_AT, FORGET_AFTER_MS, FREE_FAILURES, throttle, type Attempt, type Gate } from '../../lib/auth/throttle';

const tmp = tempPanel({ JH4F_LOGIN_DELAY_MAX_SECONDS: '900' });

after(() => {
  setDatabaseForTests(null);
  tmp.cleanup();
});
beforeEach(() => db().exec('DELETE FROM login_throttle'));

const failures = (kind: string, key: string) => db().prepare('SELECT failures FROM login_throttle WHERE kind = ? AND key = ?').pluck().get(kind, key) as number | undefined;

/** n failed attempts (counted when they start; a failure needs nothing more). */
function fail(name: string, address: string, n: number, t: number): Gate[] {
  return Array.from({ length: n }, () => throttle.begin(name, address, t));
}

function admitted(gate: Gate): Attempt {
  assert.ok(gate.admitted, `admitted, not ${JSON.stringify(gate)}`);
  return gate.attempt;
}

test('delays grow 2, 4, 8 ... seconds after the free failures and stop at the cap', () => {
  assert.equal(blockMs(5, 5, 900), 0);
  assert.equal(blockMs(6, 5, 900), 2000);
  assert.equal(blockMs(7, 5, 900), 4000);
  assert.equal(blockMs(14, 5, 900), 512_000);
  assert.equal(blockMs(15, 5, 900), 900_000);
  assert.equal(blockMs(10_000, 5, 900), 900_000);
});

test('case 32: failures for a name from one address never block that name from an address that was not failing', () => {
  const t = Date.now();
  // The old model blocked `mama` everywhere after 5 failures from anywhere.
  const gates = fail('mama', '203.0.113.7', 40, t);
  assert.equal(gates.filter((g) => g.admitted).length, FREE_FAILURES.name_address + 1, 'the stranger gets 5 free tries and one that starts the block');
  const refused = gates.at(-1)!;
  assert.ok(!refused.admitted && refused.scope === 'name_address', JSON.stringify(refused));
  assert.equal(throttle.check('mama', '203.0.113.7', t).blocked, true, 'the stranger stays blocked');
  assert.deepEqual(throttle.check('mama', '192.168.1.20', t), { blocked: false }, "mama's own address is not");
  const mine = admitted(throttle.begin('mama', '192.168.1.20', t + 1000));
  throttle.succeeded(mine);
  // One wrong try every 15 minutes, for days: mama still gets in each time.
  for (let i = 1; i <= 200; i++) {
    const at = t + i * 15 * 60_000;
    throttle.begin('mama', '203.0.113.7', at);
    throttle.succeeded(admitted(throttle.begin('mama', '192.168.1.20', at + 1)));
  }
});

test('a name under a distributed guess: blocked for clients that have been failing, open for a client that was not', () => {
  const t = Date.now();
  // One wrong try each from 12 addresses: no per-address counter is near its limit.
  for (let i = 1; i <= 12; i++) admitted(throttle.begin('mama', `198.51.100.${i}`, t));
  assert.equal(failures('name', 'mama'), 12);
  // A client that has failed FAILING_ADDRESS_AT times (on any names) is failing: the name's block applies to it.
  fail('kim', '198.51.100.200', FAILING_ADDRESS_AT, t);
  const v = throttle.check('mama', '198.51.100.200', t);
  assert.ok(v.blocked && v.scope === 'name', JSON.stringify(v));
  assert.ok(v.retryAfterSeconds <= 4);
  const again = throttle.begin('mama', '198.51.100.200', t);
  assert.ok(!again.admitted && again.scope === 'name');
  // A client with fewer failures (a typo or two) is not.
  fail('mama', '192.168.1.20', FAILING_ADDRESS_AT - 1, t);
  const mine = admitted(throttle.begin('mama', '192.168.1.20', t));
  assert.equal(mine.failing, false);
  throttle.succeeded(mine);
});

test('counted when the attempt starts: a burst sent at once is throttled before any answer', () => {
  const t = Date.now();
  const gates = fail('papa', '10.0.0.9', 50, t);
  assert.equal(gates.filter((g) => g.admitted).length, FREE_FAILURES.name_address + 1);
  // Fifty names from one address: the address counter stops it.
  const many = Array.from({ length: 50 }, (_, i) => throttle.begin(`guess${i}`, '10.0.0.10', t));
  assert.equal(many.filter((g) => g.admitted).length, FREE_FAILURES.address + 1);
  const last = many.at(-1)!;
  assert.ok(!last.admitted && last.scope === 'address');
  assert.ok(throttle.check('papa', '10.0.0.10', t).blocked, 'the address is blocked for any name');
});

test('the attempt that pushes a key over its free failures reports the block it set', () => {
  const t = Date.now();
  const gates = fail('ben', '10.0.0.11', FREE_FAILURES.name_address + 1, t);
  assert.deepEqual(admitted(gates.at(-1)!).blocks, { name_address: 2 });
});

test('a success forgets this client’s failures for the name, and takes back only its own count elsewhere', () => {
  const t = Date.now();
  fail('guess', '192.168.1.5', 6, t);
  fail('papa', '192.168.1.5', 4, t);
  const ok = admitted(throttle.begin('papa', '192.168.1.5', t));
  assert.equal(failures('address', '192.168.1.5'), 11);
  assert.deepEqual(ok.blocks, { address: 2 }, 'counted at the start, the eleventh attempt blocks the address');
  throttle.succeeded(ok);
  assert.equal(failures('name_address', 'papa 192.168.1.5'), undefined);
  assert.equal(failures('address', '192.168.1.5'), 10, 'the attack from this address is not wiped');
  assert.equal(failures('name', 'papa'), 4);
  assert.deepEqual(throttle.check('other', '192.168.1.5', t + 1), { blocked: false }, 'the block the success itself set is gone');
  fail('guess2', '192.168.1.5', 1, t + 2);
  const v = throttle.check('other', '192.168.1.5', t + 3);
  assert.ok(v.blocked && v.scope === 'address', 'one more failure and the address is over its free failures again');
});

test('a success that set a block takes it back (the right password on the sixth try)', () => {
  const t = Date.now();
  fail('papa', '10.0.0.12', FREE_FAILURES.name_address, t);
  const sixth = admitted(throttle.begin('papa', '10.0.0.12', t));
  assert.ok(throttle.check('papa', '10.0.0.12', t).blocked);
  throttle.succeeded(sixth);
  assert.deepEqual(throttle.check('papa', '10.0.0.12', t), { blocked: false });
});

test('an attempt that checked no password (PAM busy) is taken back from all three counters', () => {
  const t = Date.now();
  fail('mama', '10.0.0.13', 2, t);
  throttle.cancelled(admitted(throttle.begin('mama', '10.0.0.13', t)));
  assert.deepEqual([failures('address', '10.0.0.13'), failures('name_address', 'mama 10.0.0.13'), failures('name', 'mama')], [2, 2, 2]);
  throttle.cancelled(admitted(throttle.begin('kim', '10.0.0.14', t)));
  assert.equal(db().prepare("SELECT count(*) FROM login_throttle WHERE key LIKE '%10.0.0.14' OR key = 'kim'").pluck().get(), 0, 'no empty rows left');
});

test('a block always ends: never a permanent lock-out', () => {
  const t = Date.now();
  for (let i = 0; i < 60; i++) fail('mama', '10.1.1.1', 1, t + i * 1000 * 60 * 20); // one try every 20 minutes, for 20 hours
  const end = t + 60 * 20 * 60_000;
  const v = throttle.check('mama', '10.1.1.1', end);
  assert.ok(!v.blocked || v.retryAfterSeconds <= 900, 'capped at 15 minutes');
  assert.equal(throttle.check('mama', '10.1.1.1', end + 900_000).blocked, false, 'over after the cap');
});

test('failures are forgotten after a quiet hour', () => {
  const t = Date.now();
  fail('ben', '10.0.0.1', 5, t);
  const later = t + FORGET_AFTER_MS + 1000;
  admitted(throttle.begin('ben', '10.0.0.1', later));
  assert.equal(failures('name_address', 'ben 10.0.0.1'), 1, 'counting starts again at 1');
  assert.equal(failures('address', '10.0.0.1'), 1);
});

test('the counters live in SQLite and survive a reopen (a restart)', () => {
  const t = Date.now();
  fail('kim', '10.0.0.7', 8, t);
  setDatabaseForTests(null); // close; the next db() call opens the file again
  assert.equal(throttle.check('kim', '10.0.0.7', t + 10).blocked, true);
});

test('a malformed login counts against the address only', () => {
  const t = Date.now();
  for (let i = 0; i < FREE_FAILURES.address + 1; i++) throttle.malformed('10.0.0.15', t);
  assert.equal(db().prepare("SELECT count(*) FROM login_throttle WHERE kind != 'address'").pluck().get(), 0);
  const v = throttle.check('mama', '10.0.0.15', t);
  assert.ok(v.blocked && v.scope === 'address');
});

test('client keys: IPv4 and IPv4-mapped are one client; global IPv6 counts per /64, local IPv6 per address', () => {
  assert.equal(addressKey('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(addressKey('127.0.0.2'), '127.0.0.2');
  assert.equal(addressKey('::1'), '::1');
  assert.equal(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0DB8:0001:0002::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80::1');
  assert.equal(addressKey('fd12:3456:789a:1::5'), 'fd12:3456:789a:1::5');
  assert.equal(addressKey('::ffff:7f00:1'), '127.0.0.1');
  assert.equal(addressKey(''), 'unknown');
  assert.equal(addressKey('not an address'), 'unknown');
  // Two addresses of one /64 share their counters.
  const t = Date.now();
  for (let i = 0; i <= FREE_FAILURES.address; i++) throttle.begin(`x${i}`, `2001:db8:1:2::${i + 1}`, t);
  assert.ok(throttle.check('y', '2001:db8:1:2::b', t).blocked);
  assert.equal(throttle.check('y', '2001:db8:1:3::b', t).blocked, false);
});

test('a trusted device: counted on its own key only, and no block of the address, name+address or name applies to it', () => {
  const t = Date.now();
  // Someone at mama's address: the address and name_address keys are blocked, the name is over its free failures.
  fail('mama', '127.0.0.1', 12, t);
  assert.ok(throttle.check('mama', '127.0.0.1', t).blocked);
  const before = db().prepare("SELECT kind, key, failures, blocked_until FROM login_throttle WHERE kind != 'device' ORDER BY kind").all();
  const trusted = admitted(throttle.begin('mama', '127.0.0.1', t, 'nonce-1'));
  assert.equal(trusted.device, 'nonce-1');
  assert.equal(failures('device', 'nonce-1'), 1);
  assert.deepEqual(db().prepare("SELECT kind, key, failures, blocked_until FROM login_throttle WHERE kind != 'device' ORDER BY kind").all(), before, 'the other keys are untouched');
  throttle.succeeded(trusted);
  assert.equal(failures('device', 'nonce-1'), undefined, 'a trusted success clears its device key');
  assert.deepEqual(db().prepare('SELECT kind, key, failures, blocked_until FROM login_throttle ORDER BY kind').all(), before, 'and only that');
});

test('a device has 5 free failures, then its own growing block; while it is blocked the attempt is untrusted', () => {
  const t = Date.now();
  fail('mama', '127.0.0.1', 12, t); // the address is blocked for untrusted attempts
  const gates = Array.from({ length: FREE_FAILURES.device + 1 }, () => throttle.begin('mama', '127.0.0.1', t, 'stolen'));
  assert.ok(gates.every((g) => g.admitted && g.attempt.device === 'stolen'));
  assert.deepEqual(admitted(gates.at(-1)!).blocks, { device: 2 }, 'the sixth blocks the device for 2 s');
  const untrusted = throttle.begin('mama', '127.0.0.1', t, 'stolen');
  assert.ok(!untrusted.admitted && untrusted.scope !== 'device', `refused as an ordinary attempt: ${JSON.stringify(untrusted)}`);
  assert.equal(failures('device', 'stolen'), FREE_FAILURES.device + 1, 'the refused attempt counted nothing');
  // From an address nobody failed at, the blocked device is an ordinary attempt: counted on the three keys as today.
  const elsewhere = admitted(throttle.begin('mama', '10.9.9.9', t, 'stolen'));
  assert.equal(elsewhere.device, undefined);
  assert.deepEqual([failures('address', '10.9.9.9'), failures('name_address', 'mama 10.9.9.9'), failures('device', 'stolen')], [1, 1, FREE_FAILURES.device + 1]);
  // The device's block grows as blockMs says, and ends.
  const after = t + 2000;
  assert.deepEqual(admitted(throttle.begin('mama', '127.0.0.1', after, 'stolen')).blocks, { device: 4 });
  const stillBlocked = throttle.begin('mama', '127.0.0.1', after + 3999, 'stolen');
  assert.ok(!stillBlocked.admitted || stillBlocked.attempt.device === undefined, 'untrusted until the 4 s are over');
  assert.equal(admitted(throttle.begin('mama', '127.0.0.1', after + 4000, 'stolen')).device, 'stolen');
});

test('a trusted attempt that checked no password is taken back from its device key', () => {
  const t = Date.now();
  fail('mama', '127.0.0.1', 2, t);
  throttle.begin('mama', '127.0.0.1', t, 'dev');
  throttle.cancelled(admitted(throttle.begin('mama', '127.0.0.1', t, 'dev')));
  assert.equal(failures('device', 'dev'), 1);
  assert.deepEqual([failures('address', '127.0.0.1'), failures('name', 'mama')], [2, 2]);
});
