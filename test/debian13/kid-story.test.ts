// The kid's story on a fresh Debian 13 just after the README's set-up command
// against Debian 13's JupyterHub 5.2 and JupyterLab 4.0.
// Run inside the fresh root by its own node (test/debian13/in-root.sh story, on a
// private loopback-only network) from the clone the set-up ran in; never on its own.
//
// A parent made as the README says (adduser, then `adduser NAME jupyterhub_adm`, a
// password set with chpasswd) logs into the panel over https by the machine's name
// and onboards a kid through the panel's API as the browser does (session cookie,
// Origin). The kid logs into the hub with the password from onboarding and starts a
// server: it is ready within 60 s of the spawn request, installing nothing; /lab is
// JupyterLab; a Python kernel runs code as the kid. The panel shows the server
// running; the parent stops it from the panel and removes the kid, who then cannot
// log in. JH4F_D13_HUB_TOKEN is the test's own hub service token (the outer test
// put it into /etc/jupyterhub4family/local_config.py): it only watches and makes
// the kid an API token, as the hub's token page would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { HubVisitor, PanelClient, hubApi, runInKernel, untilPanelShowsRunning, type HttpEnv } from '../sandbox/http';
import { processesOf, uidOf } from '../sandbox/processes';
import { until } from '../sandbox/wait';

const host = process.env.JH4F_D13_HOST ?? '';
const hubToken = process.env.JH4F_D13_HUB_TOKEN ?? '';
const env: HttpEnv = {
  panelUrl: `https://${host}:8010/panel`,
  panelOrigin: `https://${host}:8010`,
  panelCa: '/etc/jupyterhub-panel/tls/cert.pem',
  hubUrl: `https://${host}:8000`,
  hubCa: '/etc/jupyterhub4family/tls/cert.pem',
  hubToken,
};
const PARENT = 'mama';
const PARENT_PASSWORD = 'mama-fresh-debian-13';
const KID = 'lena';
const KID_PASSWORD = 'lena-sees-the-moon-13';

/** site-packages folders under the kid's ~/.local (pip --user installs there). */
function userSitePackages(): string {
  const local = `/home/${KID}/.local`;
  return fs.existsSync(local) ? execFileSync('find', [local, '-name', 'site-packages'], { encoding: 'utf8' }).trim() : '';
}

const parent = new PanelClient(env);
const kid = new HubVisitor(env);
let kidToken = '';

before(() => {
  assert.match(host, /^[a-z0-9-]+$/, 'JH4F_D13_HOST: run me through test/debian13/run.sh');
  assert.match(hubToken, /^[0-9a-f]{64}$/, 'JH4F_D13_HUB_TOKEN: run me through test/debian13/run.sh');
  // The parent, as the README says: an account, then `adduser NAME jupyterhub_adm`.
  execFileSync('adduser', ['--disabled-password', '--comment', 'Mama', PARENT], { stdio: 'pipe' });
  execFileSync('adduser', [PARENT, 'jupyterhub_adm'], { stdio: 'pipe' });
  execFileSync('chpasswd', { input: `${PARENT}:${PARENT_PASSWORD}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
});

after(() => {
  execFileSync('userdel', ['--remove', PARENT], { stdio: 'ignore' });
});

describe("a kid's story on a fresh Debian 13", () => {
  test("the parent logs into the panel over https by the machine's name", async () => {
    const r = await parent.login(PARENT, PARENT_PASSWORD);
    assert.equal(r.status, 200, r.body);
    assert.ok(parent.cookie, 'a session cookie');
  });

  test('the parent onboards a kid through the panel', async () => {
    const r = await parent.call('POST', '/api/onboard', { username: KID, fullName: 'Lena Mustermann', password: KID_PASSWORD, installPackages: false });
    assert.equal(r.status, 201, r.body);
    assert.match(execFileSync('id', ['-nG', KID], { encoding: 'utf8' }), /\bjupyterhub\b/);
    assert.equal(userSitePackages(), '', 'nothing under ~/.local yet');
  });

  test('the kid logs into the hub with the password from onboarding', async () => {
    const login = await kid.login(KID, KID_PASSWORD);
    assert.equal(login.loggedIn, true, `hub login: ${login.status} ${login.body.slice(0, 200)}`);
  });

  test('her first server is ready within 60 s of the spawn request, running as her, installing nothing', async () => {
    const started = Date.now();
    const spawned = await kid.call('GET', '/hub/spawn');
    assert.ok([200, 302].includes(spawned.status), `GET /hub/spawn: ${spawned.status}`);
    const server = await until(
      'her server to be ready',
      async () => {
        const u = await hubApi('GET', `/hub/api/users/${KID}`, undefined, undefined, env);
        return u.json?.servers?.['']?.ready ? u.json.servers[''] : null;
      },
      60_000,
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`@@READY_SECONDS ${seconds.toFixed(1)}`);
    assert.ok(server.url);
    assert.ok(processesOf(uidOf(KID), /jupyterhub-singleuser/).length >= 1, 'the server runs as the kid');
    assert.equal(userSitePackages(), '', 'no pip --user packages in her ~/.local after the first spawn');
  });

  test("/lab is JupyterLab, reached as her browser does (hub login, then the server's OAuth)", async () => {
    let target = `/user/${KID}/lab`;
    let r = await kid.call('GET', target);
    for (let hops = 0; r.status >= 300 && r.status < 400 && hops < 10; hops++) {
      const location = String(r.headers.location ?? '');
      target = location.startsWith('http') ? location.replace(/^https:\/\/[^/]+/, '') : location;
      r = await kid.call('GET', target);
    }
    assert.equal(r.status, 200, `${target}: ${r.status}`);
    assert.match(target, new RegExp(`^/user/${KID}/lab`));
    assert.match(r.body, /JupyterLab/);
  });

  test('a Python kernel runs code as her', async () => {
    const t = await hubApi('POST', `/hub/api/users/${KID}/tokens`, undefined, { note: 'debian13 test', expires_in: 600 }, env);
    assert.equal(t.status, 201, t.body);
    kidToken = t.json.token;
    const k = await hubApi('POST', `/user/${KID}/api/kernels`, kidToken, { name: 'python3' }, env);
    assert.equal(k.status, 201, k.body);
    const run = runInKernel(KID, k.json.id, kidToken, 'import os, pwd; print(os.getuid(), pwd.getpwuid(os.getuid()).pw_name)', env);
    assert.deepEqual(run, { status: 'ok', text: `${uidOf(KID)} ${KID}\n` });
    assert.ok(processesOf(uidOf(KID), /ipykernel/).length >= 1, 'the kernel process runs as the kid');
  });

  test('the panel shows her server running; the parent stops it from the panel', async () => {
    await untilPanelShowsRunning(parent, KID);

    const stop = await parent.call('POST', `/api/members/${KID}/server/stop`, {});
    assert.equal(stop.status, 200, stop.body);
    await until(
      'her server to be gone',
      async () => {
        const u = await hubApi('GET', `/hub/api/users/${KID}`, undefined, undefined, env);
        return !u.json?.servers?.[''];
      },
      30_000,
    );
    await until('her processes to end', async () => processesOf(uidOf(KID), /jupyterhub-singleuser|ipykernel/).length === 0, 20_000);
  });

  test('removed by the parent, she cannot log into the hub any more', async () => {
    const r = await parent.call('DELETE', `/api/members/${KID}`);
    assert.equal(r.status, 200, r.body);
    const login = await new HubVisitor(env).login(KID, KID_PASSWORD);
    assert.equal(login.loggedIn, false, 'the hub let a removed member in');
  });
});
