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

test('one entry per change: the outcome row names its start row, and the list shows the outcome only', () => {
  const start = audit.record({ actor: 'mama', action: 'member_add', target: 'anna', outcome: 'ok', detail: { phase: 'start' } });
  const other = audit.record({ actor: 'papa', action: 'login', outcome: 'ok' });
  const done = audit.record({ actor: 'mama', action: 'member_add', target: 'anna', outcome: 'refused', detail: { phase: 'done', code: 'busy' }, startId: start });
  // A change that never finished keeps its start row, listed as such.
  const hanging = audit.record({ actor: 'mama', action: 'hub_restart', target: 'jupyterhub', outcome: 'ok', detail: { phase: 'start' } });
  assert.deepEqual(
    audit.list().map((e) => e.id),
    [hanging, done, other],
  );
  assert.equal(audit.list()[1]!.startId, start);
  assert.deepEqual(
    audit.list({ target: 'anna' }).map((e) => e.id),
    [done],
  );
});

test('migration 7 links the start and outcome rows written before it, pair by pair', async () => {
  const Database = (await import('better-sqlite3')).default;
  const { migrate } = await import('../../lib/store/db');
  const old = new Database(':memory:');
  for (const sql of MIGRATIONS.slice(0, 6)) old.exec(sql);
  old.pragma('user_version = 6');
  const insert = old.prepare('INSERT INTO audit (at, actor, action, target, outcome, detail, error) VALUES (1, ?, ?, ?, ?, ?, ?)');
  const row = (actor: string, action: string, target: string | null, outcome: string, phase: string | null, error: string | null = null) =>
    Number(insert.run(actor, action, target, outcome, phase ? JSON.stringify({ phase }) : null, error).lastInsertRowid);
  const s1 = row('mama', 'member_add', 'anna', 'ok', 'start');
  const s2 = row('papa', 'member_add', 'anna', 'ok', 'start');
  const d1 = row('mama', 'member_add', 'anna', 'refused', 'done', 'invalid_name: That is not a valid user name.');
  const d2 = row('papa', 'member_add', 'anna', 'ok', 'done');
  const s3 = row('mama', 'member_add', 'anna', 'ok', 'start');
  const d3 = row('mama', 'member_add', 'anna', 'ok', 'done');
  const lone = row('mama', 'hub_restart', null, 'ok', 'start');
  const login = row('mama', 'login', null, 'ok', null);
  migrate(old);
  const links = old.prepare('SELECT id, start_id FROM audit ORDER BY id').all() as { id: number; start_id: number | null }[];
  assert.deepEqual(
    links.map((l) => [l.id, l.start_id]),
    [
      [s1, null],
      [s2, null],
      [d1, s1],
      [d2, s2],
      [s3, null],
      [d3, s3],
      [lone, null],
      [login, null],
    ],
  );
  // The old row's English text is kept as it was.
  assert.equal((old.prepare('SELECT error FROM audit WHERE id = ?').get(d1) as { error: string }).error, 'invalid_name: That is not a valid user name.');
  old.close();
});
