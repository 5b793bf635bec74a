import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { tempPanel } from './support/temp-panel';
import { db, setDatabaseForTests, MIGRATIONS } from '../../lib/store/db';
import { audit, scrubDetail } from '../../lib/store/audit';

const tmp = tempPanel();

after(() => {
  setDatabaseForTests(null);
  tmp.cleanup();
});
beforeEach(() => db().exec('DELETE FROM audit'));

test('the database is migrated to the latest version, in WAL mode with foreign keys', () => {
  assert.equal(db().pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(db().pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db().pragma('foreign_keys', { simple: true }), 1);
  const tables = db().prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").pluck().all();
  for (const t of ['audit', 'jobs', 'login_throttle', 'sessions']) assert.ok(tables.includes(t), t);
});

test('record and list: newest first, paging with before, filtering by target', () => {
  const ids = ['anna', 'ben', 'anna'].map((target, i) => audit.record({ actor: 'mama', action: 'member_add', target, outcome: i === 1 ? 'failed' : 'ok', detail: { changed: true } }));
  const all = audit.list({ limit: 10 });
  assert.deepEqual(
    all.map((e) => e.id),
    [...ids].reverse(),
  );
  assert.equal(all[0]!.detail?.changed, true);
  assert.match(all[0]!.at, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(
    audit.list({ before: ids[2] }).map((e) => e.id),
    [ids[1], ids[0]],
  );
  assert.deepEqual(
    audit.list({ target: 'anna' }).map((e) => e.id),
    [ids[2], ids[0]],
  );
  assert.equal(audit.list({ limit: 1 }).length, 1);
});

test('passwords never reach the audit log, at any depth', () => {
  audit.record({
    actor: 'mama',
    action: 'password_set',
    target: 'anna',
    outcome: 'ok',
    detail: { password: 'hunter2', nested: { newPassword: 'x1', list: [{ passwd: 'x2', ok: 1 }] }, token: 't', kept: 'yes' },
  });
  const raw = db().prepare('SELECT detail FROM audit').pluck().get() as string;
  for (const secret of ['hunter2', 'x1', 'x2', '"t"']) assert.ok(!raw.includes(secret), secret);
  assert.match(raw, /"kept":"yes"/);
  assert.deepEqual(scrubDetail({ a: { Password: 1, b: 2 } }), { a: { b: 2 } });
});

test('actions and outcomes are closed sets', () => {
  assert.throws(() => audit.record({ actor: 'mama', action: 'rm_rf' as never, outcome: 'ok' }));
  assert.throws(() => audit.record({ actor: 'mama', action: 'login', outcome: 'maybe' as never }));
});

test('control characters in untrusted names are stored visibly escaped', () => {
  audit.record({ actor: null, action: 'login_failed', target: 'alice\nbob', outcome: 'refused' });
  assert.equal(audit.list()[0]!.target, 'alice\\nbob');
});
