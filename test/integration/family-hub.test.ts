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
// killed and restarted from the panel, the set-up run twice, port 8000 taken. And
// what a kid can read: none of the hub's and the panel's secrets (the hub's
// database and cookie secret, the panel's database, token, settings and keys).
// The set-up makes the hub's state folder private only where nobody else controls it.
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

const HUB_STATE = '/var/lib/jupyterhub';
const HUB_DB = `${HUB_STATE}/jupyterhub.sqlite`;
const HUB_COOKIE_SECRET = `${HUB_STATE}/jupyterhub_cookie_secret`;

/** Who listens on port 8000 (ss's line and each holder's command line); '' when nobody. */
function portHolders(): string {
  return spawnSync('bash', ['-c', "ss -ltnpH 'sport = :8000'; for p in $(ss -ltnpH 'sport = :8000' | grep -o 'pid=[0-9]*' | cut -d= -f2); do tr '\\0' ' ' < /proc/$p/cmdline; echo; done"], {
    encoding: 'utf8',
  }).stdout.trim();
}

/** Every process with its parent, owner and start time: what a failure needs to name the cause. */
function allProcesses(): string {
  return spawnSync('ps', ['-eo', 'pid,ppid,user,lstart,args'], { encoding: 'utf8' }).stdout;
}

/** Can the fixture kid anna open FILE for reading (and read a byte)? */
function kidReads(file: string): boolean {
  return spawnSync('/usr/sbin/runuser', ['-u', 'anna', '--', '/usr/bin/head', '-c', '1', '--', file], { stdio: 'ignore' }).status === 0;
}

/** owner:group and permission bits, e.g. "0:0 700". */
function modeOf(file: string): string {
  const st = fs.lstatSync(file);
  return `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
}

/** The umask of a running process, from /proc (Linux 4.7 and later). */
function umaskOf(pid: number): string {
  return /^Umask:\s*(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
}

/** The hub's state folder private: root:root 0700, the database and cookie secret 0600, nothing in it open to others. */
function assertHubStatePrivate(when: string): void {
  assert.equal(modeOf(HUB_STATE), '0:0 700', `${when}: ${HUB_STATE}`);
  for (const f of [HUB_DB, HUB_COOKIE_SECRET]) assert.equal(modeOf(f), '0:0 600', `${when}: ${f}`);
  for (const name of fs.readdirSync(HUB_STATE)) {
    const st = fs.lstatSync(path.join(HUB_STATE, name));
    assert.equal(st.mode & 0o077, 0, `${when}: ${name} is closed to others (${(st.mode & 0o7777).toString(8)})`);
  }
}

before(async () => {
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
});

after(() => {
  spawnSync('userdel', ['--remove', '--', KID], { stdio: 'ignore' });
});

describe("a kid's story with the family hub", () => {
  let kidToken = '';

  test("the set-up made the family hub: Debian's JupyterHub as root on 8000, the panel connected without a step", async () => {
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
    assert.equal(r.status, 200, "the hub's certificate verifies by address (subjectAltName 127.0.0.1)");
    const san = execFileSync('openssl', ['x509', '-in', '/etc/jupyterhub4family/tls/cert.pem', '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
    assert.match(san, /IP Address:127\.0\.0\.1/);
  });

  test("the hub imports our Python package from root's folder, as the tree has it, and writes nothing there", () => {
    const installed = '/usr/lib/jupyterhub4family/python/jupyterhub4family';
    const tree = path.join(REPO, 'system', 'hub', 'jupyterhub4family');
    for (const dir of ['/usr/lib/jupyterhub4family', '/usr/lib/jupyterhub4family/python', installed]) {
      const st = fs.lstatSync(dir);
      assert.ok(st.isDirectory() && st.uid === 0 && st.gid === 0 && (st.mode & 0o7777) === 0o755, `${dir} is root:root 0755`);
    }
    const modules = fs
      .readdirSync(tree)
      .filter((f) => f.endsWith('.py'))
      .sort();
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

  test("her first server starts from Debian's packages, installing nothing, and its API answers", async () => {
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

  test('her server saves her files as a login would (umask 022); only the hub itself has 077', async () => {
    const put = await hubApi('PUT', `/user/${KID}/api/contents/umask-probe.txt`, kidToken, { type: 'file', format: 'text', content: 'hello\n' });
    assert.ok([200, 201].includes(put.status), put.body);
    const st = fs.statSync(`/home/${KID}/umask-probe.txt`);
    assert.equal(st.uid, uidOf(KID));
    assert.equal((st.mode & 0o777).toString(8), '644', 'a file she saves is hers, readable as her other files are');
    const servers = processesOf(uidOf(KID), /jupyterhub-singleuser/);
    assert.ok(servers.length >= 1);
    for (const pid of servers) assert.equal(umaskOf(pid), '0022', `her server (pid ${pid})`);
    assert.equal(umaskOf(hubPid()), '0077', "the hub's own files are root's alone");
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
    const down = await until(
      'the dashboard to say down',
      async () => {
        const r = await hubReport();
        return r.state === 'down' ? r : null;
      },
      20_000,
    );
    assert.equal(down.checks.find((c: any) => c.id === 'hub-process').status, 'fail');
    const r = await mama.call('POST', '/api/hub/restart', {});
    assert.equal(r.status, 200, r.body);
    assert.notEqual(r.json.hubPid, before);
    assert.equal(r.json.hubPid, hubPid());
    await until('the dashboard to say the hub answers', hubAnswers, 30_000);
  });

  test('the set-up command run again keeps one hub (the same process), its database and its users; the state stays private', async () => {
    const pid = hubPid();
    const usersBefore = (await hubApi('GET', '/hub/api/users')).json.map((u: any) => u.name).sort();
    const dbBefore = fs.statSync(HUB_DB).ino;
    assertHubStatePrivate('after the first set-up');
    // As a machine set up before the state was made private left it (Debian's 0755, a 0644 database).
    fs.chmodSync(HUB_STATE, 0o755);
    fs.chmodSync(HUB_DB, 0o644);
    assert.equal(kidReads(HUB_DB), true, 'the loosened database is readable: the check below means something');
    const out = execFileSync(path.join(REPO, 'system', 'install.sh'), { encoding: 'utf8', timeout: 5 * 60_000 });
    assert.match(out, /The family hub is running/);
    assert.equal(hubPid(), pid, 'an unchanged configuration does not restart the hub');
    assert.equal(processesOf(0, /^\/usr\/bin\/python3 \/usr\/bin\/jupyterhub -f /).length, 1);
    assert.equal(fs.statSync(HUB_DB).ino, dbBefore);
    assert.deepEqual((await hubApi('GET', '/hub/api/users')).json.map((u: any) => u.name).sort(), usersBefore);
    assertHubStatePrivate('after the set-up ran again');
    assert.equal(kidReads(HUB_DB), false);
  });

  test('a fresh machine with port 8000 taken by something else: a clear error, nothing of the hub set up', async () => {
    // A machine without our hub: its configuration away, the hub stopped.
    fs.renameSync(HUB_CONFIG, `${HUB_CONFIG}.away`);
    const stop = spawnSync(FAMILY_HUB, ['stop'], { encoding: 'utf8' });
    assert.equal(stop.status, 0, `family-hub stop: ${stop.stdout}${stop.stderr}`);
    // Stopped means the port is free: else the foreign server below cannot listen and
    // the hub's own proxy would answer in its place (seen once, cause not yet found).
    assert.equal(portHolders(), '', `after family-hub stop (${stop.stdout.trim()}), port 8000 is held by:\n${portHolders()}\nall processes:\n${allProcesses()}`);
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
      // Once seen failing here (the port still taken after 10 s, cause not found): the
      // failure then names who holds it, with their command lines.
      await until('the port to be free', async () => spawnSync('bash', ['-c', 'exec 3<>/dev/tcp/127.0.0.1/8000']).status !== 0, 10_000).catch((e: Error) => {
        throw new Error(`${e.message}; port 8000 is held by:\n${portHolders()}\nall processes:\n${allProcesses()}`);
      });
      execFileSync(FAMILY_HUB, ['start'], { stdio: 'pipe', timeout: 90_000 });
    }
    await until('the dashboard to say the hub answers', hubAnswers, 30_000);
  });
});

describe('what a kid can read of the hub and the panel', () => {
  /** The folders the set-up and the hub write, and the files in them a kid may read: public ones only. */
  const FOLDERS = [
    '/etc/jupyterhub-panel',
    '/etc/jupyterhub4family',
    HUB_STATE,
    '/var/lib/jupyterhub-panel',
    '/var/lib/jupyterhub4family',
    '/var/log/jupyterhub-panel',
    '/var/log/jupyterhub4family',
    '/run/jupyterhub4family',
  ];
  const PUBLIC = new Set([
    '/etc/jupyterhub4family/tls/cert.pem', // the hub's certificate: every browser of the family gets it anyway
    '/etc/jupyterhub4family/jupyterhub_config.py', // our configuration, as in the tree (no secret: the token is a file of its own)
    '/etc/jupyterhub4family/panel-service.json', // the panel's service name and scopes
    '/etc/jupyterhub4family/hours.json', // the kids' own Jupyter hours (root:root 0644 by design)
    '/etc/jupyterhub-panel/pam-access.conf', // "parents only", as /etc/pam.d is
    '/var/lib/jupyterhub4family/created-groups', // two group names
    '/var/lib/jupyterhub4family/hub-config.sha256', // a hash of public files
  ]);
  const isPublic = (f: string) => PUBLIC.has(f) || /^\/run\/jupyterhub4family\/[a-z]+\.pid$/.test(f) || f.startsWith('/etc/jupyterhub-panel/packages');

  test("the hub's database and cookie secret, the panel's database, token, settings and TLS keys do not open for a kid; the hub's certificate does", () => {
    const secrets = [
      HUB_DB,
      HUB_COOKIE_SECRET,
      '/var/lib/jupyterhub-panel/panel.db',
      '/etc/jupyterhub-panel/hub-token',
      '/etc/jupyterhub-panel/panel.env',
      '/etc/jupyterhub-panel/tls/key.pem',
      '/etc/jupyterhub4family/tls/key.pem',
    ];
    for (const f of secrets) {
      assert.ok(fs.statSync(f).isFile(), `${f} exists`);
      const r = spawnSync('/usr/sbin/runuser', ['-u', 'anna', '--', '/usr/bin/head', '-c', '1', '--', f], { encoding: 'utf8' });
      assert.notEqual(r.status, 0, `anna read ${f}`);
      assert.match(r.stderr, /Permission denied/, `${f}: ${r.stderr}`);
    }
    assert.notEqual(spawnSync('/usr/sbin/runuser', ['-u', 'anna', '--', '/usr/bin/ls', '--', HUB_STATE], { stdio: 'ignore' }).status, 0, `anna lists ${HUB_STATE}`);
    assert.equal(kidReads('/etc/jupyterhub4family/tls/cert.pem'), true, "the hub's certificate is public");
    // The panel's certificate is public too, but it sits with its key in a folder only the
    // panel's account may open (root:jupyterhub-panel 0750): a kid never needs it.
    assertHubStatePrivate('after the set-up');
  });

  test('of every file in the folders the set-up and the hub write, a kid reads only the public ones', () => {
    const files = execFileSync('find', [...FOLDERS.filter((d) => fs.existsSync(d)), '-type', 'f', '-print0'], { encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    assert.ok(files.includes(HUB_DB) && files.includes('/var/lib/jupyterhub-panel/panel.db'), 'the scan sees the databases');
    // One shell as the kid: each file it opened and read a byte of.
    const r = spawnSync('/usr/sbin/runuser', ['-u', 'anna', '--', '/bin/sh', '-c', 'for f; do head -c 1 -- "$f" >/dev/null 2>&1 && printf "%s\\n" "$f"; done', 'sh', ...files], {
      encoding: 'utf8',
    });
    const readable = r.stdout.split('\n').filter(Boolean);
    assert.ok(readable.includes('/etc/jupyterhub4family/tls/cert.pem'), readable.join(' '));
    assert.deepEqual(
      readable.filter((f) => !isPublic(f)),
      [],
      'files a kid can read that are not public',
    );
  });

  test("the set-up leaves the hub's state alone where another account controls it, and says so in one line", () => {
    const run = (dir: string) =>
      spawnSync('bash', ['-c', '. system/lib/setup-common.sh && . system/lib/family-hub.sh && HUB_STATE=$1 && ensure_hub_state_private', 'bash', dir], { cwd: REPO, encoding: 'utf8' });
    const base = fs.mkdtempSync('/root/jh4f-hub-state.');
    try {
      const anna = uidOf('anna');
      const cases: [string, (dir: string) => void][] = [
        ["a kid's folder", (d) => fs.chownSync(d, anna, anna)],
        ['a root folder its group may write', (d) => (fs.chownSync(d, 0, anna), fs.chmodSync(d, 0o775))],
        ['a root folder anyone may write', (d) => fs.chmodSync(d, 0o1777)],
      ];
      for (const [what, make] of cases) {
        const dir = fs.mkdtempSync(path.join(base, 'case-'));
        fs.chmodSync(dir, 0o755);
        fs.writeFileSync(path.join(dir, 'jupyterhub.sqlite'), 'db', { mode: 0o644 });
        make(dir);
        const before = [modeOf(dir), modeOf(path.join(dir, 'jupyterhub.sqlite'))];
        const r = run(dir);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual([modeOf(dir), modeOf(path.join(dir, 'jupyterhub.sqlite'))], before, `${what}: nothing changed`);
        assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`${dir}.* left as it is`), what);
      }
      // A root folder closed to others: made 0700, its files 0600, a link in it not followed.
      const dir = path.join(base, 'root-owned');
      fs.mkdirSync(dir, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'jupyterhub.sqlite'), 'db', { mode: 0o644 });
      const canary = path.join(base, 'canary');
      fs.writeFileSync(canary, 'canary', { mode: 0o644 });
      fs.symlinkSync(canary, path.join(dir, 'link'));
      const r = run(dir);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.equal(modeOf(dir), '0:0 700');
      assert.equal(modeOf(path.join(dir, 'jupyterhub.sqlite')), '0:0 600');
      assert.equal(modeOf(canary), '0:0 644', 'chmod did not follow the link');
      // Missing: made private from the start (Debian's package then keeps the folder as it is).
      const fresh = path.join(base, 'fresh');
      assert.equal(run(fresh).status, 0);
      assert.equal(modeOf(fresh), '0:0 700');
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
