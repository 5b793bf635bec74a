// lib/shared/hub-processes.ts: the one /proc scan for the hub's processes (the
// panel's dashboard and the root helper's restart-hub), over a /proc stand-in.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanHubProcesses, type ProcReader } from '../../lib/shared/hub-processes';

const HUB_UID = 996;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-proc-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The scan's reads over the stand-in directory, as the real reader does them over /proc. */
const proc: ProcReader = {
  pids: () => fs.readdirSync(dir),
  status: (pid) => fs.readFileSync(path.join(dir, pid, 'status'), 'utf8'),
  cmdline: (pid) => fs.readFileSync(path.join(dir, pid, 'cmdline'), 'utf8'),
  netNamespace(pid) {
    try {
      return fs.readlinkSync(path.join(dir, pid, 'ns', 'net'));
    } catch {
      return null;
    }
  },
};

/** One /proc/PID: status, cmdline and (unless null) the network namespace link. */
function processEntry(pid: string, uid: number, argv: string[], state: string, net: string | null): void {
  const entry = path.join(dir, pid);
  fs.mkdirSync(path.join(entry, 'ns'), { recursive: true });
  fs.writeFileSync(path.join(entry, 'status'), `Name:\tx\nState:\t${state} (x)\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  fs.writeFileSync(path.join(entry, 'cmdline'), `${argv.join('\0')}\0`);
  if (net !== null) fs.symlinkSync(net, path.join(entry, 'ns', 'net'));
}

const HUB = ['/usr/bin/python3', '/usr/bin/jupyterhub', '-f', '/etc/jupyterhub4family/jupyterhub_config.py'];
const PROXY = ['node', '/usr/bin/configurable-http-proxy', '--ip', '127.0.0.1'];
fs.mkdirSync(path.join(dir, 'self', 'ns'), { recursive: true });
fs.symlinkSync('net:[4026531840]', path.join(dir, 'self', 'ns', 'net'));
processEntry('100', HUB_UID, HUB, 'S', 'net:[4026531840]');
processEntry('101', HUB_UID, PROXY, 'T', 'net:[4026531840]');
processEntry('102', HUB_UID, ['/usr/bin/python3', '/usr/bin/jupyterhub-singleuser'], 'S', 'net:[4026531840]');
processEntry('103', 1000, HUB, 'S', 'net:[4026531840]');
processEntry('104', HUB_UID, HUB, 'Z', 'net:[4026531840]');
processEntry('105', HUB_UID, HUB, 'S', 'net:[4026532999]');
processEntry('99', HUB_UID, ['/usr/bin/vim', '-R', '/usr/bin/jupyterhub'], 'S', 'net:[4026531840]');
fs.mkdirSync(path.join(dir, 'sys'));

test("the hub account's hub and proxy in this network namespace, stopped ones marked; not its servers, editors, zombies, other accounts or namespaces", () => {
  const scan = scanHubProcesses(HUB_UID, proc);
  assert.deepEqual(scan.processes, [
    { pid: 100, kind: 'hub', stopped: false },
    { pid: 101, kind: 'proxy', stopped: true },
  ]);
  assert.equal(scan.unverified, false);
});

test('a process whose namespace cannot be read is listed, and the scan says it is unverified', () => {
  processEntry('106', HUB_UID, HUB, 'S', null);
  try {
    const scan = scanHubProcesses(HUB_UID, proc);
    assert.deepEqual(
      scan.processes.map((p) => p.pid),
      [100, 101, 106],
    );
    assert.equal(scan.unverified, true);
  } finally {
    fs.rmSync(path.join(dir, '106'), { recursive: true });
  }
});

test('another uid sees none of them', () => {
  assert.deepEqual(scanHubProcesses(1000, proc).processes, [{ pid: 103, kind: 'hub', stopped: false }]);
  assert.deepEqual(scanHubProcesses(4242, proc), { processes: [], unverified: false });
});

test('over the real /proc: a process named like the proxy is found, and marked once stopped', async () => {
  // argv[0] "configurable-http-proxy" (bash's exec -a): what the scan classifies as the proxy.
  const child = spawn('/bin/bash', ['-c', 'exec -a configurable-http-proxy /bin/sleep 30'], { stdio: 'ignore' });
  try {
    const uid = process.getuid?.() ?? 0;
    const found = () => scanHubProcesses(uid).processes.find((p) => p.pid === child.pid);
    for (let i = 0; i < 100 && !found(); i++) await new Promise((r) => setTimeout(r, 20)); // until exec has happened
    assert.deepEqual(found(), { pid: child.pid, kind: 'proxy', stopped: false });
    assert.ok(!scanHubProcesses(uid).processes.some((p) => p.pid === process.pid), 'this test (node) is not the hub');
    child.kill('SIGSTOP');
    for (let i = 0; i < 100 && !found()?.stopped; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(found()?.stopped, true);
  } finally {
    child.kill('SIGKILL');
  }
});
