// The family hub on a family machine: the set-up command made it from
// Debian's packages (here Debian 12's JupyterHub 3.0 and Notebook 6.4), running as
// root in the background (no systemd in the sandbox), https on 8000, with the
// panel's token from the start.
//
// Setup (test/sandbox/run.sh, JH4F_SANDBOX_HUB=family): parents mama, papa; kids
// anna, ben; the hub and the panel as the set-up command left them; the tests'
// own hub token from /etc/jupyterhub4family/local_config.py.
//
// The kid's story, every step against the real thing: a kid onboarded through the
// panel logs into the hub with the password the parent gave, starts a server that
// installs nothing, the server's API answers, a Python kernel starts as the kid;
// the panel shows the server running, a parent stops it, and after removal the
// kid cannot log in. Then the faults: connect refused (nothing to connect), the hub
// killed and restarted from the panel, the set-up run twice, port 8000 taken.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parents, requireSandboxHub } from '../sandbox/fixtures';
import { HubVisitor, PanelClient, hubApi, request, runInKernel, untilPanelShowsRunning } from '../sandbox/http';
import { processesOf, uidOf } from '../sandbox/processes';
import { until } from '../sandbox/wait';

const env = requireSandboxHub('family');
const REPO = path.resolve(__dirname, '..', '..');
const KID = 'lena';
const KID_PASSWORD = 'lena-sees-the-moon-7';
const HUB_CONFIG = '/etc/jupyterhub4family/jupyterhub_config.py';
const HUB_PID_FILE = '/run/jupyterhub4family/hub.pid';
const FAMILY_HUB = '/usr/libexec/jupyterhub-panel/family-hub';

const mama = new PanelClient();

function hubPid(): number {
  return Number(fs.readFileSync(HUB_PID_FILE, 'utf8').trim());
}

/** The dashboard's hub checks are fine (load and disk are the test machine's business). */
async function hubAnswers(): Promise<boolean> {
  const r = await hubReport();
  return ['hub-process', 'hub-health', 'service'].every((id) => r.checks.find((c: any) => c.id === id)?.status === 'ok');
}

async function hubReport(): Promise<any> {
  const r = await mama.call('GET', '/api/hub');
  assert.equal(r.status, 200, r.body);
  return r.json;
}

before(async () => {
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
});

after(() => {
  spawnSync('userdel', ['--remove', '--', KID], { stdio: 'ignore' });
});

describe("a kid's story with the family hub", () => {
  let kidToken = '';

  test('the set-up made the family hub: Debian\'s JupyterHub as root on 8000, the panel connected without a step', async () => {
    const report = await hubReport();
    assert.equal(report.kind, 'family-background');
    assert.equal(report.connected, true, 'no "connect hub" step');
    // The hub's own checks; load and disk are this test machine's business.
    for (const id of ['hub-process', 'proxy-process', 'hub-health', 'hub-api', 'service', 'certificate']) {
      assert.equal(report.checks.find((c: any) => c.id === id)?.status, 'ok', `${id}: ${JSON.stringify(report.checks)}`);
    }
    const service = report.checks.find((c: any) => c.id === 'service');
    assert.equal(service.detail.key, 'backgroundRunning');
    assert.equal(processesOf(0, /^\/usr\/bin\/python3 \/usr\/bin\/jupyterhub -f \/etc\/jupyterhub4family\/jupyterhub_config\.py /).length, 1, 'one hub, as root');
    const r = await request(`${env.hubUrl}/hub/api`, { ca: '/etc/jupyterhub4family/tls/cert.pem' });
    assert.equal(r.status, 200, 'the hub\'s certificate verifies by address (subjectAltName 127.0.0.1)');
    const san = execFileSync('openssl', ['x509', '-in', '/etc/jupyterhub4family/tls/cert.pem', '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
    assert.match(san, /IP Address:127\.0\.0\.1/);
  });

  test('the hub imports our Python package from root\'s folder, as the tree has it, and writes nothing there', () => {
    const installed = '/usr/lib/jupyterhub4family/python/jupyterhub4family';
    const tree = path.join(REPO, 'system', 'hub', 'jupyterhub4family');
    for (const dir of ['/usr/lib/jupyterhub4family', '/usr/lib/jupyterhub4family/python', installed]) {
      const st = fs.lstatSync(dir);
      assert.ok(st.isDirectory() && st.uid === 0 && st.gid === 0 && (st.mode & 0o7777) === 0o755, `${dir} is root:root 0755`);
    }
    const modules = fs.readdirSync(tree).filter((f) => f.endsWith('.py')).sort();
    assert.ok(modules.includes('hours.py') && modules.includes('auth.py') && modules.includes('spawner.py'), modules.join(' '));
    // Only the modules: the running hub wrote no __pycache__ beside them.
    assert.deepEqual(fs.readdirSync(installed).sort(), modules);
    for (const f of modules) {
      const st = fs.lstatSync(path.join(installed, f));
      assert.ok(st.isFile() && st.uid === 0 && st.gid === 0 && (st.mode & 0o7777) === 0o644, `${f} is root:root 0644`);
      assert.equal(fs.readFileSync(path.join(installed, f), 'utf8'), fs.readFileSync(path.join(tree, f), 'utf8'), `${f} as in the tree`);
    }
  });

  test('onboarded through the panel, the kid logs into the hub with the password the parent gave', async () => {
    const r = await mama.call('POST', '/api/onboard', { username: KID, fullName: 'Lena Mustermann', password: KID_PASSWORD, installPackages: false });
    assert.equal(r.status, 201, r.body);
    const login = await new HubVisitor().login(KID, KID_PASSWORD);
    assert.equal(login.loggedIn, true, `hub login: ${login.status} ${login.body.slice(0, 200)}`);
  });

  test('her first server starts from Debian\'s packages, installing nothing, and its API answers', async () => {
    const kid = new HubVisitor();
    assert.equal((await kid.login(KID, KID_PASSWORD)).loggedIn, true);
    const spawned = await kid.call('GET', '/hub/spawn');
    assert.ok([200, 302].includes(spawned.status), `GET /hub/spawn: ${spawned.status}`);
    const server = await until('the server to be ready', async () => {
      const u = await hubApi('GET', `/hub/api/users/${KID}`);
      return u.json?.servers?.['']?.ready ? u.json.servers[''] : null;
    });
    assert.ok(server.url);
    const processes = processesOf(uidOf(KID), /jupyterhub-singleuser/);
    assert.ok(processes.length >= 1, 'the server runs as the kid');
    // Nothing was installed at the first spawn: no pip --user tree in her home.
    const local = `/home/${KID}/.local/lib`;
    const sitePackages = fs.existsSync(local) ? execFileSync('find', [local, '-maxdepth', '3', '-name', 'site-packages'], { encoding: 'utf8' }).trim() : '';
    assert.equal(sitePackages, '', 'no packages under ~/.local');

    const t = await hubApi('POST', `/hub/api/users/${KID}/tokens`, undefined, { note: 'family-hub test' });
    assert.equal(t.status, 201, t.body);
    kidToken = t.json.token;
    const status = await hubApi('GET', `/user/${KID}/api/status`, kidToken);
    assert.equal(status.status, 200, status.body);
    assert.ok(status.json.started, 'the single-user server reports when it started');
  });

  test('a Python kernel starts in her server and runs code as her', async () => {
    const k = await hubApi('POST', `/user/${KID}/api/kernels`, kidToken, { name: 'python3' });
    assert.equal(k.status, 201, k.body);
    const id = k.json.id as string;
    // The kernel answers code: Python runs as the kid, in her server.
    const run = runInKernel(KID, id, kidToken, 'import os, pwd; print(pwd.getpwuid(os.getuid()).pw_name, 6 * 7)');
    assert.deepEqual(run, { status: 'ok', text: `${KID} 42\n` });
    const kernel = (await hubApi('GET', `/user/${KID}/api/kernels/${id}`, kidToken)).json;
    assert.equal(kernel.name, 'python3');
    assert.ok(processesOf(uidOf(KID), /ipykernel/).length >= 1, 'the kernel process runs as the kid');
  });

  test('the panel shows her server running; a parent stops it from the panel', async () => {
    await untilPanelShowsRunning(mama, KID);

    const stop = await mama.call('POST', `/api/members/${KID}/server/stop`, {});
    assert.equal(stop.status, 200, stop.body);
    await until('the server to be gone', async () => {
      const u = await hubApi('GET', `/hub/api/users/${KID}`);
      return !u.json?.servers?.[''];
    });
    await until('her processes to end', async () => processesOf(uidOf(KID), /jupyterhub-singleuser|ipykernel/).length === 0, 20_000);
  });

  test('removed from the family, she cannot log into the hub any more', async () => {
    const r = await mama.call('DELETE', `/api/members/${KID}`);
    assert.equal(r.status, 200, r.body);
    const login = await new HubVisitor().login(KID, KID_PASSWORD);
    assert.equal(login.loggedIn, false, 'the hub let a removed member in');
  });
});

describe('the family hub: actions and faults', () => {
  test('"connect hub" is refused: the family hub was connected at set-up', async () => {
    const r = await mama.call('POST', '/api/hub/connect', {});
    assert.equal(r.status, 409, r.body);
  });

  test('the hub killed: the dashboard says down; restart from the panel brings it back with a new pid', async () => {
    const before = hubPid();
    process.kill(before, 'SIGKILL');
    const down = await until('the dashboard to say down', async () => {
      const r = await hubReport();
      return r.state === 'down' ? r : null;
    }, 20_000);
    assert.equal(down.checks.find((c: any) => c.id === 'hub-process').status, 'fail');
    const r = await mama.call('POST', '/api/hub/restart', {});
    assert.equal(r.status, 200, r.body);
    assert.notEqual(r.json.hubPid, before);
    assert.equal(r.json.hubPid, hubPid());
    await until('the dashboard to say the hub answers', hubAnswers, 30_000);
  });

  test('the set-up command run again keeps one hub (the same process), its database and its users', async () => {
    const pid = hubPid();
    const usersBefore = (await hubApi('GET', '/hub/api/users')).json.map((u: any) => u.name).sort();
    const dbBefore = fs.statSync('/var/lib/jupyterhub/jupyterhub.sqlite').ino;
    const out = execFileSync(path.join(REPO, 'system', 'install.sh'), { encoding: 'utf8', timeout: 5 * 60_000 });
    assert.match(out, /The family hub is running/);
    assert.equal(hubPid(), pid, 'an unchanged configuration does not restart the hub');
    assert.equal(processesOf(0, /^\/usr\/bin\/python3 \/usr\/bin\/jupyterhub -f /).length, 1);
    assert.equal(fs.statSync('/var/lib/jupyterhub/jupyterhub.sqlite').ino, dbBefore);
    assert.deepEqual((await hubApi('GET', '/hub/api/users')).json.map((u: any) => u.name).sort(), usersBefore);
  });

  test('a fresh machine with port 8000 taken by something else: a clear error, nothing of the hub set up', async () => {
    // A machine without our hub: its configuration away, the hub stopped.
    fs.renameSync(HUB_CONFIG, `${HUB_CONFIG}.away`);
    execFileSync(FAMILY_HUB, ['stop'], { stdio: 'pipe' });
    const foreign = spawn(process.execPath, ['-e', "require('net').createServer(s => s.end('not a hub\\n')).listen(8000, '0.0.0.0')"], { stdio: 'ignore' });
    try {
      await until('the foreign server to listen', async () => spawnSync('bash', ['-c', 'exec 3<>/dev/tcp/127.0.0.1/8000']).status === 0, 10_000);
      const r = spawnSync(path.join(REPO, 'system', 'install.sh'), { encoding: 'utf8', timeout: 5 * 60_000 });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /port 8000 is in use/);
      assert.match(r.stderr, /Nothing was changed/);
      assert.equal(fs.existsSync(HUB_CONFIG), false, 'no hub configuration was written');
      assert.doesNotMatch(r.stdout, /installing to|TLS certificate|helper:/, 'it stopped before changing anything');
    } finally {
      foreign.kill('SIGKILL');
      fs.renameSync(`${HUB_CONFIG}.away`, HUB_CONFIG);
      await until('the port to be free', async () => spawnSync('bash', ['-c', 'exec 3<>/dev/tcp/127.0.0.1/8000']).status !== 0, 10_000);
      execFileSync(FAMILY_HUB, ['start'], { stdio: 'pipe', timeout: 90_000 });
    }
    await until('the dashboard to say the hub answers', hubAnswers, 30_000);
  });
});
