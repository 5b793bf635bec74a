// Memory and CPU limits per server against the sandbox's real family hub
// (Debian's JupyterHub, our spawner), the real root helper behind its socket, the
// production panel and the kernel's own cgroups and OOM killer.
//
// The sandbox, like a container, has no systemd; this machine's kernel keeps the
// memory and cpu controllers on cgroup v1, so the hub makes each server's cgroups
// itself (system/hub/jupyterhub4family/limits.py). Every step checks the real
// thing: the file on disk (root's; a kid and the panel account cannot write it),
// the audit rows, the cgroup the kernel reports for the server's processes, and a
// kernel of the kid's that allocates past her limit, killed by the kernel's OOM
// killer (the cgroup's own oom_kill counter) while the hub, the panel and her
// brother's server keep answering.
//
// Run: sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 test/integration/limits.test.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { auditRows } from '../sandbox/audit-rows';
import { parents, requireSandboxHub } from '../sandbox/fixtures';
import { helperAs } from '../sandbox/helper-call';
import { PanelClient, hubApi, runInKernel } from '../sandbox/http';
import { processesOf, uidOf } from '../sandbox/processes';
import { until } from '../sandbox/wait';

const env = requireSandboxHub('family');
const { lastAuditId, auditSince } = auditRows(env.db);
const LIMITS_FILE = '/etc/jupyterhub4family/limits.json';
const HUB_LOG = '/var/log/jupyterhub4family/hub.log';
const MiB = 1024 * 1024;
const mama = new PanelClient();

function setLimits(body: unknown) {
  return mama.call('PUT', '/api/limits', body);
}

function fileText(): string | null {
  try {
    return fs.readFileSync(LIMITS_FILE, 'utf8');
  } catch {
    return null;
  }
}

async function serverOf(user: string): Promise<{ ready: boolean } | undefined> {
  const u = await hubApi('GET', `/hub/api/users/${user}`);
  if (u.status === 404) return undefined;
  assert.equal(u.status, 200, u.body);
  return u.json?.servers?.[''];
}

async function startServer(user: string): Promise<void> {
  const made = await hubApi('POST', `/hub/api/users/${user}`);
  assert.ok([201, 409].includes(made.status), `create ${user} in the hub: ${made.status} ${made.body}`);
  const start = await hubApi('POST', `/hub/api/users/${user}/server`);
  assert.ok([201, 202, 400].includes(start.status), `start ${user}: ${start.status} ${start.body}`);
  await until(`${user}'s server ready`, async () => (await serverOf(user))?.ready === true, 90_000);
}

async function stopServer(user: string): Promise<void> {
  if (!(await serverOf(user))) return;
  await hubApi('DELETE', `/hub/api/users/${user}/server`);
  await until(`${user}'s server gone`, async () => !(await serverOf(user)), 30_000);
}

/** controller -> cgroup path of a process, from /proc (what the kernel itself says). */
function cgroupsOf(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, names = '', path = ''] = line.split(':');
    for (const n of names.split(',')) out.set(n, path);
  }
  return out;
}

function serverPid(user: string): number {
  const pids = processesOf(uidOf(user), /jupyterhub-singleuser/);
  assert.equal(pids.length, 1, `${user}'s server processes: ${pids.join(' ')}`);
  return pids[0]!;
}

function oomKills(dir: string): number {
  const m = /^oom_kill (\d+)$/m.exec(fs.readFileSync(`${dir}/memory.oom_control`, 'utf8'));
  assert.ok(m, `${dir}/memory.oom_control has an oom_kill line`);
  return Number(m[1]);
}

/** Can USER open the file for writing (as that account, not root)? */
function canWrite(user: string, file: string): boolean {
  return spawnSync('/usr/sbin/runuser', ['-u', user, '--', '/usr/bin/python3', '-c', 'import sys; open(sys.argv[1], "a")', file], { stdio: 'ignore' }).status === 0;
}

const memTotalMiB = Math.floor(Number(/^MemTotal:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]) / 1024);

before(async () => {
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
  await until('the hub API with the test token', async () => (await hubApi('GET', '/hub/api/users')).status === 200, 60_000);
  // The sandbox has the host's cgroup file system: this test needs the v1 memory controller it was written against.
  assert.ok(fs.existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes'), 'a cgroup v1 memory controller at /sys/fs/cgroup/memory');
});

after(async () => {
  for (const u of ['anna', 'ben']) await stopServer(u).catch(() => undefined);
  fs.rmSync(LIMITS_FILE, { force: true });
});

describe('limits: set by a parent, written by root', () => {
  test("the family's defaults come from the machine; a parent sets the kids' and one kid's own, audited", async () => {
    const page = await mama.call('GET', '/family?q=anna', undefined, { 'accept-language': 'en' });
    assert.equal(page.status, 200);
    // With no file: a kid may use half the machine's memory.
    const half = Math.max(256, Math.floor(memTotalMiB / 2 / 64) * 64);
    const size = half % 1024 === 0 ? `${half / 1024} GiB` : `${(half / 1024).toFixed(1)} GiB`;
    assert.equal(fileText(), null, 'no file before a parent sets anything');
    assert.ok(page.body.includes(`Applies now: memory at most ${size}, processor share normal.`), `the kids' default from the machine (${size})`);

    const mark = lastAuditId();
    const kids = await setLimits({ target: 'kids', memoryMiB: 1024, cpuWeight: 100 });
    assert.equal(kids.status, 200, kids.body);
    assert.equal(kids.json.changed, true);
    const anna = await setLimits({ target: 'kid:anna', memoryMiB: 512, cpuWeight: 50 });
    assert.equal(anna.status, 200, anna.body);
    assert.deepEqual(JSON.parse(fileText()!), { version: 1, kids: { memoryMiB: 1024, cpuWeight: 100 }, parents: {}, users: { anna: { memoryMiB: 512, cpuWeight: 50 } } });
    const st = fs.lstatSync(LIMITS_FILE);
    assert.ok(st.isFile() && st.uid === 0 && st.gid === 0 && (st.mode & 0o7777) === 0o644, 'root:root 0644');
    assert.equal(canWrite('anna', LIMITS_FILE), false, 'a kid cannot write the limits file');
    assert.equal(canWrite('jupyterhub-panel', LIMITS_FILE), false, 'the panel account cannot write the limits file');
    const rows = auditSince(mark).filter((r) => r.action === 'limits_set' && r.d.phase === 'done');
    assert.deepEqual(
      rows.map((r) => [r.actor, r.target, r.outcome]),
      [
        ['mama', 'kids', 'ok'],
        ['mama', 'kid:anna', 'ok'],
      ],
    );
    const again = await setLimits({ target: 'kid:anna', memoryMiB: 512, cpuWeight: 50 });
    assert.equal(again.json.changed, false, 'the same figures again change nothing');

    const shown = await mama.call('GET', '/family?q=anna', undefined, { 'accept-language': 'de' });
    assert.ok(shown.body.includes('höchstens 512 MiB, Prozessor gering (eigene Grenze)'), 'her card shows her own limit, in German');
  });

  test('bad figures are refused with nothing changed and audited: from the panel and straight to the helper', async () => {
    const before = fileText();
    const mark = lastAuditId();
    for (const body of [
      { target: 'kids', memoryMiB: 100 },
      { target: 'kids', memoryMiB: memTotalMiB + 1 },
      { target: 'kids', memoryMiB: '2G' },
      { target: 'kids', cpuWeight: 0 },
      { target: 'kids' },
      { target: 'everyone', memoryMiB: 512 },
      { target: 'kid:../etc', memoryMiB: 512 },
    ]) {
      const r = await setLimits(body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.body}`);
      assert.equal(r.json.error, 'invalid_input');
    }
    const refusals = auditSince(mark).filter((r) => r.action === 'limits_set' && r.outcome === 'refused');
    assert.equal(refusals.length, 7, JSON.stringify(auditSince(mark)));
    // A parent's own figure goes through the parents' default: the helper refuses kid:mama.
    const parent = await setLimits({ target: 'kid:mama', memoryMiB: 512 });
    assert.equal(parent.status, 403, parent.body);
    for (const argv of [
      ['set-limits', '--for', 'kids', '--memory-mib', String(memTotalMiB + 1), '--actor', 'mama'],
      ['set-limits', '--for', 'kids', '--memory-mib', '512k', '--actor', 'mama'],
      ['set-limits', '--for', 'kids', '--cpu-weight', '10001', '--actor', 'mama'],
      ['set-limits', '--for', 'anna', '--memory-mib', '512', '--actor', 'mama'],
      ['set-limits', '--for', 'kids', '--actor', 'mama'],
      ['set-limits', '--for', 'kids', '--memory-mib', '512', '--swap', '1', '--actor', 'mama'],
    ]) {
      const r = helperAs('jupyterhub-panel', argv);
      assert.equal(r.status, 2, `${argv.join(' ')}: ${r.stdout}`);
      assert.match(r.stdout, /"error":"usage"/);
    }
    assert.notEqual(helperAs('anna', ['set-limits', '--for', 'kids', '--memory-mib', '8192', '--actor', 'mama']).status, 0, 'a kid does not reach the helper');
    assert.equal(fileText(), before, 'nothing changed');
  });
});

describe('limits: the kernel holds each server to them', () => {
  test("each kid's server runs in its own cgroup with her limits; a kernel past her limit is killed, everything else answers", async () => {
    await startServer('anna');
    await startServer('ben');
    const annaPid = serverPid('anna');
    const benPid = serverPid('ben');
    const annaGroups = cgroupsOf(annaPid);
    const benGroups = cgroupsOf(benPid);
    assert.match(annaGroups.get('memory') ?? '', /\/jupyterhub4family\/anna$/);
    assert.match(benGroups.get('memory') ?? '', /\/jupyterhub4family\/ben$/);
    const annaMem = `/sys/fs/cgroup/memory${annaGroups.get('memory')}`;
    const benMem = `/sys/fs/cgroup/memory${benGroups.get('memory')}`;
    assert.equal(fs.readFileSync(`${annaMem}/memory.limit_in_bytes`, 'utf8').trim(), String(512 * MiB), 'her own limit');
    assert.equal(fs.readFileSync(`${benMem}/memory.limit_in_bytes`, 'utf8').trim(), String(1024 * MiB), "the kids' default");
    const annaCpu = `/sys/fs/cgroup/cpu${annaGroups.get('cpu')}`;
    assert.match(annaCpu, /\/jupyterhub4family\/anna$/);
    assert.equal(fs.readFileSync(`${annaCpu}/cpu.shares`, 'utf8').trim(), '512', 'CPU weight 50 is half the usual 1024 shares');
    assert.equal(fs.readFileSync(`/sys/fs/cgroup/cpu${benGroups.get('cpu')}/cpu.shares`, 'utf8').trim(), '1024');
    // The files are root's: she cannot raise her own limit or leave the cgroup.
    assert.equal(canWrite('anna', `${annaMem}/memory.limit_in_bytes`), false);
    assert.equal(canWrite('anna', '/sys/fs/cgroup/memory/cgroup.procs'), false);
    assert.match(fs.readFileSync(HUB_LOG, 'utf8'), /Limits: anna's server: memory at most 512 MiB, CPU weight 50, 512 tasks \(v1\)/);

    // Her kernel, started and run through the hub as Jupyter's front end does.
    const t = await hubApi('POST', '/hub/api/users/anna/tokens', undefined, { note: 'limits test' });
    assert.equal(t.status, 201, t.body);
    const token = t.json.token as string;
    const k = await hubApi('POST', '/user/anna/api/kernels', token, { name: 'python3' });
    assert.equal(k.status, 201, k.body);
    const kernelId = k.json.id as string;
    const ok = runInKernel('anna', kernelId, token, 'print(6 * 7)');
    assert.deepEqual(ok, { status: 'ok', text: '42\n' });
    const kernelPids = processesOf(uidOf('anna'), /ipykernel/);
    assert.equal(kernelPids.length, 1);
    assert.equal(cgroupsOf(kernelPids[0]!).get('memory'), annaGroups.get('memory'), 'the kernel is in her cgroup');
    assert.equal(oomKills(annaMem), 0);

    // 1 GiB, every page touched, past her 512 MiB.
    const big = runInKernel('anna', kernelId, token, 'b = bytearray(b"\\x01") * (1024 * 1024 * 1024)\nprint(len(b))');
    assert.notEqual(big.status, 'ok', `the kernel kept 1 GiB under a 512 MiB limit: ${JSON.stringify(big)}`);
    await until('the OOM kill in her cgroup', async () => oomKills(annaMem) >= 1, 30_000);
    assert.ok(!processesOf(uidOf('anna'), /ipykernel/).includes(kernelPids[0]!), 'the kernel that allocated is gone');
    assert.equal(oomKills(benMem), 0, "nothing of ben's was killed");

    // Everything else keeps running and answers.
    assert.equal(serverPid('anna'), annaPid, 'her server itself keeps running');
    assert.equal((await hubApi('GET', '/user/anna/api/status', token)).status, 200);
    assert.equal((await hubApi('GET', '/hub/api/users')).status, 200, 'the hub answers');
    assert.equal(serverPid('ben'), benPid);
    const bt = await hubApi('POST', '/hub/api/users/ben/tokens', undefined, { note: 'limits test' });
    assert.equal((await hubApi('GET', '/user/ben/api/status', bt.json.token as string)).status, 200, "ben's server answers");
    assert.equal((await mama.call('GET', '/api/hub')).status, 200, 'the panel answers');

    // At the stop the hub says what the kernel did, and removes her cgroups.
    await stopServer('anna');
    assert.match(fs.readFileSync(HUB_LOG, 'utf8'), /Limits: the kernel stopped \d+ process\(es\) of anna's server for its memory limit/);
    await until('her cgroup removed', async () => !fs.existsSync(annaMem), 10_000);
    await stopServer('ben');
    await until("ben's cgroup removed", async () => !fs.existsSync(benMem), 10_000);
  });
});
