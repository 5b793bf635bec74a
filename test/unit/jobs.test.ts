// lib/jobs/ (store, queue, install) with a fake helper: queue of one, ordered events, bounded log,
// cancel, retry as a new linked job, audit rows paired, and start-up marking
// leftover jobs interrupted (lib/store/db.ts interruptLeftoverJobs).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { tempPanel } from './support/temp-panel';
import { setAccountFilesForTests } from '../../lib/accounts/unix-accounts';

const tmp = tempPanel();
setAccountFilesForTests({ passwd: tmp.passwd, group: tmp.group });
tmp.writeGroup(['root:x:0:', 'mama:x:1000:', 'papa:x:1001:', 'anna:x:1002:', 'jupyterhub:x:996:anna,papa', 'jupyterhub_adm:x:995:mama,papa', ''].join('\n'));

import { db, interruptLeftoverJobs, setDatabaseForTests } from '../../lib/store/db';
import { PublicError } from '../../lib/errors/errors';
import { helperError } from '../../lib/helper/client';
import { cancelJob, getJob, jobEvents, retryJob, setInstallRunnerForTests, startInstall, subscribe, type InstallRunner, type JobMessage } from '../../lib/jobs';

after(() => {
  setInstallRunnerForTests(null);
  setDatabaseForTests(null);
  tmp.cleanup();
});

const mama = { username: 'mama', clientAddress: '127.0.0.1' };
/** Matches the one error class with this code (lib/errors/error-table.ts). */
const code = (c: string) => (e: unknown) => e instanceof PublicError && e.code === c;

function waitEnd(id: string): Promise<JobMessage & { type: 'end' }> {
  return new Promise((resolve) => {
    const job = getJob(id);
    if (job && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(job.state)) return resolve({ type: 'end', job });
    const off = subscribe(id, (m) => {
      if (m.type === 'end') {
        off();
        resolve(m);
      }
    });
  });
}

function auditRows(jobId: string) {
  return (db().prepare(`SELECT outcome, detail, error FROM audit WHERE action = 'packages_install' ORDER BY id`).all() as Array<{ outcome: string; detail: string; error: string | null }>)
    .map((r) => ({ ...r, d: JSON.parse(r.detail) as Record<string, unknown> }))
    .filter((r) => r.d.jobId === jobId);
}

test('an install runs, its events are kept in order, versions and audit rows recorded', async () => {
  const runner: InstallRunner = async (user, actor, { onProgress }) => {
    assert.equal(user, 'anna');
    assert.equal(actor, 'mama');
    // The helper passes pip's lines on as they are; the panel reads the phases from them.
    onProgress({ log: 'Collecting a' });
    onProgress({ log: '  Downloading https://pypi.example/a-1.0-py3-none-any.whl (1.0 kB)' });
    for (let i = 0; i < 80; i++) onProgress({ log: `line ${i}` });
    onProgress({ log: 'Installing collected packages: a' });
    onProgress({ log: 'Successfully installed a-1.0' });
    return { ok: true, changed: true, installed: { a: '1.0' }, skipped: [] };
  };
  setInstallRunnerForTests(runner);
  const { job } = startInstall(mama, 'anna');
  assert.equal(job.state, 'queued');
  const end = await waitEnd(job.id);
  assert.equal(end.job.state, 'succeeded');
  assert.deepEqual(end.job.installed, { a: '1.0' });
  assert.equal(end.job.summary.percent, 100);
  assert.equal(end.job.logTail.length, 50);
  assert.equal(end.job.logTail.at(-1), 'Successfully installed a-1.0');
  assert.deepEqual(
    jobEvents(job.id).map((e) => `${e.seq}:${e.phase}`),
    ['1:collecting', '2:downloading', '3:installing', '4:done'],
  );
  assert.equal(jobEvents(job.id)[1]!.bytes, 1000);
  const rows = auditRows(job.id);
  assert.deepEqual(
    rows.map((r) => [r.outcome, r.d.phase]),
    [
      ['ok', 'start'],
      ['ok', 'done'],
    ],
  );
});

test('one install at a time: the second waits; cancel of a queued job ends it at once', async () => {
  let release!: () => void;
  const started: string[] = [];
  setInstallRunnerForTests(async (user, _a, { cancel }) => {
    started.push(user);
    await new Promise<void>((resolve, reject) => {
      release = resolve;
      cancel.addEventListener('abort', () => reject(helperError('system_error', 'cancelled: cancelled by the caller')));
    });
    return { ok: true, installed: {}, skipped: [] };
  });
  const first = startInstall(mama, 'anna').job;
  const second = startInstall(mama, 'papa').job;
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(started, ['anna']);
  assert.equal(getJob(second.id)!.state, 'queued');
  assert.equal(startInstall(mama, 'anna').existing, true, 'a running install is not started twice');
  assert.equal(cancelJob(mama, second.id).state, 'cancelled');
  // cancel the running one: the runner sees the abort
  cancelJob(mama, first.id);
  const end = await waitEnd(first.id);
  assert.equal(end.job.state, 'cancelled');
  assert.match(end.job.error ?? '', /cancelled/);
  assert.throws(() => cancelJob(mama, first.id), code('conflict'));
  void release;
  // retry: a new job linked to the old one
  setInstallRunnerForTests(async () => ({ ok: true, installed: { a: '2' }, skipped: [] }));
  const again = retryJob(mama, first.id);
  assert.notEqual(again.id, first.id);
  assert.equal(again.retryOf, first.id);
  assert.equal((await waitEnd(again.id)).job.state, 'succeeded');
  assert.equal(getJob(first.id)!.state, 'cancelled', 'the old run stays as it ended');
});

test('a failing install keeps the error and the log; refusals by the panel are audited', async () => {
  setInstallRunnerForTests(async (_u, _a, { onProgress }) => {
    onProgress({ log: 'ERROR: No matching distribution found for nothing' });
    throw helperError('system_error', 'pip install as anna exited 1: ERROR: No matching distribution found for nothing');
  });
  const { job } = startInstall(mama, 'anna');
  const end = await waitEnd(job.id);
  assert.equal(end.job.state, 'failed');
  assert.deepEqual(end.job.logTail, ['ERROR: No matching distribution found for nothing']);
  assert.equal(auditRows(job.id).at(-1)!.outcome, 'failed');
  assert.throws(() => startInstall(mama, 'mama'), code('protected_account'), 'a parent who is not a member');
  assert.throws(() => startInstall(mama, '-G'), code('invalid_name'));
  assert.throws(() => startInstall(mama, 'nobody'), code('no_such_user'));
});

test('at start-up a job left queued or running is marked interrupted, with its audit end row', () => {
  const now = Date.now();
  db().prepare(`INSERT INTO jobs (id, kind, target, actor, state, created_at, updated_at) VALUES ('leftover-1', 'packages_install', 'anna', 'mama', 'running', ?, ?)`).run(now, now);
  assert.equal(interruptLeftoverJobs(db()), 1);
  const job = getJob('leftover-1')!;
  assert.equal(job.state, 'interrupted');
  const rows = auditRows('leftover-1');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.outcome, 'failed');
  assert.equal(rows[0]!.d.state, 'interrupted');
  assert.equal(interruptLeftoverJobs(db()), 0);
});

test('"Install updates now" with the automatic updates not set to security or all: refused, audited, nothing queued', async () => {
  const { startUpgrade } = await import('../../lib/jobs');
  const before = (db().prepare(`SELECT count(*) AS n FROM jobs WHERE kind = 'system_upgrade'`).get() as { n: number }).n;
  // This machine's drop-in (none, or not ours) reads as no mode.
  assert.throws(() => startUpgrade(mama), code('conflict'));
  assert.equal((db().prepare(`SELECT count(*) AS n FROM jobs WHERE kind = 'system_upgrade'`).get() as { n: number }).n, before);
  const row = db().prepare(`SELECT target, outcome FROM audit WHERE action = 'system_upgrade' ORDER BY id DESC LIMIT 1`).get() as { target: string; outcome: string };
  assert.deepEqual({ ...row }, { target: 'system', outcome: 'refused' });
});
