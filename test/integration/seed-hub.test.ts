// A jupyterhub4family 1.0 machine (the "seed" hub: account jupyterhub, crontab
// line, screen session) keeps its hub: the set-up command (run by the sandbox, and
// again here) sets up no second hub next to it, and the panel manages the seed hub.
//
// Setup (test/sandbox/run.sh with JH4F_SANDBOX_HUB=seed): the seed hub as
// `jupyterhub` on 127.0.0.1:8000, the panel installed by the set-up command.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parents, requireSandboxHub } from '../sandbox/fixtures';
import { PanelClient } from '../sandbox/http';

requireSandboxHub('seed');
const REPO = path.resolve(__dirname, '..', '..');

function hubProcesses(): string[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })
    .filter((c) => /\/jupyterhub (-f|--config)/.test(c));
}

test('the set-up command, run on a seed machine, leaves the seed hub alone and makes no second hub', () => {
  const out = execFileSync(path.join(REPO, 'system', 'install.sh'), { encoding: 'utf8', timeout: 5 * 60_000 });
  assert.match(out, /a jupyterhub4family 1\.0 hub runs here \(account jupyterhub\): left as it is/);
  assert.doesNotMatch(out, /The family hub is running/);
  assert.equal(fs.existsSync('/etc/jupyterhub4family/jupyterhub_config.py'), false, 'no family hub configuration');
  assert.equal(fs.existsSync('/run/jupyterhub4family/hub.pid'), false, 'no background family hub');
  const hubs = hubProcesses();
  assert.equal(hubs.length, 1, hubs.join('\n'));
  assert.match(hubs[0]!, /\/home\/jupyterhub\/etc\/jupyterhub_config\.py/, 'the one hub is the seed hub');
});

test('the panel knows it manages a seed hub', async () => {
  const mama = new PanelClient();
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
  const r = await mama.call('GET', '/api/hub');
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.kind, 'seed');
  assert.notEqual(r.json.state, 'not_installed');
});
