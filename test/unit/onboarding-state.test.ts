// lib/family/onboarding-state.ts and its migration (lib/store/db.ts, 5): the panel keeps
// which accounts it made for onboarding in a table, filled once from the audit
// log on upgrade as the panel used to read it.
// Run with --conditions=react-server so `import 'server-only'` is a no-op.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { tempPanel } from './support/temp-panel';
import { MIGRATIONS, openDatabase, setDatabaseForTests } from '../../lib/store/db';
import { markCreated, markFinished, onboardingOf } from '../../lib/family/onboarding-state';

const tmp = tempPanel();
after(() => {
  setDatabaseForTests(null);
  tmp.cleanup();
});

test('onboarding state: made, unfinished, finished; made again starts over', () => {
  setDatabaseForTests(openDatabase(path.join(tmp.dir, 'state.db')));
  assert.equal(onboardingOf('mia'), null);
  markCreated('mia', 1000);
  assert.deepEqual(onboardingOf('mia'), { createdAt: 1000, finishedAt: null });
  markFinished('mia', 2000);
  assert.deepEqual(onboardingOf('mia'), { createdAt: 1000, finishedAt: 2000 });
  markCreated('mia', 3000);
  assert.deepEqual(onboardingOf('mia'), { createdAt: 3000, finishedAt: null });
  markFinished('nobody', 4000);
  assert.equal(onboardingOf('nobody'), null, 'finishing an account the panel did not make records nothing');
});

test('upgrade: the table is filled from the audit log as the panel read it before', () => {
  const file = path.join(tmp.dir, 'upgrade.db');
  // The schema before the onboarding table (migration 5), with an audit log of that time;
  // built from the first four migrations, so later migrations still run on the upgrade.
  const before = new Database(file);
  for (const sql of MIGRATIONS.slice(0, 4)) before.exec(sql);
  before.pragma('user_version = 4');
  const row = before.prepare('INSERT INTO audit (at, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)');
  const rows: [number, string, string, string, string][] = [
    // lena: made and onboarded
    [10, 'user_create', 'lena', 'ok', '{"phase":"start"}'],
    [11, 'user_create', 'lena', 'ok', '{"phase":"done","changed":true}'],
    [12, 'onboard', 'lena', 'ok', '{"resumed":false}'],
    // mia: made, the add step failed
    [20, 'user_create', 'mia', 'ok', '{"phase":"done","changed":true}'],
    [21, 'onboard', 'mia', 'failed', '{"step":"add"}'],
    // kim: the panel refused to make it; only a start row for ben; bad JSON for tom
    [30, 'user_create', 'kim', 'refused', '{"phase":"done","code":"conflict"}'],
    [40, 'user_create', 'ben', 'ok', '{"phase":"start"}'],
    [50, 'user_create', 'tom', 'failed', 'not json'],
  ];
  for (const [at, action, target, outcome, detail] of rows) row.run(at, 'mama', action, target, outcome, detail);
  before.close();

  const upgraded = openDatabase(file);
  setDatabaseForTests(upgraded);
  assert.equal(upgraded.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.deepEqual(onboardingOf('lena'), { createdAt: 11, finishedAt: 12 });
  assert.deepEqual(onboardingOf('mia'), { createdAt: 20, finishedAt: null });
  assert.equal(onboardingOf('kim'), null);
  assert.equal(onboardingOf('ben'), null);
  assert.deepEqual(onboardingOf('tom'), { createdAt: 50, finishedAt: null });
});
