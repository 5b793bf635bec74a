// Package install ahead of the first spawn against the production panel
// and the real helper (pkexec + polkitd), inside the sandbox. SECURITY-CASES.md 27
// (the panel killed in the middle: interrupted after restart, retry succeeds, no
// audit row lost) and 29 (pip failing: failed with pip's last lines, the member
// stays added).
//
// Setup (test/sandbox/run.sh): parents mama/papa; kids anna, ben (jupyterhub);
// kim (no member); sudoer (sudo). No PyPI: the test builds a wheelhouse under
// /var/lib (throwaway overlay), serves it from a slow loopback "mirror", and
// writes the root-owned /etc/jupyterhub-panel/packages.json. pip really runs as
// the kid. Kids' ~/.local and packages.json are removed again at the end.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/packages.test.ts
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { helperAs } from '../sandbox/helper-call';
import { readJobEvents } from '../sandbox/job-events';
import { sandboxEnv } from '../sandbox/fixtures';
import { PanelClient } from '../sandbox/http';
import { panelPid, restartPanel } from '../sandbox/panel-control';
import { DEMO, demoFiles, makeWheelhouse, removePackagesConfig, removeUserPackages, startSlowMirror, WHEELHOUSE, writePackagesConfig, type SlowMirror } from './support/wheelhouse';

const env = sandboxEnv();
const HELPER = '/usr/libexec/jupyterhub-panel/helper';
let mama: PanelClient;
let mirror: SlowMirror;

async function startInstall(user: string): Promise<string> {
  const r = await mama.call('POST', `/api/members/${user}/install`, {});
  assert.equal(r.status, 202, r.body);
  assert.match(r.json.jobId, /^[A-Za-z0-9_-]{8,64}$/);
  return r.json.jobId as string;
}

async function job(id: string): Promise<any> {
  const r = await mama.call('GET', `/api/jobs/${id}`);
  assert.equal(r.status, 200, r.body);
  return r.json.job;
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function auditFor(jobIds: string[]): Array<{ outcome: string; d: any; error: string | null }> {
  const db = new Database(env.db, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT outcome, detail, error FROM audit WHERE action = 'packages_install' ORDER BY id`).all() as any[])
      .map((r) => ({ ...r, d: JSON.parse(r.detail ?? '{}') }))
      .filter((r) => jobIds.includes(r.d.jobId));
  } finally {
    db.close();
  }
}

function groupMembers(): string[] {
  return (execFileSync('getent', ['group', 'jupyterhub'], { encoding: 'utf8' }).trim().split(':')[3] ?? '').split(',');
}

function pipProcessesOf(user: string): string[] {
  const r = spawnSync('pgrep', ['-u', user, '-a', '-f', 'pip install'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

before(async () => {
  makeWheelhouse(4_000_000);
  mirror = await startSlowMirror(WHEELHOUSE, 2_000_000);
  mama = new PanelClient();
  assert.equal((await mama.login('mama', 'mama-pass-1')).status, 200);
});

after(async () => {
  await mirror?.close();
  removePackagesConfig();
  for (const u of ['anna', 'ben']) removeUserPackages(u);
});

test("the helper refuses a non-member and a protected account (the panel account over the helper's socket)", () => {
  const run = (user: string) => helperAs('jupyterhub-panel', ['install-packages', user, '--actor', 'mama']);
  const kim = run('kim');
  assert.equal(kim.status, 5, kim.stdout + kim.stderr);
  assert.match(kim.stdout, /"error":"protected_account".*not a member of jupyterhub/);
  const sudoer = run('sudoer');
  assert.equal(sudoer.status, 5, sudoer.stdout);
  assert.match(sudoer.stdout, /member of the group sudo/);
  const nobody = run('nosuchkid');
  assert.equal(nobody.status, 4, nobody.stdout);
  const bad = run('-G');
  assert.equal(bad.status, 3, bad.stdout);
  assert.equal(demoFiles('kim').length, 0);
});

test('the panel refuses to start an install for a non-member (403, audited), without a job', async () => {
  const r = await mama.call('POST', '/api/members/kim/install', {});
  assert.equal(r.status, 403, r.body);
  const x = await mama.call('POST', '/api/members/kim/install', {}, { origin: 'https://evil.example' });
  assert.equal(x.status, 403);
});

test('a real pip install runs as the kid: events in order over SSE, files owned by the kid, versions, audit', async () => {
  writePackagesConfig({ packages: [DEMO.lab], noIndex: true, findLinks: [mirror.url], pipRetries: 0 });
  removeUserPackages('anna');
  const id = await startInstall('anna');
  const events = await readJobEvents(mama, id);
  const progress = events.filter((e) => e.event === 'progress').map((e) => e.data);
  const seqs = progress.map((p) => p.seq);
  assert.deepEqual(
    seqs,
    [...seqs].sort((a, b) => a - b),
    'in order',
  );
  const phases = progress.map((p) => `${p.phase}:${p.package}`);
  const at = (s: string) => phases.indexOf(s);
  assert.ok(at(`collecting:${DEMO.lab}`) >= 0, phases.join(' '));
  assert.ok(at(`downloading:${DEMO.core}`) > at(`collecting:${DEMO.lab}`), phases.join(' '));
  assert.ok(progress.find((p) => p.phase === 'downloading' && p.package === DEMO.core).bytes > 3_000_000);
  assert.ok(at(`installing:${DEMO.core}`) > at(`downloading:${DEMO.core}`));
  assert.ok(at(`done:${DEMO.lab}`) > at(`installing:${DEMO.lab}`));
  assert.ok(events.some((e) => e.event === 'log' && /Successfully installed/.test(e.data.line)));
  const end = events.at(-1)!;
  assert.equal(end.event, 'end');
  assert.equal(end.data.job.state, 'succeeded');
  assert.deepEqual(end.data.job.installed, { [DEMO.lab]: '2.1' });

  const files = demoFiles('anna');
  assert.ok(
    files.some((f) => f.endsWith('/.local/bin/jh4f-demo-lab')),
    files.join('\n'),
  );
  const annaUid = Number(execFileSync('id', ['-u', 'anna'], { encoding: 'utf8' }));
  for (const f of files) assert.equal(fs.statSync(f).uid, annaUid, `${f} is owned by anna`);

  // A reload replays the same events (a fresh stream of a finished job).
  const replay = await readJobEvents(mama, id);
  assert.deepEqual(
    replay.filter((e) => e.event === 'progress').map((e) => e.data.seq),
    seqs,
  );

  const rows = auditFor([id]);
  assert.deepEqual(
    rows.map((r) => [r.outcome, r.d.phase]),
    [
      ['ok', 'start'],
      ['ok', 'done'],
    ],
  );

  // Again: everything is there, nothing to do.
  const again = await startInstall('anna');
  const e2 = await readJobEvents(mama, again);
  assert.equal(e2.at(-1)!.data.job.state, 'succeeded');
  assert.ok(e2.some((e) => e.event === 'progress' && e.data.alreadyInstalled === true));

  const list = await mama.call('GET', '/api/members');
  assert.equal(list.status, 200);
});

test("case 29: a missing package and an unreachable index fail with pip's last lines; the member stays added", async () => {
  writePackagesConfig({ packages: ['jh4f-no-such-package'], noIndex: true, findLinks: [WHEELHOUSE] });
  const id = await startInstall('ben');
  const end = (await readJobEvents(mama, id)).at(-1)!;
  assert.equal(end.data.job.state, 'failed');
  assert.ok(
    end.data.job.logTail.some((l: string) => /No matching distribution found for jh4f-no-such-package/.test(l)),
    end.data.job.logTail.join('\n'),
  );
  assert.match(end.data.job.error, /system_error/);

  writePackagesConfig({ packages: [DEMO.lab], indexUrl: 'http://127.0.0.1:9/simple', pipRetries: 0, pipTimeoutSeconds: 3 });
  const id2 = await startInstall('ben');
  const end2 = (await readJobEvents(mama, id2)).at(-1)!;
  assert.equal(end2.data.job.state, 'failed');
  assert.ok(end2.data.job.logTail.length > 0 && end2.data.job.logTail.length <= 50);
  assert.ok(
    end2.data.job.logTail.some((l: string) => /ERROR|Connection refused|NewConnectionError/.test(l)),
    end2.data.job.logTail.join('\n'),
  );

  assert.ok(groupMembers().includes('ben'), 'ben is still a member');
  assert.equal(demoFiles('ben').length, 0);
  const rows = auditFor([id, id2]);
  assert.deepEqual(
    rows.map((r) => r.outcome),
    ['ok', 'failed', 'ok', 'failed'],
  );
  assert.ok(rows[1]!.error);
});

test('case 27: the panel killed in the middle leaves the job interrupted; pip stops; retry succeeds; no audit row lost', async () => {
  removeUserPackages('ben');
  writePackagesConfig({ packages: [DEMO.lab], noIndex: true, findLinks: [mirror.url], pipRetries: 0 });
  mirror.setRate(150_000); // ~27 s for the 4 MB wheel: slow enough to kill the panel mid-download
  const id = await startInstall('ben');
  await waitFor('the download to start', async () => (await job(id)).summary.packages[DEMO.core] === 'downloading');
  assert.ok(pipProcessesOf('ben').length > 0, 'pip runs as ben');

  const pid = panelPid();
  process.kill(pid, 'SIGKILL');
  // The helper notices its caller is gone (its stdin pipe closes, its parent changes) and stops pip.
  await waitFor('pip to stop', async () => pipProcessesOf('ben').length === 0, 20_000);
  mirror.setRate(10_000_000);
  await restartPanel();
  assert.notEqual(panelPid(), pid);
  assert.equal((await mama.login('mama', 'mama-pass-1')).status, 200);

  const interrupted = await job(id);
  assert.equal(interrupted.state, 'interrupted');
  const retry = await mama.call('POST', `/api/jobs/${id}/retry`, {});
  assert.equal(retry.status, 202, retry.body);
  const newId = retry.json.jobId as string;
  assert.equal(retry.json.job.retryOf, id);
  const end = (await readJobEvents(mama, newId)).at(-1)!;
  assert.equal(end.data.job.state, 'succeeded', JSON.stringify(end.data.job));
  assert.ok(demoFiles('ben').some((f) => f.endsWith('/.local/bin/jh4f-demo-lab')));

  const rows = auditFor([id, newId]);
  assert.deepEqual(
    rows.map((r) => [r.d.jobId === id ? 'old' : 'new', r.outcome, r.d.phase, r.d.state ?? null]),
    [
      ['old', 'ok', 'start', null],
      ['old', 'failed', 'done', 'interrupted'],
      ['new', 'ok', 'start', null],
      ['new', 'ok', 'done', 'succeeded'],
    ],
  );
});

test('cancel: a running install is stopped through the closed pipe, the job ends cancelled', async () => {
  removeUserPackages('ben');
  mirror.setRate(150_000);
  const id = await startInstall('ben');
  await waitFor('the download to start', async () => (await job(id)).summary.packages[DEMO.core] === 'downloading');
  const c = await mama.call('POST', `/api/jobs/${id}/cancel`, {});
  assert.equal(c.status, 200, c.body);
  const end = (await readJobEvents(mama, id, 30_000)).at(-1)!;
  assert.equal(end.data.job.state, 'cancelled');
  await waitFor('pip to stop', async () => pipProcessesOf('ben').length === 0, 15_000);
  assert.equal((await mama.call('POST', `/api/jobs/${id}/cancel`, {})).status, 409);
  mirror.setRate(10_000_000);
});

// ---- security review: what the kid's own Python code can do to the helper ----------
// pip runs the kid's site-packages (.pth files are executed at start-up), so the
// kid controls code inside every pip the helper starts.

/** The kid's user site-packages directory, made if missing (owned by the kid). */
function userSite(user: string): string {
  const dir = execFileSync('runuser', ['-u', user, '--', 'python3', '-c', 'import site; print(site.getusersitepackages())'], { encoding: 'utf8' }).trim();
  assert.match(dir, new RegExp(`^/home/${user}/\\.local/lib/python3[.0-9]*/site-packages$`));
  execFileSync('runuser', ['-u', user, '--', 'mkdir', '-p', '--', dir]);
  return dir;
}

function plantPth(user: string, name: string, python: string): string {
  const file = `${userSite(user)}/${name}`;
  // A .pth line starting with "import" is executed; exec() lets it hold a block.
  fs.writeFileSync(file, `import os; exec(${JSON.stringify(python)})\n`);
  execFileSync('chown', [`${user}:${user}`, '--', file]);
  return file;
}

const FAST_FAIL_CONFIG = { packages: ['jh4f-no-such-package'], noIndex: true, findLinks: [WHEELHOUSE] };

test("a kid's Python started by the helper gets no controlling terminal (no TIOCSTI into an admin's shell)", () => {
  const probeFile = '/home/anna/tty-probe';
  fs.rmSync(probeFile, { force: true });
  const pth = plantPth(
    'anna',
    'zz-jh4f-tty-probe.pth',
    ['try:', "    fd = os.open('/dev/tty', os.O_RDWR); os.close(fd); r = 'TTY'", 'except OSError:', "    r = 'NOTTY'", "open(os.path.expanduser('~/tty-probe'), 'a').write(r + '\\n')"].join(
      '\n',
    ),
  );
  writePackagesConfig(FAST_FAIL_CONFIG);
  try {
    // A person at a terminal (root here; through pkexec it is the same terminal).
    const r = spawnSync('script', ['-qec', `${HELPER} install-packages anna`, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
    assert.ok(r.stdout.includes('"ok":'), r.stdout + r.stderr);
    const seen = fs.readFileSync(probeFile, 'utf8').trim().split('\n');
    assert.ok(seen.length >= 1, 'the probe did not run');
    assert.deepEqual([...new Set(seen)], ['NOTTY'], `pip runs as the kid with the caller's terminal: ${seen.join(',')}`);
  } finally {
    fs.rmSync(pth, { force: true });
    fs.rmSync(probeFile, { force: true });
  }
});

test("a process the kid leaves running with pip's output open does not keep the helper (and the install queue) waiting", () => {
  const pidFile = '/home/ben/escaped.pid';
  fs.rmSync(pidFile, { force: true });
  // Only in `pip install`: double fork, new session (out of pip's process group),
  // then sleep with stdout/stderr (the helper's pipes) still open.
  const pth = plantPth(
    'ben',
    'zz-jh4f-escape.pth',
    [
      "if b'install' in open('/proc/self/cmdline', 'rb').read().split(b'\\0'):",
      '    if os.fork() == 0:',
      '        os.setsid()',
      '        if os.fork() == 0:',
      "            open(os.path.expanduser('~/escaped.pid'), 'w').write(str(os.getpid()))",
      "            os.execv('/bin/sleep', ['sleep', '600'])",
      '        os._exit(0)',
      '    os.wait()',
    ].join('\n'),
  );
  writePackagesConfig(FAST_FAIL_CONFIG);
  try {
    const started = Date.now();
    const r = spawnSync(HELPER, ['install-packages', 'ben'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });
    assert.notEqual(r.error?.message.includes('ETIMEDOUT'), true, `the helper did not end: ${r.stdout}`);
    assert.ok(fs.existsSync(pidFile), 'the escaping process was not started (probe broken)');
    assert.equal(r.status, 8, r.stdout + r.stderr);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(last.ok, false);
    assert.ok(
      last.tail.some((l: string) => /No matching distribution found for jh4f-no-such-package/.test(l)),
      r.stdout,
    );
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
  } finally {
    fs.rmSync(pth, { force: true });
    const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : 0);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(pidFile, { force: true });
  }
});

// ---- SECURITY-CASES 34: the kid's code must not hold the one install slot --
// pip (list and install) starts the kid's Python, so the kid's .pth runs in every step.
// The probes below record the pid of every process they start (one per line), so
// the test can check that the job's end also ended them.

/** A .pth body that runs `body` in a pip run whose argv has WORD (with secondTime: only from the second such run on). */
function onlyIn(word: string, body: string[], opts: { secondTime?: boolean } = {}): string {
  const lines = [
    `if b'${word}' in open('/proc/self/cmdline', 'rb').read().split(b'\\0'):`,
    ...(opts.secondTime
      ? ["    seen = os.path.expanduser('~/.jh4f-seen')", '    if not os.path.exists(seen):', "        open(seen, 'w').close()", '    else:', ...body.map((l) => `        ${l}`)]
      : body.map((l) => `    ${l}`)),
  ];
  return lines.join('\n');
}

const RECORD = "open(os.path.expanduser('~/.jh4f-pids'), 'a').write(str(os.getpid()) + '\\n')";
/** Starts a daemon in a new session that keeps stdout/stderr (the helper's pipes) open, then goes on. */
const ESCAPING_DAEMON = [
  'if os.fork() == 0:',
  '    os.setsid()',
  '    if os.fork() == 0:',
  `        ${RECORD}`,
  "        os.execv('/bin/sleep', ['sleep', '600'])",
  '    os._exit(0)',
  'os.wait()',
];
/** Hangs right here (this is pip's own process), recorded, deaf to SIGTERM (SIG_IGN survives the exec). */
const HANG = [RECORD, 'import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)', "os.execv('/bin/sleep', ['sleep', '600'])"];

function recordedPids(user: string): number[] {
  const file = `/home/${user}/.jh4f-pids`;
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** The user's live processes (zombies waiting for the sandbox's init to reap them are gone already). */
function processesOf(user: string): string[] {
  const r = spawnSync('ps', ['-u', user, '-o', 'pid=,stat=,args='], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^\d+\s+Z/.test(l));
}

/** Plants the .pth for ben, runs fn, and always cleans up (and kills what is left, by pid). */
async function withBenProbe(python: string, fn: () => Promise<void> | void): Promise<void> {
  removeUserPackages('ben');
  for (const f of ['.jh4f-pids', '.jh4f-seen']) fs.rmSync(`/home/ben/${f}`, { force: true });
  assert.deepEqual(processesOf('ben'), [], 'ben runs nothing before the test');
  const pth = plantPth('ben', 'zz-jh4f-case34.pth', python);
  try {
    await fn();
  } finally {
    fs.rmSync(pth, { force: true });
    for (const pid of recordedPids('ben')) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone, as it should be */
      }
    }
    for (const f of ['.jh4f-pids', '.jh4f-seen']) fs.rmSync(`/home/ben/${f}`, { force: true });
  }
}

function assertJobProcessesGone(user: string): void {
  const pids = recordedPids(user);
  assert.ok(pids.length > 0, 'the probe started nothing (probe broken)');
  assert.deepEqual(pids.filter(alive), [], `processes the job started are still running: ${processesOf(user).join('; ')}`);
  assert.deepEqual(processesOf(user), [], `${user} still runs something after the job`);
}

const LOCAL_CONFIG = { packages: [DEMO.lab], noIndex: true, findLinks: [WHEELHOUSE] };

test('case 34: a daemon the kid starts in every pip step holds no step up and is ended with the job', async () => {
  writePackagesConfig(LOCAL_CONFIG);
  await withBenProbe(['try:', ...ESCAPING_DAEMON.map((l) => `    ${l}`), 'except Exception:', '    pass'].join('\n'), () => {
    // pip list, pip install, pip list: each Python start leaves a daemon holding the pipes.
    const r = spawnSync(HELPER, ['install-packages', 'ben'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 100_000 });
    assert.notEqual(r.error?.message.includes('ETIMEDOUT'), true, `the helper did not end: ${r.stdout}`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(last.ok, true, r.stdout);
    assert.deepEqual(last.installed, { [DEMO.lab]: '2.1' });
    assert.ok(recordedPids('ben').length >= 3, `one daemon per pip run: ${recordedPids('ben').join(',')}`);
    assertJobProcessesGone('ben');
  });
});

/** Starts an install for ben through the panel, waits until the probe hangs, cancels, and checks the job and the processes. */
async function cancelWhileHanging(expectInstalled: boolean): Promise<void> {
  const id = await startInstall('ben');
  await waitFor("the kid's code to hang in the job", async () => recordedPids('ben').length >= 2 && (await job(id)).state === 'running');
  const c = await mama.call('POST', `/api/jobs/${id}/cancel`, {});
  assert.equal(c.status, 200, c.body);
  // A cancel takes effect within seconds: the SSE stream ends well before any of the helper's own time limits (2 and 30 min).
  const end = (await readJobEvents(mama, id, 30_000)).at(-1)!;
  assert.equal(end.event, 'end');
  assert.equal(end.data.job.state, 'cancelled', JSON.stringify(end.data.job));
  assertJobProcessesGone('ben');
  assert.equal(
    demoFiles('ben').some((f) => f.endsWith('/.local/bin/jh4f-demo-lab')),
    expectInstalled,
  );
}

/** The one install slot is free again: another kid's install runs to the end. */
async function slotIsFree(): Promise<void> {
  removeUserPackages('anna');
  const id = await startInstall('anna');
  const end = (await readJobEvents(mama, id, 60_000)).at(-1)!;
  assert.equal(end.data.job.state, 'succeeded', JSON.stringify(end.data.job));
}

test("case 34: cancel while the kid's code hangs in the first pip list: cancelled within seconds, everything it started ended, the slot free", async () => {
  writePackagesConfig(LOCAL_CONFIG);
  await withBenProbe(onlyIn('list', [...ESCAPING_DAEMON, ...HANG]), async () => {
    await cancelWhileHanging(false);
    await slotIsFree();
  });
});

test("case 34: cancel while the kid's code hangs in pip install (with a daemon holding the pipes): cancelled, all ended, the slot free", async () => {
  writePackagesConfig(LOCAL_CONFIG);
  await withBenProbe(onlyIn('install', [...ESCAPING_DAEMON, ...HANG]), async () => {
    await cancelWhileHanging(false);
    await slotIsFree();
  });
});

test("case 34: cancel while the kid's code hangs in the pip list after the install: cancelled, all ended", async () => {
  writePackagesConfig(LOCAL_CONFIG);
  await withBenProbe(onlyIn('list', [...ESCAPING_DAEMON, ...HANG], { secondTime: true }), async () => {
    await cancelWhileHanging(true);
    await slotIsFree();
  });
});
