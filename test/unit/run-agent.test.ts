// privileged-helper/root/run.ts runAgent, with a stand-in program in place of the agent,
// run with this test's own uid and gid (spawning with one's own ids needs no root).
// What root must hold to: the agent's stdout reaches the caller byte for byte; root
// learns how it ended (exit code, signal, time limit, cancel) and keeps only the end
// of its stderr, for the message; a child that leaves a pipe open is not waited on.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lastWords, runAgent, type AgentAccount } from '../../privileged-helper/root/run';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-run-agent-'));
fs.chmodSync(dir, 0o755);
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const self: AgentAccount = { name: os.userInfo().username, uid: process.getuid!(), gid: process.getgid!(), home: dir };

function standIn(name: string, js: string): string {
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(file, js, { mode: 0o644 });
  return file;
}

async function run(js: string, opts: { timeoutMs?: number; input?: string; cancel?: AbortSignal } = {}) {
  const out: Buffer[] = [];
  const end = await runAgent(
    ['some-command', 'arg'],
    { as: self, timeoutMs: opts.timeoutMs ?? 10_000, input: opts.input, cancel: opts.cancel, output: (c) => out.push(c) },
    standIn(`a${Math.random().toString(36).slice(2)}`, js),
  );
  return { end, out: Buffer.concat(out).toString('utf8') };
}

test('stdout goes to the caller as it is; the exit code and the last stderr line come back', async () => {
  const { end, out } = await run(`
    process.stdout.write('{"progress":1}\\n' + process.argv.slice(2).join(' ') + '\\nno line end');
    process.stderr.write('first\\nTypeError: boom\\n');
    process.exitCode = 7;`);
  assert.equal(out, '{"progress":1}\nsome-command arg\nno line end');
  assert.deepEqual(end, { exitCode: 7, said: 'TypeError: boom' });
});

test('a stderr flood is cut to its end: only the tail is kept', async () => {
  const { end } = await run(`
    process.stderr.write('x'.repeat(8 * 1024 * 1024) + '\\nthe end\\n', () => process.exit(3));`);
  assert.deepEqual(end, { exitCode: 3, said: 'the end' });
});

test('the input reaches its stdin, which then ends', async () => {
  const { end, out } = await run(
    `
    let s = '';
    process.stdin.on('data', (c) => (s += c)).on('end', () => { process.stdout.write('got ' + s); process.exitCode = 0; });`,
    { input: 'token\n' },
  );
  assert.equal(out, 'got token\n');
  assert.equal(end.exitCode, 0);
});

test('past its time it is killed, with the reason', async () => {
  // The limit runs from the spawn, and the stand-in must have started and written its
  // line before it: Node's start alone took over 0.5 s on a loaded 2-core machine, so
  // the limit leaves it seconds, not a fraction of one.
  const { end } = await run(`setInterval(() => {}, 1000); process.stderr.write('waiting\\n');`, { timeoutMs: 4000 });
  assert.equal(end.exitCode, null);
  assert.match(end.exitCode === null ? end.why : '', /did not finish within 4 s/);
  assert.equal(end.said, 'waiting');
});

test('a cancel ends its stdin; an agent that ends then answers with its own exit code', async () => {
  const cancel = new AbortController();
  setTimeout(() => cancel.abort(), 200);
  const { end, out } = await run(
    `
    process.stdout.write('started\\n');
    process.stdin.resume();
    process.stdin.on('end', () => { process.stdout.write('cancelled\\n'); process.exit(6); });`,
    { cancel: cancel.signal },
  );
  assert.equal(out, 'started\ncancelled\n');
  assert.deepEqual(end, { exitCode: 6, said: '' });
});

test('a grandchild that keeps the pipes open is not waited on', async () => {
  const started = Date.now();
  const { end, out } = await run(`
    const { spawn } = require('node:child_process');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'inherit' });
    child.unref();
    process.stdout.write(String(child.pid), () => process.exit(0));`);
  const grandchild = Number(out);
  assert.ok(grandchild > 0, out);
  try {
    assert.equal(end.exitCode, 0);
    assert.ok(Date.now() - started < 30_000, 'runAgent returned while the grandchild still held its pipes');
    assert.doesNotThrow(() => process.kill(grandchild, 0), 'the grandchild was still running when runAgent returned');
  } finally {
    process.kill(grandchild, 'SIGKILL');
  }
});

test('an agent node cannot load: its exit code and the error line', async () => {
  const end = await runAgent([], { as: self, timeoutMs: 5000 }, path.join(dir, 'no-such-agent.js'));
  // node itself starts and fails to find the file: exit code 1 and its message.
  assert.equal(end.exitCode, 1);
  assert.match(end.said, /^Error: Cannot find module/);
});

test('a crash report is named by its error line, not by a stack frame, an object dump or the version line', () => {
  const report = '/x/agent.js:3\n  boom();\n  ^\n\nTypeError: boom is not a function\n    at Object.<anonymous> (/x/agent.js:3:3)\n    at node:internal/main:1:1\n\nNode.js v20.20.2\n';
  assert.equal(lastWords(report), 'TypeError: boom is not a function');
  assert.equal(lastWords("Error: Cannot find module '/x'\n  code: 'MODULE_NOT_FOUND'\n}\n\nNode.js v20.20.2\n"), "Error: Cannot find module '/x'");
  assert.equal(lastWords('no such thing\n'), 'no such thing');
  assert.equal(lastWords(''), '');
});
