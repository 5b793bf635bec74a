// The hub dashboard and hub actions against the sandbox's real JupyterHub (Debian's:
// 3.0 on Debian 12, 5.2 on Debian 13).
//
// Setup (test/sandbox/run.sh): JupyterHub running as `jupyterhub` inside screen
// session jupyterhub_serve, started by ~jupyterhub/start-hub.sh (its crontab line
// is marked #jupyterhub-service#; no cron daemon runs, so nothing restarts it
// behind the test's back); the panel as jupyterhub-panel on 8010; parents mama,
// papa; kids anna, ben; the helper through real pkexec + polkitd.
// Each test that breaks the hub (kill, SIGSTOP, a foreign server on 8000) puts
// it back in `after`/`finally` with the panel's own restart and waits until the
// dashboard says up again.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/hub.test.ts
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import Database from 'better-sqlite3';
import { PanelClient, hubApi } from '../sandbox/http';
import { helperAs } from '../sandbox/helper-call';
import { parents, requireSandboxHub } from '../sandbox/fixtures';
import { BLOCK_BEGIN, PANEL_HUB_TOKEN_FILE } from '../../lib/shared/hub-facts';

if (process.env.JH4F_SANDBOX !== '1') {
  throw new Error('test/integration/hub.test.ts runs only inside the sandbox: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/hub.test.ts');
}

const env = requireSandboxHub('seed');

/** Upstream version of the installed jupyterhub package: "3.0.0+ds1-1" -> "3.0.0". */
function debianHubVersion(): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'jupyterhub'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `dpkg-query jupyterhub: ${r.stderr}`);
  const m = /^(?:\d+:)?(\d+\.\d+\.\d+[^+~-]*)/.exec(r.stdout.trim());
  assert.ok(m, `unexpected jupyterhub package version ${r.stdout}`);
  return m[1]!;
}
const HUB_HOME = '/home/jupyterhub';
const HUB_CONFIG = `${HUB_HOME}/etc/jupyterhub_config.py`;
const HELPER = '/usr/libexec/jupyterhub-panel/helper';

interface Check {
  id: string;
  status: string;
  detail: { key: string; values: Record<string, string | number> };
  ms: number;
  timedOut?: boolean;
}
interface Report {
  state: string;
  advice: { key: string };
  checks: Check[];
  users: Array<{ name: string; running: number }>;
  connected: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const panel = new PanelClient();

/** POST/DELETE through the panel client with an explicit Content-Length (the server refuses chunked bodies with 411). */
function send(client: PanelClient, method: string, path: string, body: unknown = {}, headers: Record<string, string> = {}) {
  return client.call(method, path, body, { 'content-length': String(Buffer.byteLength(JSON.stringify(body))), ...headers });
}

async function report(): Promise<{ r: Report; ms: number }> {
  const res = await panel.call('GET', '/api/hub');
  assert.equal(res.status, 200, res.body);
  return { r: res.json as Report, ms: res.ms };
}

/** Poll the dashboard until `ok` holds (the server caches for a few seconds). Every answer must come in under 2 s. */
async function waitForReport(ok: (r: Report) => boolean, what: string, limitMs = 60_000): Promise<Report> {
  const deadline = Date.now() + limitMs;
  let last: Report | null = null;
  while (Date.now() < deadline) {
    const { r, ms } = await report();
    assert.ok(ms < 2000, `GET /api/hub took ${Math.round(ms)} ms (case 28: under 2 s)`);
    last = r;
    if (ok(r)) return r;
    await sleep(500);
  }
  assert.fail(`the dashboard never showed ${what}; last report: ${JSON.stringify(last)}`);
}

const check = (r: Report, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id}`);
  return c;
};

function hubPid(): number {
  return Number(fs.readFileSync(`${HUB_HOME}/hub.pid`, 'utf8').trim());
}

function proxyPid(): number | null {
  try {
    return Number(fs.readFileSync(`${HUB_HOME}/jupyterhub-proxy.pid`, 'utf8').trim());
  } catch {
    return null;
  }
}

function signal(pid: number | null, sig: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

function auditRows(action: string): Array<{ actor: string; target: string; outcome: string; detail: string; error: string | null }> {
  const db = new Database(env.db, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT actor, target, outcome, detail, error FROM audit WHERE action = ? ORDER BY id').all(action) as never;
  } finally {
    db.close();
  }
}

async function restartThroughPanel(): Promise<void> {
  const res = await send(panel, 'POST', '/api/hub/restart');
  assert.equal(res.status, 200, res.body);
  await waitForReport((r) => check(r, 'hub-health').status === 'ok' && check(r, 'hub-process').status === 'ok', 'the hub up again');
}

before(async () => {
  const login = await send(panel, 'POST', '/api/session', { username: 'mama', password: parents.mama });
  assert.equal(login.status, 200, login.body);
});

describe('hub dashboard', () => {
  test('GET /api/hub needs a session', async () => {
    const anon = new PanelClient();
    const res = await anon.call('GET', '/api/hub');
    assert.equal(res.status, 401);
  });

  test('hub actions refuse a cross-origin request and leave no trace', async () => {
    const before = auditRows('hub_restart').length;
    const pid = hubPid();
    for (const origin of ['https://evil.example', 'null']) {
      const res = await send(panel, 'POST', '/api/hub/restart', {}, { origin });
      assert.equal(res.status, 403, res.body);
      const res2 = await send(panel, 'POST', '/api/hub/connect', {}, { origin });
      assert.equal(res2.status, 403, res2.body);
    }
    assert.equal(auditRows('hub_restart').length, before);
    assert.equal(hubPid(), pid, 'the hub was not restarted');
  });

  test('connect-hub then restart: the panel token works', async () => {
    const res = await send(panel, 'POST', '/api/hub/connect');
    assert.equal(res.status, 200, res.body);
    const token = fs.readFileSync(PANEL_HUB_TOKEN_FILE, 'utf8').trim();
    assert.match(token, /^[0-9a-f]{64}$/);
    const st = fs.statSync(PANEL_HUB_TOKEN_FILE);
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(st.uid, 0);
    const config = fs.readFileSync(HUB_CONFIG, 'utf8');
    assert.equal(config.split(BLOCK_BEGIN).length - 1, 1, 'one marked block');
    assert.ok(config.includes(token));
    // Before the restart the hub does not know the token.
    assert.equal((await hubApi('GET', '/hub/api/users', token)).status, 403);

    const oldPid = hubPid();
    await restartThroughPanel();
    assert.notEqual(hubPid(), oldPid, 'a new hub process');
    const users = await hubApi('GET', '/hub/api/users', token);
    assert.equal(users.status, 200, users.body);
    assert.ok(Array.isArray(users.json));

    // Connecting again replaces the block (still one) with a new token.
    const again = await send(panel, 'POST', '/api/hub/connect');
    assert.equal(again.status, 200, again.body);
    assert.equal(again.json.replaced, true);
    const config2 = fs.readFileSync(HUB_CONFIG, 'utf8');
    assert.equal(config2.split(BLOCK_BEGIN).length - 1, 1, 'still one marked block');
    await restartThroughPanel();
    const token2 = fs.readFileSync(PANEL_HUB_TOKEN_FILE, 'utf8').trim();
    assert.notEqual(token2, token);
    assert.equal((await hubApi('GET', '/hub/api/users', token2)).status, 200);

    const connects = auditRows('hub_connect');
    assert.ok(connects.some((a) => a.actor === 'mama' && a.outcome === 'ok' && a.detail.includes('"phase":"done"')));
    assert.ok(auditRows('hub_restart').some((a) => a.actor === 'mama' && a.outcome === 'ok' && a.detail.includes('"phase":"done"')));
    assert.ok(!connects.some((a) => (a.detail ?? '').includes(token)), 'the token never reaches the audit log');
  });

  test('up: every hub check passes and the users are listed', async () => {
    const r = await waitForReport((x) => x.connected && check(x, 'hub-api').status === 'ok', 'the connected hub');
    for (const id of ['hub-process', 'proxy-process', 'service', 'hub-health', 'hub-version', 'hub-api', 'hub-users', 'certificate']) {
      assert.equal(check(r, id).status, 'ok', `${id}: ${JSON.stringify(check(r, id))}`);
    }
    // The version of Debian's jupyterhub package on this machine (3.0.0 on Debian 12,
    // 5.2.1 on Debian 13): what the hub runs, read from the hub's API by the check.
    assert.equal(check(r, 'hub-version').detail.values.version, debianHubVersion());
    // Only machine facts (disk, load, memory of a shared test machine) may make it "degraded".
    const other = r.checks.filter((c) => c.status !== 'ok' && !['disk-home', 'disk-hub-home', 'load', 'memory'].includes(c.id));
    assert.deepEqual(other, []);
    assert.ok(r.state === 'up' || r.state === 'degraded', r.state);
    for (const c of r.checks) assert.equal(typeof c.ms, 'number');
  });

  test('the bootstrap log is shown on demand', async () => {
    const res = await panel.call('GET', '/api/hub/log');
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.path, `${HUB_HOME}/bootstrap.log`);
    assert.ok(res.json.lines.length > 0 && res.json.lines.length <= 50);
    assert.ok(res.json.lines.some((l: string) => l.includes('JupyterHub')));
  });

  test('hub process killed: down, with the hub process check named', async () => {
    const pid = hubPid();
    signal(pid, 'SIGKILL'); // the proxy stays behind and answers with errors
    try {
      const r = await waitForReport((x) => x.state === 'down', 'down');
      const hubCheck = check(r, 'hub-process');
      assert.equal(hubCheck.status, 'fail');
      assert.equal(hubCheck.detail.key, 'hubNotRunning');
      assert.equal(check(r, 'hub-health').status, 'fail');
      assert.equal(r.advice.key, 'hubNotRunning');
    } finally {
      await restartThroughPanel();
    }
  });

  test('the hub port answering something that is not the hub: down, with that message', async () => {
    const hub = hubPid();
    const proxy = proxyPid();
    spawnSync('/usr/sbin/runuser', ['-u', 'jupyterhub', '--', '/usr/bin/screen', '-S', 'jupyterhub_serve', '-X', 'quit']);
    signal(hub, 'SIGKILL');
    signal(proxy, 'SIGKILL');
    let server: http.Server | null = null;
    try {
      server = http.createServer((_, res) => res.end('hello, I am not a hub\n'));
      for (let i = 0; ; i++) {
        try {
          await new Promise<void>((resolve, reject) => {
            server!.once('error', reject);
            server!.listen(8000, '127.0.0.1', () => resolve());
          });
          break;
        } catch (e) {
          if (i > 50) throw e;
          await sleep(200); // the killed proxy's port is freed a moment later
        }
      }
      const r = await waitForReport((x) => check(x, 'hub-health').detail.key === 'notTls' && check(x, 'hub-process').status === 'fail', 'the foreign server');
      assert.equal(r.state, 'down');
      assert.equal(check(r, 'hub-health').status, 'fail');
      assert.equal(r.advice.key, 'foreignOnPort');
    } finally {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await restartThroughPanel();
    }
  });

  test('hub hanging (SIGSTOP): the API answers in under 2 s and names the timed-out check', async () => {
    const pid = hubPid();
    // screen continues a stopped window process at once, so its SCREEN process
    // (the hub's parent) is stopped first: then the hub stays hanging.
    const screenPid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    assert.ok(screenPid > 1);
    signal(screenPid, 'SIGSTOP');
    signal(pid, 'SIGSTOP');
    try {
      const r = await waitForReport((x) => check(x, 'hub-health').timedOut === true, 'the timed-out health check');
      assert.equal(check(r, 'hub-health').status, 'fail');
      assert.equal(check(r, 'hub-health').detail.key, 'timedOut');
      assert.equal(r.state, 'down');
      // A computation that is not served from the cache: wait out the cache, then one request.
      await sleep(5500);
      const { r: fresh, ms } = await report();
      assert.ok(ms < 2000, `GET /api/hub took ${Math.round(ms)} ms with a hanging hub (case 28: under 2 s)`);
      assert.equal(check(fresh, 'hub-health').timedOut, true);
      assert.equal(fresh.advice.key, 'hubHanging');
    } finally {
      signal(pid, 'SIGCONT');
      signal(screenPid, 'SIGCONT');
      await waitForReport((x) => check(x, 'hub-health').status === 'ok', 'the hub answering again');
    }
  });

  test("a kid's server started through the hub API shows as running, and stop stops it", async () => {
    // The hub knows a user after their first login; the test makes anna known through the API.
    const made = await hubApi('POST', '/hub/api/users/anna');
    assert.ok([201, 409].includes(made.status), `create anna in the hub: ${made.status} ${made.body}`);
    const start = await hubApi('POST', '/hub/api/users/anna/server');
    // 201 started, 202 starting; 400 if it is running already.
    assert.ok([201, 202, 400].includes(start.status), `start: ${start.status} ${start.body}`);
    const deadline = Date.now() + 90_000;
    let ready = false;
    let last = '';
    while (Date.now() < deadline) {
      const u = await hubApi('GET', '/hub/api/users/anna');
      last = u.body;
      const s = u.json?.servers?.[''];
      if (s?.ready) {
        ready = true;
        break;
      }
      if (!s) break; // the spawn failed and the hub forgot the server
      await sleep(500);
    }
    assert.ok(
      ready,
      `anna's server never became ready (SimpleLocalProcessSpawner runs jupyterhub-singleuser as the hub account); last: ${last}; log: ${fs.readFileSync(`${HUB_HOME}/bootstrap.log`, 'utf8').split('\n').slice(-15).join('\n')}`,
    );

    const r = await waitForReport((x) => x.users.some((u) => u.name === 'anna'), 'anna with a running server');
    assert.equal(r.users.find((u) => u.name === 'anna')?.running, 1);

    const stop = await send(panel, 'POST', '/api/members/anna/server/stop');
    assert.equal(stop.status, 200, stop.body);
    assert.deepEqual(stop.json.stopped, ['']);
    const stopDeadline = Date.now() + 30_000;
    let gone = false;
    while (Date.now() < stopDeadline) {
      const u = await hubApi('GET', '/hub/api/users/anna');
      if (!u.json?.servers?.['']) {
        gone = true;
        break;
      }
      await sleep(300);
    }
    assert.ok(gone, "anna's server is gone in the hub");
    await waitForReport((x) => !x.users.some((u) => u.name === 'anna'), 'anna without a server');
    assert.ok(auditRows('server_stop').some((a) => a.actor === 'mama' && a.target === 'anna' && a.outcome === 'ok'));
  });

  test('stopping the server of a bad name is refused', async () => {
    const res = await send(panel, 'POST', '/api/members/-G/server/stop');
    assert.equal(res.status, 400, res.body);
  });
});

describe('hub helper commands', () => {
  // The panel's way to the helper: its socket (test/sandbox/helper-call.ts).
  const asUser = (user: string, argv: string[]) => helperAs(user, argv);

  test('a kid can run none of hub-status, restart-hub, connect-hub: not over the socket, not through pkexec', () => {
    for (const argv of [['hub-status'], ['restart-hub', '--actor', 'anna'], ['connect-hub', '--actor', 'anna']]) {
      const r = spawnSync('/usr/sbin/runuser', ['-u', 'anna', '--', '/usr/bin/pkexec', '--disable-internal-agent', HELPER, ...argv], { encoding: 'utf8' });
      assert.ok(r.status === 126 || r.status === 127, `${argv[0]}: ${r.status} ${r.stdout} ${r.stderr}`);
      const viaSocket = asUser('anna', argv);
      assert.equal(viaSocket.status, 9, `${argv[0]} over the socket: ${viaSocket.stdout}`);
    }
  });

  test('restart-hub from the panel needs an actor who is a parent', () => {
    const pid = hubPid();
    const r = asUser('jupyterhub-panel', ['restart-hub', '--actor', 'anna']);
    assert.equal(r.status, 5, r.stdout);
    const r2 = asUser('jupyterhub-panel', ['restart-hub']);
    assert.equal(r2.status, 2, r2.stdout);
    assert.equal(hubPid(), pid, 'the hub was not touched');
  });

  test('hub-status reports the crontab line, the screen session and the certificate', () => {
    const r = asUser('jupyterhub-panel', ['hub-status', '--log-lines', '3']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.match(out.crontab.line, /#jupyterhub-service#/);
    assert.equal(out.screen.running, true);
    assert.equal(out.cert.exists, true);
    assert.equal(out.key.matchesCert, true);
    assert.ok(out.cert.pem.startsWith('-----BEGIN CERTIFICATE-----'));
    assert.equal(out.log.lines.length, 3);
    assert.ok(out.processes.some((p: { kind: string }) => p.kind === 'hub'));
    assert.equal(asUser('jupyterhub-panel', ['hub-status', '--log-lines', '999']).status, 2);
    assert.equal(asUser('jupyterhub-panel', ['hub-status', 'extra']).status, 2);
  });

  // SECURITY-CASES 35: the hub account owns ~jupyterhub and may put
  // anything in place of the files the helper reads for hub-status. The helper
  // reads them as the hub account; it must neither hang on them nor let them show
  // root's files.
  describe('the hub account swaps the files hub-status reads (case 35)', () => {
    const SWAPPED = [`${HUB_HOME}/etc/cert.crt`, `${HUB_HOME}/etc/cert.key`, `${HUB_HOME}/etc/jupyterhub_config.py`, `${HUB_HOME}/bootstrap.log`];
    const ROOT_DIR = '/var/lib/jh4f-case35'; // root-only, in the sandbox's throwaway /var
    const asHub = (...argv: string[]) => {
      const r = spawnSync('/usr/sbin/runuser', ['-u', 'jupyterhub', '--', ...argv], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${argv.join(' ')} as jupyterhub: ${r.stderr}`);
    };
    /** The real files moved aside and `plant` put in their place, by the hub account; put back afterwards. */
    async function swapped(plant: (path: string) => void, fn: () => Promise<void> | void): Promise<void> {
      for (const f of SWAPPED) asHub('mv', '-T', '--', f, `${f}.case35`);
      try {
        for (const f of SWAPPED) plant(f);
        await fn();
      } finally {
        for (const f of SWAPPED) {
          asHub('rm', '-f', '--', f);
          asHub('mv', '-T', '--', `${f}.case35`, f);
        }
      }
    }
    const hubStatus = () => {
      const started = Date.now();
      const r = asUser('jupyterhub-panel', ['hub-status', '--log-lines', '5']);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      return { out: JSON.parse(r.stdout.trim().split('\n').at(-1)!), stdout: r.stdout, ms: Date.now() - started };
    };

    test('FIFOs: hub-status says what they are at once, and the dashboard gets its answer within its deadline', async () => {
      await swapped(
        (f) => asHub('mkfifo', '-m', '0600', '--', f),
        async () => {
          const { out, ms } = hubStatus();
          for (const part of [out.cert, out.key, out.log]) {
            assert.match(String(part.problem), /not a regular file/, `${JSON.stringify(part)} (hub-status took ${ms} ms)`);
          }
          assert.equal(out.cert.pem, undefined);
          assert.deepEqual(out.log.lines, []);
          assert.match(String(out.config.problem), /not a regular file/);
          assert.equal(out.crontab.line !== null && out.screen.running, true, 'the other facts are still there');
          // The dashboard asks hub-status with a 1.5 s deadline (lib/hub/checks.ts): wait
          // out its 5 s cache, then one fresh report.
          await sleep(5500);
          const { r } = await report();
          const service = check(r, 'service');
          assert.notEqual(service.timedOut, true, `hub-status missed the dashboard's deadline: ${JSON.stringify(service)}`);
          assert.equal(service.status, 'ok', JSON.stringify(service));
        },
      );
    });

    test("the panel's own read of the hub's certificate: a FIFO there does not stop the panel", async () => {
      // The panel reads the configured certificate itself when it can; the hub
      // account decides whether it can (it owns ~ and ~/etc).
      const modes = [HUB_HOME, `${HUB_HOME}/etc`].map((d) => [d, fs.statSync(d).mode & 0o7777] as const);
      const cert = `${HUB_HOME}/etc/cert.crt`;
      asHub('chmod', '0755', '--', HUB_HOME, `${HUB_HOME}/etc`);
      asHub('mv', '-T', '--', cert, `${cert}.case35`);
      asHub('mkfifo', '-m', '0644', '--', cert);
      const within = <T>(ms: number, p: Promise<T>) => Promise.race([p, sleep(ms).then(() => assert.fail(`the panel did not answer within ${ms} ms`))]);
      try {
        await sleep(5500); // past the dashboard's cache: the next report reads the certificate again
        const { r } = await within(5000, report());
        assert.ok(r.checks.length > 0);
        const health = await within(2000, panel.call('GET', '/api/health'));
        assert.equal(health.status, 200);
      } finally {
        // A reader stuck on the FIFO gets its end-of-file from a writer that opens and closes it.
        try {
          fs.closeSync(fs.openSync(cert, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
        } catch {
          /* no reader waiting */
        }
        asHub('rm', '-f', '--', cert);
        asHub('mv', '-T', '--', `${cert}.case35`, cert);
        for (const [d, mode] of modes) asHub('chmod', mode.toString(8), '--', d);
      }
    });

    test("links to root's files: nothing of them is shown, not even whether they exist", async () => {
      fs.mkdirSync(ROOT_DIR, { recursive: true, mode: 0o700 });
      fs.chmodSync(ROOT_DIR, 0o700);
      // A valid certificate and key that only root can read.
      fs.copyFileSync(`${HUB_HOME}/etc/cert.crt`, `${ROOT_DIR}/cert.crt`);
      fs.copyFileSync(`${HUB_HOME}/etc/cert.key`, `${ROOT_DIR}/cert.key`);
      const shadow = fs.readFileSync('/etc/shadow', 'utf8');
      const targets: Record<string, string> = {
        'cert.crt': `${ROOT_DIR}/cert.crt`,
        'cert.key': '/etc/shadow', // root:shadow 0640, and the hub account is in group shadow
        'jupyterhub_config.py': '/etc/shadow',
        'bootstrap.log': '/etc/shadow',
      };
      try {
        const answers: string[] = [];
        for (const missing of [false, true]) {
          await swapped(
            (f) => asHub('ln', '-s', '--', missing ? '/var/lib/jh4f-case35/no-such-file' : targets[f.split('/').at(-1)!]!, f),
            () => {
              const { out, stdout } = hubStatus();
              for (const part of [out.cert, out.key, out.log, out.config]) assert.match(String(part.problem), /symbolic link/, JSON.stringify(part));
              assert.equal(out.cert.pem, undefined);
              assert.equal(out.key.matchesCert, null);
              assert.deepEqual(out.log.lines, []);
              for (const line of shadow.split('\n').filter((l) => l.includes(':'))) {
                assert.ok(!stdout.includes(line.split(':').slice(0, 2).join(':')), 'a line of /etc/shadow reached the output');
              }
              answers.push(JSON.stringify([out.cert, out.key, out.log, out.config].map((p) => [p.exists, p.problem])));
            },
          );
        }
        assert.equal(answers[0], answers[1], 'the answer tells whether the link target exists');
      } finally {
        fs.rmSync(ROOT_DIR, { recursive: true, force: true });
      }
    });

    test('huge files: refused by size without reading them; the log still shows its last lines', async () => {
      await swapped(
        (f) => {
          // 20 GB each, sparse: reading one through would take minutes and gigabytes.
          asHub('truncate', '-s', '20G', '--', f);
          if (f.endsWith('bootstrap.log')) asHub('/bin/sh', '-c', 'printf "\\nline one\\nline two\\n" >> "$1"', 'sh', f);
        },
        () => {
          const { out, stdout } = hubStatus();
          for (const part of [out.cert, out.key, out.config]) assert.match(String(part.problem), /too large/, JSON.stringify(part));
          assert.equal(out.log.problem, null, JSON.stringify(out.log));
          assert.deepEqual(out.log.lines.slice(-2), ['line one', 'line two']);
          assert.ok(out.log.lines.length <= 5);
          assert.ok(stdout.length < 64 * 1024, `hub-status printed ${stdout.length} bytes`);
        },
      );
    });
  });

  test('connect-hub never follows a symlink planted as the hub config', () => {
    const backup = fs.readFileSync(HUB_CONFIG, 'utf8');
    const shadowBefore = fs.readFileSync('/etc/shadow', 'utf8');
    fs.renameSync(HUB_CONFIG, `${HUB_CONFIG}.real`);
    fs.symlinkSync('/etc/shadow', HUB_CONFIG);
    try {
      const r = asUser('jupyterhub-panel', ['connect-hub', '--actor', 'mama']);
      // The hub account reads and writes its own config: it may not write /etc/shadow.
      assert.notEqual(r.status, 0, r.stdout);
      assert.equal(fs.readFileSync('/etc/shadow', 'utf8'), shadowBefore);
    } finally {
      fs.unlinkSync(HUB_CONFIG);
      fs.renameSync(`${HUB_CONFIG}.real`, HUB_CONFIG);
      assert.equal(fs.readFileSync(HUB_CONFIG, 'utf8'), backup);
    }
  });
});
