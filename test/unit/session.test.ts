import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { tempPanel, GROUP } from './support/temp-panel';
import { db, setDatabaseForTests } from '../../lib/store/db';
import { setAccountFilesForTests } from '../../lib/accounts/unix-accounts';
import * as session from '../../lib/auth/session';

const tmp = tempPanel({ JH4F_SESSION_IDLE_SECONDS: '60', JH4F_SESSION_MAX_SECONDS: '3600' });
setAccountFilesForTests({ passwd: tmp.passwd, group: tmp.group });

after(() => {
  setDatabaseForTests(null);
  setAccountFilesForTests(null);
  tmp.cleanup();
});
beforeEach(() => {
  tmp.writeGroup(GROUP);
  db().exec('DELETE FROM sessions; DELETE FROM audit;');
});

test('a session id has 32 random bytes and only its SHA-256 is stored', () => {
  const { token, session: s } = session.createSession('mama');
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(token, 'base64url').length, 32);
  const rows = db().prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.id_hash, session.hashToken(token));
  assert.ok(!JSON.stringify(rows).includes(token), 'the token itself is nowhere in the table');
  assert.equal(s.fullName, 'Maria Mustermann');
});

test('every login makes a new id; a planted cookie is deleted, never upgraded', () => {
  const planted = session.createSession('mama').token;
  const fresh = session.createSession('mama', { replacing: planted }).token;
  assert.notEqual(fresh, planted);
  assert.equal(session.lookupSession(planted).status, 'none');
  assert.equal(session.lookupSession(fresh).status, 'ok');
});

test('malformed and unknown tokens find nothing', () => {
  for (const t of [null, undefined, '', 'x', 'a'.repeat(43), `${'a'.repeat(42)}=`, "'; DROP TABLE sessions; --"]) {
    assert.equal(session.lookupSession(t).status, 'none');
  }
});

test('idle timeout: a request after sessionIdleSeconds finds no session, and the row is gone', () => {
  const t0 = Date.now();
  const { token } = session.createSession('mama', {}, t0);
  assert.equal(session.lookupSession(token, t0 + 59_000).status, 'ok', 'still in before the idle limit');
  assert.equal(session.lookupSession(token, t0 + 59_000 + 60_000).status, 'none');
  assert.equal((db().prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n, 0);
});

test('activity keeps a session alive only until the absolute timeout', () => {
  const t0 = Date.now();
  const { token } = session.createSession('mama', {}, t0);
  let t = t0;
  while (t + 50_000 < t0 + 3_600_000) {
    t += 50_000;
    assert.equal(session.lookupSession(token, t).status, 'ok');
  }
  assert.equal(session.lookupSession(token, t0 + 3_600_000).status, 'none');
});

test('logout deletes the row; the cookie replayed afterwards is worthless', () => {
  const { token } = session.createSession('papa');
  assert.equal(session.deleteSession(token), true);
  assert.equal(session.lookupSession(token).status, 'none');
  assert.equal(session.deleteSession(token), false);
});

test('a parent removed from jupyterhub_adm is refused at the next request, all sessions end, audited', () => {
  const a = session.createSession('mama').token;
  const b = session.createSession('mama').token;
  tmp.writeGroup(GROUP.replace('jupyterhub_adm:x:995:mama,papa', 'jupyterhub_adm:x:995:papa'));
  const found = session.resolveSession(`jh4f_session=${a}`, '10.0.0.5');
  assert.deepEqual(found, { status: 'revoked', username: 'mama' });
  assert.equal(session.lookupSession(b).status, 'none');
  const row = db().prepare("SELECT * FROM audit WHERE action = 'logout'").get() as Record<string, string>;
  assert.equal(row.actor, 'mama');
  assert.equal(row.client_address, '10.0.0.5');
  assert.match(row.detail!, /removed_from_admin_group/);
});

test('membership by primary group counts', () => {
  const { token } = session.createSession('primary');
  assert.equal(session.lookupSession(token).status, 'ok');
});

test('resolveSession tries every jh4f_session cookie (one planted with a longer path comes first)', () => {
  const { token } = session.createSession('papa');
  const found = session.resolveSession(`jh4f_session=${'x'.repeat(43)}; other=1; jh4f_session=${token}`);
  assert.equal(found.status, 'ok');
});

test('sessionOwnerOf names a live session read-only: timeouts apply, nothing is touched or deleted', () => {
  const t0 = Date.now() - 10_000;
  const { token, session: s } = session.createSession('mama', {}, t0);
  const row = () => db().prepare('SELECT last_seen_at FROM sessions WHERE id_hash = ?').get(s.idHash) as { last_seen_at: number } | undefined;
  assert.equal(session.sessionOwnerOf(`other=1; jh4f_session=${'x'.repeat(43)}; jh4f_session=${token}`), 'mama');
  assert.equal(row()?.last_seen_at, t0, 'not touched');
  assert.equal(session.sessionOwnerOf(`jh4f_session=${token}`, t0 + 61_000), null, 'idle timeout');
  assert.equal(session.sessionOwnerOf(`jh4f_session=${token}`, t0 + 3_601_000), null, 'absolute timeout');
  assert.ok(row(), 'a timed-out row is left for the real lookup to delete');
  assert.equal(session.sessionOwnerOf(null), null);
  assert.equal(session.sessionOwnerOf('jh4f_session=short'), null);
});

test('cookie: HttpOnly, SameSite=Strict, Secure, Path=/panel, no Domain', () => {
  const line = session.sessionSetCookie('abc');
  assert.match(line, /^jh4f_session=abc; /);
  assert.match(line, /; Path=\/panel(;|$)/);
  assert.match(line, /; HttpOnly(;|$)/);
  assert.match(line, /; SameSite=Strict(;|$)/);
  assert.match(line, /; Secure(;|$)/);
  assert.doesNotMatch(line, /Domain=/i);
  assert.match(session.clearSessionCookie(), /Max-Age=0/);
});
