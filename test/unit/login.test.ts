import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, test } from 'node:test';
import { tempPanel, GROUP } from './support/temp-panel';
import { audit } from '../../lib/store/audit';
import { db, setDatabaseForTests } from '../../lib/store/db';
import { PublicError } from '../../lib/errors/errors';
import { login, loginSlots, logout, PENDING_PER_ADDRESS, timing } from '../../lib/auth/login';
import { PAM, pamLimiter, setPamDependenciesForTests } from '../../lib/auth/pam';
import { createSession, lookupSession } from '../../lib/auth/session';
import { setAccountFilesForTests } from '../../lib/accounts/unix-accounts';

const tmp = tempPanel({ JH4F_LOGIN_DELAY_MAX_SECONDS: '60' });
setAccountFilesForTests({ passwd: tmp.passwd, group: tmp.group });
after(() => {
  setDatabaseForTests(null);
  setAccountFilesForTests(null);
  tmp.cleanup();
});
beforeEach(() => {
  tmp.writeGroup(GROUP);
  db().exec('DELETE FROM sessions; DELETE FROM audit; DELETE FROM login_throttle;');
});
afterEach(() => setPamDependenciesForTests(null));
// Failures are answered after a timer (1 s in production); the tests that are about it set it themselves.
timing.failureAnswerMs = 0;

const pamSays = (code: number) => setPamDependenciesForTests({ pam: async () => code, shadowFile: '/nonexistent' });
const attempt = (username: string, password = 'pw', clientAddress = '10.0.0.2') => login({ username, password, clientAddress });
async function refusedWith(promise: Promise<unknown>, code: string): Promise<PublicError> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof PublicError, String(error));
  assert.equal(error.code, code);
  return error;
}

test('success: a session, the name from GECOS, an audit row with actor and address', async () => {
  pamSays(PAM.SUCCESS);
  const { token, session } = await attempt('mama');
  assert.equal(session.fullName, 'Maria Mustermann');
  assert.equal(lookupSession(token).status, 'ok');
  const [row] = audit.list();
  assert.deepEqual([row?.action, row?.actor, row?.target, row?.outcome, row?.clientAddress], ['login', 'mama', 'mama', 'ok', '10.0.0.2']);
});

test('PAM says yes but the panel finds no jupyterhub_adm membership: refused, no session', async () => {
  pamSays(PAM.SUCCESS);
  await refusedWith(attempt('anna'), 'not_family_admin');
  assert.equal(db().prepare('SELECT count(*) FROM sessions').pluck().get(), 0);
  assert.equal(audit.list()[0]?.detail?.checkedBy, 'panel');
});

test('wrong password: 401 invalid_credentials, audited as failed, counted', async () => {
  pamSays(PAM.AUTH_ERR);
  const e = await refusedWith(attempt('mama'), 'invalid_credentials');
  assert.equal(e.httpStatus, 401);
  const [row] = audit.list();
  assert.deepEqual([row?.action, row?.actor, row?.outcome], ['login_failed', null, 'failed']);
  const counted = db().prepare('SELECT kind, key, failures FROM login_throttle ORDER BY kind').all();
  assert.deepEqual(counted, [
    { kind: 'address', key: '10.0.0.2', failures: 1 },
    { kind: 'name', key: 'mama', failures: 1 },
    { kind: 'name_address', key: 'mama 10.0.0.2', failures: 1 },
  ]);
});

test('after the free failures: 429 with Retry-After before any PAM call, audited as login_throttled', async () => {
  let calls = 0;
  setPamDependenciesForTests({ pam: async () => (calls++, PAM.AUTH_ERR), shadowFile: '/nonexistent' });
  for (let i = 0; i < 6; i++) await refusedWith(attempt('papa'), 'invalid_credentials');
  const e = await refusedWith(attempt('papa'), 'too_many_attempts');
  assert.equal(calls, 6, 'the throttled attempt made no PAM call');
  assert.ok(e.retryAfterSeconds! >= 1);
  assert.equal(e.httpStatus, 429);
  assert.equal(audit.list()[0]?.action, 'login_throttled');
});

test('PAM errors are not shown as wrong passwords', async () => {
  pamSays(PAM.AUTHINFO_UNAVAIL);
  await refusedWith(attempt('mama'), 'auth_unavailable');
  assert.equal(audit.list()[0]?.outcome, 'failed');
});

test('presented cookies are deleted at login, never reused', async () => {
  pamSays(PAM.SUCCESS);
  const old = createSession('papa').token;
  const { token } = await login({ username: 'mama', password: 'pw', clientAddress: '10.0.0.2', presentedTokens: [old] });
  assert.notEqual(token, old);
  assert.equal(lookupSession(old).status, 'none');
});

test('logout ends the session and is audited', () => {
  const { token, session } = createSession('mama');
  logout(session, [token], '10.0.0.3');
  assert.equal(lookupSession(token).status, 'none');
  assert.deepEqual([audit.list()[0]?.action, audit.list()[0]?.actor], ['logout', 'mama']);
});

test('case 32: wrong passwords for a parent from one address do not keep her out from another', async () => {
  let calls = 0;
  setPamDependenciesForTests({ pam: async ({ password }) => (calls++, password === 'right' ? PAM.SUCCESS : PAM.AUTH_ERR), shadowFile: '/nonexistent' });
  for (let i = 0; i < 6; i++) await refusedWith(attempt('mama', 'wrong', '203.0.113.9'), 'invalid_credentials');
  await refusedWith(attempt('mama', 'wrong', '203.0.113.9'), 'too_many_attempts');
  const { session } = await attempt('mama', 'right', '192.168.1.20');
  assert.equal(session.username, 'mama');
  assert.equal(calls, 7, 'the stranger’s throttled try made no PAM call; mama’s did');
  await refusedWith(attempt('mama', 'right', '203.0.113.9'), 'too_many_attempts');
});

test('a failed login is answered no sooner than the failure delay after it started, from a timer', async () => {
  // A lower bound on a deliberate delay (not a speed check): the answer must not come before it.
  timing.failureAnswerMs = 300;
  try {
    pamSays(PAM.AUTH_ERR);
    const started = performance.now();
    await refusedWith(attempt('papa'), 'invalid_credentials');
    assert.ok(performance.now() - started >= 290, `answered after ${Math.round(performance.now() - started)} ms`);
    assert.equal(pamLimiter().running, 0, 'no PAM slot is held while the answer waits');
    pamSays(PAM.SUCCESS);
    const ok = performance.now();
    await attempt('papa');
    assert.ok(performance.now() - ok < 290, 'a success is not delayed');
  } finally {
    timing.failureAnswerMs = 0;
  }
});

test('one client has at most two logins open (until their answers): the rest are 429 at once, audited, never sent to PAM', async () => {
  timing.failureAnswerMs = 200;
  try {
    let calls = 0;
    setPamDependenciesForTests({ pam: async () => (calls++, PAM.AUTH_ERR), shadowFile: '/nonexistent' });
    const burst = await Promise.allSettled(Array.from({ length: 10 }, () => attempt('papa', 'wrong', '10.0.0.50')));
    const codes = burst.map((r) => (r.status === 'rejected' ? (r.reason as PublicError).code : 'ok'));
    assert.equal(codes.filter((c) => c === 'invalid_credentials').length, PENDING_PER_ADDRESS);
    assert.equal(codes.filter((c) => c === 'too_many_attempts').length, 10 - PENDING_PER_ADDRESS);
    assert.equal(calls, PENDING_PER_ADDRESS);
    const busy = audit.list().filter((r) => r.action === 'login_throttled');
    assert.equal(busy.length, 10 - PENDING_PER_ADDRESS);
    assert.ok(busy.every((r) => r.detail?.scope === 'address_busy' && r.clientAddress === '10.0.0.50'));
    assert.equal(db().prepare("SELECT failures FROM login_throttle WHERE kind = 'address'").pluck().get(), PENDING_PER_ADDRESS, 'refused at once: not counted');
    assert.equal(loginSlots().holding('10.0.0.50'), 0, 'every slot is given back');
    // Another client is not affected by this one's burst.
    pamSays(PAM.SUCCESS);
    assert.equal((await attempt('mama', 'pw', '10.0.0.51')).session.username, 'mama');
  } finally {
    timing.failureAnswerMs = 0;
  }
});

/** A PAM stand-in whose answers wait until released; records the order names were answered in. */
function heldPam(): { release: () => void; answered: string[] } {
  const waiting: (() => void)[] = [];
  const answered: string[] = [];
  setPamDependenciesForTests({
    pam: ({ username }) =>
      new Promise<number>((resolve) => {
        waiting.push(() => (answered.push(username), resolve(PAM.AUTH_ERR)));
      }),
    shadowFile: '/nonexistent',
  });
  return { answered, release: () => waiting.shift()?.() };
}

async function drain(pam: { release: () => void }): Promise<void> {
  const limiter = pamLimiter();
  while (limiter.running > 0 || limiter.queued > 0) {
    pam.release();
    await new Promise((r) => setImmediate(r));
  }
}

test('PAM busy: 429 pam_busy, and the attempt is not counted as a failure', async () => {
  const pam = heldPam();
  // Fill the PAM limiter (2 running, 64 waiting) from distinct clients, then one more.
  const limiter = pamLimiter();
  const held = Array.from({ length: limiter.concurrency + limiter.maxQueue }, (_, i) => attempt('kim', 'x', `10.1.${i >> 8}.${i & 255}`).catch(() => null));
  await new Promise((r) => setImmediate(r));
  assert.equal(limiter.queued, limiter.maxQueue);
  const e = await refusedWith(attempt('mama', 'pw', '10.2.0.1'), 'too_many_attempts');
  assert.equal(e.retryAfterSeconds, 2);
  const row = audit.list()[0];
  assert.deepEqual([row?.action, row?.detail?.scope, row?.detail?.reason], ['login_throttled', 'pam_busy', 'queue_full']);
  assert.equal(db().prepare("SELECT count(*) FROM login_throttle WHERE key LIKE '%10.2.0.1'").pluck().get(), 0, 'taken back');
  await drain(pam);
  await Promise.all(held);
});

test('a client that has been failing waits behind the others for PAM', async () => {
  const pam = heldPam();
  // 10.3.0.9 fails on three names first: it is failing (lib/auth/throttle.ts FAILING_ADDRESS_AT).
  const { throttle } = await import('../../lib/auth/throttle');
  for (const name of ['a', 'b', 'c']) throttle.begin(name, '10.3.0.9', Date.now());
  const limiter = pamLimiter();
  const all = [attempt('r1', 'x', '10.3.0.1'), attempt('r2', 'x', '10.3.0.2'), attempt('bad', 'x', '10.3.0.9'), attempt('good', 'x', '10.3.0.3')].map((p) => p.catch(() => null));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([limiter.running, limiter.queued], [2, 2]);
  await drain(pam);
  await Promise.all(all);
  assert.deepEqual(pam.answered, ['r1', 'r2', 'good', 'bad'], 'the clean client went first');
});

test('issue 32: with a device cookie from an earlier login, mama gets in at an address that is blocked for everyone else', async () => {
  const { trustedDeviceOf, deviceCookieName } = await import('../../lib/auth/device-cookie');
  setPamDependenciesForTests({ pam: async ({ password }) => (password === 'right' ? PAM.SUCCESS : PAM.AUTH_ERR), shadowFile: '/nonexistent' });
  const first = await attempt('mama', 'right', '127.0.0.1');
  const device = trustedDeviceOf(`${deviceCookieName('mama')}=${first.deviceCookie}`, 'mama');
  assert.ok(device, 'the login gave a device cookie that verifies for mama');
  for (let i = 0; i < 6; i++) await refusedWith(attempt('mama', 'wrong', '127.0.0.1'), 'invalid_credentials');
  await refusedWith(attempt('mama', 'right', '127.0.0.1'), 'too_many_attempts');
  const mark = audit.list()[0]!.id;
  const trusted = await login({ username: 'mama', password: 'right', clientAddress: '127.0.0.1', device });
  assert.equal(trusted.session.username, 'mama');
  assert.notEqual(trusted.deviceCookie, first.deviceCookie, 'renewed with a new nonce');
  await refusedWith(login({ username: 'mama', password: 'wrong', clientAddress: '127.0.0.1', device }), 'invalid_credentials');
  const rows = audit.list().filter((r) => r.id > mark);
  assert.deepEqual(
    rows.map((r) => [r.action, r.detail?.trustedDevice]),
    [
      ['login_failed', true],
      ['login', true],
    ],
  );
  assert.ok(!JSON.stringify(rows).includes(device), 'the nonce is in no audit row');
  await refusedWith(attempt('mama', 'right', '127.0.0.1'), 'too_many_attempts');
});
