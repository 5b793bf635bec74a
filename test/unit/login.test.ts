import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, test } from 'node:test';
import { tempPanel, GROUP } from './support/temp-panel';
import { audit } from '../../lib/audit';
import { db, setDatabaseForTests } from '../../lib/db';
import { PublicError } from '../../lib/errors';
import { login, logout } from '../../lib/login';
import { PAM, setPamDependenciesForTests } from '../../lib/pam';
import { createSession, lookupSession } from '../../lib/session';
import { setAccountFilesForTests } from '../../lib/unix-accounts';

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
  assert.equal(db().prepare("SELECT failures FROM login_throttle WHERE kind='username' AND key='mama'").pluck().get(), 1);
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
