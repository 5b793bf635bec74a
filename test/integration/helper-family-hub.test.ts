// The root helper's service on a family machine, inside the test sandbox: a
// family-hub restart (root's long job, up to 90 s) holds up no other request.
// The helper is one process for every request over its socket; here it answers
// list-members while `restart-hub --actor mama` is still waiting on the hub.
//
// How the restart is made slow without faking anything: the family hub's
// process is stopped (SIGSTOP), so the real `family-hub restart` sends it
// SIGTERM and waits for it to end (up to 10 s, then SIGKILL). Once the helper's
// list-members answer is in, the hub is let go on (SIGCONT): it takes its
// SIGTERM, ends, and the restart starts a new hub, which the later test files
// of this sandbox use.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/helper-family-hub.test.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { parseHelperOutput } from '../../lib/helper/client';
import { requireSandboxHub } from '../sandbox/fixtures';
import { helperAsAsync } from '../sandbox/helper-call';
import { until } from '../sandbox/wait';

requireSandboxHub('family');

const HUB_PID_FILE = '/run/jupyterhub4family/hub.pid';
const FAMILY_HUB = '/usr/libexec/jupyterhub-panel/family-hub';
const PANEL = 'jupyterhub-panel';

function hubPid(): number {
  return Number(fs.readFileSync(HUB_PID_FILE, 'utf8').trim());
}

/** Whether pid has a SIGTERM waiting (sent to the process, which is stopped and cannot take it yet). */
function termPending(pid: number): boolean {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const shd = /^ShdPnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  return (BigInt(`0x${shd}`) & (1n << 14n)) !== 0n; // SIGTERM is signal 15
}

/** The running `family-hub restart` (the helper's child), if any. */
function restartScriptRuns(): boolean {
  return fs.readdirSync('/proc').some((name) => {
    if (!/^\d+$/.test(name)) return false;
    try {
      return fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').includes(`${FAMILY_HUB} restart`);
    } catch {
      return false;
    }
  });
}

async function panelAsync(argv: readonly string[]) {
  const r = await helperAsAsync(PANEL, argv);
  const parsed = parseHelperOutput(r.stdout);
  return { ...r, result: parsed.result as Record<string, unknown> | null, at: Date.now() };
}

describe("the helper's service while the family hub restarts", () => {
  test('list-members over the socket is answered while restart-hub waits on the hub; then the restart succeeds', async () => {
    const before = hubPid();
    assert.ok(before > 0 && fs.existsSync(`/proc/${before}`), `the family hub (pid ${before}) runs`);
    process.kill(before, 'SIGSTOP');
    let restarted: Awaited<ReturnType<typeof panelAsync>> | null = null;
    const started = Date.now();
    const restarting = panelAsync(['restart-hub', '--actor', 'mama']).then((r) => (restarted = r));
    try {
      // The restart has asked the stopped hub to end and waits on it.
      await until('family-hub restart to send the stopped hub SIGTERM', async () => termPending(before), 20_000, 50);
      assert.ok(restartScriptRuns(), 'family-hub restart runs');
      const listed = await panelAsync(['list-members']);
      assert.equal(listed.status, 0, listed.stdout + listed.stderr);
      assert.ok(Array.isArray(listed.result?.members), listed.stdout);
      assert.equal(restarted, null, `the restart answered before list-members (${listed.at - started} ms)`);
      assert.ok(restartScriptRuns(), 'family-hub restart still runs when list-members was answered');
      process.kill(before, 'SIGCONT');
      const r = await restarting;
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.ok(listed.at < r.at, `list-members was answered (after ${listed.at - started} ms) before the restart (${r.at - started} ms)`);
      assert.equal(r.result?.ok, true, r.stdout);
      assert.equal(r.result?.changed, true, r.stdout);
      assert.deepEqual(r.result?.stopped, [before], r.stdout);
      assert.notEqual(r.result?.hubPid, before);
      assert.equal(r.result?.hubPid, hubPid());
      assert.ok(!fs.existsSync(`/proc/${before}`), 'the old hub has ended');
    } finally {
      try {
        process.kill(before, 'SIGCONT');
      } catch {
        /* ended */
      }
      // The files after this one share the hub: leave one running whatever happened here.
      await restarting;
      spawnSync(FAMILY_HUB, ['start'], { stdio: 'ignore', timeout: 90_000 });
    }
  });
});
