// lib/shared/hub-processes.ts: the one /proc scan for the hub's processes (the
// panel's dashboard and the root helper's restart-hub), over a /proc stand-in.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanHubProcesses } from '../../lib/shared/hub-processes';

const HUB_UID = 996;
const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-proc-'));
after(() => fs.rmSync(proc, { recursive: true, force: true }));

/** One /proc/PID: status, cmdline and (unless null) the network namespace link. */
function processEntry(pid: string, uid: number, argv: string[], state: string, net: string | null): void {
  const dir = path.join(proc, pid);
  fs.mkdirSync(path.join(dir, 'ns'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'status'), `Name:\tx\nState:\t${state} (x)\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  fs.writeFileSync(path.join(dir, 'cmdline'), `${argv.join('\0')}\0`);
  if (net !== null) fs.symlinkSync(net, path.join(dir, 'ns', 'net'));
}

const HUB = ['/usr/bin/python3', '/usr/bin/jupyterhub', '-f', '/etc/jupyterhub4family/jupyterhub_config.py'];
const PROXY = ['node', '/usr/bin/configurable-http-proxy', '--ip', '127.0.0.1'];
fs.mkdirSync(path.join(proc, 'self', 'ns'), { recursive: true });
fs.symlinkSync('net:[4026531840]', path.join(proc, 'self', 'ns', 'net'));
processEntry('100', HUB_UID, HUB, 'S', 'net:[4026531840]');
processEntry('101', HUB_UID, PROXY, 'T', 'net:[4026531840]');
processEntry('102', HUB_UID, ['/usr/bin/python3', '/usr/bin/jupyterhub-singleuser'], 'S', 'net:[4026531840]');
processEntry('103', 1000, HUB, 'S', 'net:[4026531840]');
processEntry('104', HUB_UID, HUB, 'Z', 'net:[4026531840]');
processEntry('105', HUB_UID, HUB, 'S', 'net:[4026532999]');
processEntry('99', HUB_UID, ['/usr/bin/vim', '-R', '/usr/bin/jupyterhub'], 'S', 'net:[4026531840]');
fs.mkdirSync(path.join(proc, 'sys'));

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
    assert.deepEqual(scan.processes.map((p) => p.pid), [100, 101, 106]);
    assert.equal(scan.unverified, true);
  } finally {
    fs.rmSync(path.join(proc, '106'), { recursive: true });
  }
});

test('another uid sees none of them', () => {
  assert.deepEqual(scanHubProcesses(1000, proc).processes, [{ pid: 103, kind: 'hub', stopped: false }]);
  assert.deepEqual(scanHubProcesses(4242, proc), { processes: [], unverified: false });
});
