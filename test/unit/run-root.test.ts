// privileged-helper/root/run.ts runTool and runRootJob: how root runs its own
// tools without blocking the helper's one-process service. Shell stand-ins
// (/bin/sh -c) take the place of root's tools here; the helper itself never
// runs a shell. What root must hold to: runTool keeps spawnSync's answer
// (status, signal, output, timedOut; system_error when it cannot start or the
// output is too big); runRootJob passes lines on as they come, and a cancel or
// its time limit ends its whole process group, grandchildren too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { closeSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runRootJob, runTool } from '../../privileged-helper/root/run';
import { bundleLines, ROOT_ENTRY } from '../../bench/root-lines';

const SH = '/bin/sh';
const isSystemError = (e: unknown) => (e as { code?: string }).code === 'system_error';

/** Whether pid still runs (a zombie, left for a reaper this test does not have, does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('runTool: exit code, both outputs and the input on stdin, like spawnSync', async () => {
  const r = await runTool(SH, ['-c', 'read x; echo "got $x"; echo oops >&2; exit 3'], { input: Buffer.from('pw\n') });
  assert.deepEqual(r, { status: 3, signal: null, stdout: 'got pw\n', stderr: 'oops\n', timedOut: false });
});

test('runTool: without input stdin is closed; the clean environment and cwd /', async () => {
  const r = await runTool(SH, ['-c', 'cat; pwd; env | sort']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '/\nLANG=C\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\nPWD=/\n');
});

test('runTool: the timeout kills the tool (SIGKILL) and says so', async () => {
  const started = Date.now();
  const r = await runTool(SH, ['-c', 'trap "" TERM; echo before; exec sleep 30'], { timeoutMs: 300 });
  assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGKILL');
  assert.equal(r.status, null);
  assert.equal(r.stdout, 'before\n');
});

test('runTool: a tool that cannot start, or writes more than 1 MiB, is a system_error', async () => {
  await assert.rejects(runTool('/nonexistent/tool', []), (e) => isSystemError(e) && /ENOENT/.test((e as Error).message));
  await assert.rejects(runTool(SH, ['-c', 'head -c 2000000 /dev/zero']), isSystemError);
});

test("runTool: passFd is the tool's fd 3", async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-run-root-')), 'f');
  const fd = openSync(file, 'w');
  try {
    const r = await runTool(SH, ['-c', 'echo via-fd3 >&3'], { passFd: fd });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(file, 'utf8'), 'via-fd3\n');
  fs.rmSync(path.dirname(file), { recursive: true });
});

test('runTool does not block: timers run while a tool runs', async () => {
  let ticks = 0;
  const t = setInterval(() => ticks++, 20);
  await runTool(SH, ['-c', 'sleep 0.5']);
  clearInterval(t);
  assert.ok(ticks >= 10, `${ticks} ticks in 0.5 s`);
});

test('runRootJob: each line of stdout and stderr as it comes, long lines cut, the last line without its end', async () => {
  const lines: string[] = [];
  const seenBeforeEnd: number[] = [];
  const job = runRootJob(SH, ['-c', 'echo one; echo two >&2; sleep 0.4; printf "%0300d\\n" 0; printf "last"; exit 4'], {
    timeoutMs: 10_000,
    maxLineBytes: 100,
    onLine: (line, stream) => lines.push(`${stream}:${line}`),
  });
  await new Promise((r) => setTimeout(r, 250));
  seenBeforeEnd.push(lines.length);
  const end = await job;
  assert.equal(seenBeforeEnd[0], 2, 'the first two lines came while the job still ran');
  assert.deepEqual(lines.slice(0, 2).sort(), ['stderr:two', 'stdout:one']);
  assert.deepEqual(lines.slice(2), [`stdout:${'0'.repeat(100)}`, 'stdout:last']);
  assert.deepEqual(end, { end: 'exited', exitCode: 4, signal: null });
});

test('runRootJob: a cancel ends the whole group, a grandchild that ignores SIGTERM too (SIGKILL after the grace)', async () => {
  const pids: number[] = [];
  const cancel = new AbortController();
  // The grandchild ignores TERM (inherited), and is not in the way of the pipes.
  const job = runRootJob(SH, ['-c', 'trap "" TERM; sleep 60 >/dev/null 2>&1 & echo $!; echo $$; wait'], {
    timeoutMs: 60_000,
    graceMs: 500,
    cancel: cancel.signal,
    onLine: (line) => pids.push(Number(line)),
  });
  for (let i = 0; i < 100 && pids.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(pids.length, 2);
  assert.ok(pids.every(running));
  const started = Date.now();
  cancel.abort();
  const end = await job;
  const ms = Date.now() - started;
  assert.equal(end.end, 'cancelled');
  assert.equal(end.signal, 'SIGKILL');
  assert.ok(ms >= 450 && ms < 3000, `answered ${ms} ms after the cancel`);
  for (const pid of pids) assert.ok(!running(pid), `pid ${pid} still runs`);
});

test('runRootJob: a job that ends on SIGTERM is answered at once; a cancel before the start stops it too', async () => {
  const cancel = new AbortController();
  const job = runRootJob(SH, ['-c', 'sleep 60 & wait'], { timeoutMs: 60_000, graceMs: 10_000, cancel: cancel.signal });
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  cancel.abort();
  const end = await job;
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
  assert.deepEqual(end, { end: 'cancelled', exitCode: null, signal: 'SIGTERM' });
  const early = new AbortController();
  early.abort();
  assert.equal((await runRootJob(SH, ['-c', 'sleep 60'], { timeoutMs: 60_000, cancel: early.signal })).end, 'cancelled');
});

test('runRootJob: the time limit ends the group the same way', async () => {
  const pids: number[] = [];
  const started = Date.now();
  const end = await runRootJob(SH, ['-c', 'sleep 60 >/dev/null & echo $!; wait'], { timeoutMs: 400, graceMs: 500, onLine: (l) => pids.push(Number(l)) });
  assert.equal(end.end, 'timed-out');
  assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
  assert.equal(pids.length, 1);
  assert.ok(!running(pids[0]!));
});

test('runRootJob: a program that cannot start is a system_error', async () => {
  await assert.rejects(runRootJob('/nonexistent/tool', [], { timeoutMs: 1000 }), isSystemError);
});

test('root code never waits synchronously: no spawnSync, execFileSync, runToolSync or sleepMs in the root bundle', async () => {
  const files = (await bundleLines(ROOT_ENTRY)).map((f) => f.file).filter((f) => f !== 'privileged-helper/common/process.ts');
  assert.ok(files.includes('privileged-helper/root/run.ts'), files.join(' '));
  for (const f of files) {
    const code = readFileSync(path.join(__dirname, '..', '..', f), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
    assert.doesNotMatch(code, /\b(spawnSync|execFileSync|execSync|runToolSync|sleepMs)\b|Atomics\.wait/, `${f} waits synchronously`);
  }
});
