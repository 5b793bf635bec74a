import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { tempPanel } from './support/temp-panel';
import { db, setDatabaseForTests } from '../../lib/db';
import { blockMs, FREE_FAILURES, FORGET_AFTER_MS, normalizeAddress, throttle } from '../../lib/throttle';

const tmp = tempPanel({ JH4F_LOGIN_DELAY_MAX_SECONDS: '900' });

after(() => {
  setDatabaseForTests(null);
  tmp.cleanup();
});
beforeEach(() => db().exec('DELETE FROM login_throttle'));

test('delays grow 2, 4, 8 ... seconds after the free failures and stop at the cap', () => {
  assert.equal(blockMs(5, 5, 900), 0);
  assert.equal(blockMs(6, 5, 900), 2000);
  assert.equal(blockMs(7, 5, 900), 4000);
  assert.equal(blockMs(14, 5, 900), 512_000);
  assert.equal(blockMs(15, 5, 900), 900_000);
  assert.equal(blockMs(10_000, 5, 900), 900_000);
});

test('one user name: blocked after the free failures, with a Retry-After', () => {
  const t = Date.now();
  for (let i = 1; i <= FREE_FAILURES.username; i++) {
    assert.equal(throttle.failure('mama', `10.0.0.${i}`, t).blocked, false);
  }
  const v = throttle.failure('mama', '10.0.0.99', t);
  assert.deepEqual(v, { blocked: true, scope: 'username', retryAfterSeconds: 2 });
  assert.equal(throttle.check('mama', '10.9.9.9', t + 1000).blocked, true, 'from any address');
  assert.equal(throttle.check('papa', '10.9.9.9', t + 1000).blocked, false, 'other names are not affected');
});

test('a block always ends: never a permanent lock-out', () => {
  const t = Date.now();
  for (let i = 0; i < 50; i++) throttle.failure('mama', `10.0.${i}.1`, t);
  const v = throttle.check('mama', '10.1.1.1', t);
  assert.ok(v.blocked && v.retryAfterSeconds <= 900, 'capped at 15 minutes');
  assert.equal(throttle.check('mama', '10.1.1.1', t + 900_000).blocked, false, 'over after the cap');
});

test('a success clears the user name counter but not the address counter', () => {
  const t = Date.now();
  for (let i = 0; i < 12; i++) throttle.failure(`guess${i}`, '192.168.1.5', t);
  for (let i = 0; i < 4; i++) throttle.failure('papa', '192.168.1.6', t);
  throttle.success('papa');
  assert.equal(db().prepare("SELECT count(*) AS n FROM login_throttle WHERE kind='username' AND key='papa'").pluck().get(), 0);
  const v = throttle.check('papa', '192.168.1.5', t + 1);
  assert.ok(v.blocked && v.scope === 'address');
});

test('many names from one address: the address is blocked', () => {
  const t = Date.now();
  let last = throttle.failure('u0', '::ffff:127.0.0.1', t);
  for (let i = 1; i < 50; i++) last = throttle.failure(`u${i}`, '127.0.0.1', t);
  assert.ok(last.blocked);
  const v = throttle.check('someone-new', '127.0.0.1', t);
  assert.ok(v.blocked && v.scope === 'address');
});

test('failures are forgotten after a quiet hour', () => {
  const t = Date.now();
  for (let i = 0; i < 5; i++) throttle.failure('ben', '10.0.0.1', t);
  const later = t + FORGET_AFTER_MS + 1000;
  assert.equal(throttle.failure('ben', '10.0.0.1', later).blocked, false, 'counting starts again at 1');
  assert.equal(db().prepare("SELECT failures FROM login_throttle WHERE kind='username' AND key='ben'").pluck().get(), 1);
});

test('the counters live in SQLite and survive a reopen (a restart)', async () => {
  const t = Date.now();
  for (let i = 0; i < 8; i++) throttle.failure('kim', '10.0.0.7', t);
  setDatabaseForTests(null); // close; the next db() call opens the file again
  assert.equal(throttle.check('kim', '10.0.0.8', t + 10).blocked, true);
});

test('addresses: IPv4-mapped IPv6 is the same client', () => {
  assert.equal(normalizeAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(normalizeAddress('::1'), '::1');
  assert.equal(normalizeAddress(''), 'unknown');
});
