// Time from "onboard" (POST /api/onboard as a parent, without the ahead-of-time
// install) to the kid's server ready at the first spawn (the kid logs into the hub,
// GET /hub/spawn, until the hub's API says the server is ready), for several new
// kids, on the family hub (Debian's packages: nothing installed at spawn), next to
// "the seed's way" measured in the same run, interleaved kid by kid.
//
// The seed's way: a second hub, the family hub's own configuration on other ports
// (8300, 8301, 8381; its own database), whose spawner command is
// bench/seed-spawn.sh: at a first spawn it pip installs the server --user, as the
// jupyterhub4family 1.0 spawn wrapper did, then runs it from ~/.local. There is no
// Python package index here, so the wheels come from a local wheelhouse made in
// this run by bench/seed-wheelhouse.py from Debian's installed packages: jupyterhub
// 3.0 and notebook 6.4 with their whole dependency closure. The seed also
// installed jupyterlab, which Debian 12 does not have: the seed's figure is a lower
// bound (a smaller install than the seed's, and a local disk, not PyPI).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parents, requireSandboxHub, sandboxEnv } from '../test/sandbox/fixtures';
import { HubVisitor, PanelClient, hubApi, request, type HttpEnv, type TestResponse } from '../test/sandbox/http';
import { median, type Figure } from './lib';

const KIDS = 3;
const STATE = '/var/lib/jh4f-bench';
const WHEELHOUSE = `${STATE}/wheelhouse`;
const WRAPPER = '/usr/local/libexec/jh4f-bench/seed-spawn';
const SEED_CONFIG = `${STATE}/seed-way_config.py`;
const SEED_HUB_URL = 'https://127.0.0.1:8300';
const FAMILY_CONFIG = '/etc/jupyterhub4family/jupyterhub_config.py';
const HUB_CA = '/etc/jupyterhub4family/tls/cert.pem';
/** Debian packages whose Python closure the seed's way installs (the seed's jupyterhub and notebook). */
const SEED_ROOTS = ['jupyterhub', 'python3-notebook'];
/** JupyterHub's default Spawner.http_timeout: the seed's "first spawn may time out". */
const DEFAULT_HTTP_TIMEOUT_S = 30;
const READY_TIMEOUT_MS = 10 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The test HTTP client's view of the hub at BASE (the family hub's or the seed way's), with TOKEN. */
function hubAt(base: string, token: string): HttpEnv {
  return { ...sandboxEnv(), hubUrl: base, hubCa: HUB_CA, hubToken: token };
}

function hubApiAt(base: string, token: string, method: string, urlPath: string): Promise<TestResponse> {
  return hubApi(method, urlPath, token, undefined, hubAt(base, token));
}

/** The seed's way: wheelhouse, spawn wrapper and a second hub. Returns the hub and what the wheelhouse holds. */
async function startSeedWayHub(): Promise<{ hub: ChildProcess; wheels: string }> {
  fs.rmSync(STATE, { recursive: true, force: true });
  fs.mkdirSync(STATE, { mode: 0o755 });
  const made = JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, 'seed-wheelhouse.py'), WHEELHOUSE, ...SEED_ROOTS], { encoding: 'utf8' }).trim()) as {
    wheels: number;
    bytes: number;
    roots: Record<string, string>;
  };
  const roots = Object.entries(made.roots)
    .map(([n, v]) => `${n} ${v}`)
    .join(' + ');
  const wheels = `${roots} and ${made.wheels - Object.keys(made.roots).length} dependencies: ${made.wheels} wheels, ${(made.bytes / 2 ** 20).toFixed(1)} MiB, repacked from Debian's installed packages`;

  fs.mkdirSync(path.dirname(WRAPPER), { recursive: true, mode: 0o755 });
  fs.copyFileSync(path.join(__dirname, 'seed-spawn.sh'), WRAPPER);
  fs.chmodSync(WRAPPER, 0o755);
  fs.writeFileSync(
    SEED_CONFIG,
    [
      "# The seed's way, for bench/first-spawn.ts: the family hub's configuration on other",
      "# ports, with the seed's install at the first spawn.",
      `load_subconfig('${FAMILY_CONFIG}')`,
      `c.JupyterHub.bind_url = '${SEED_HUB_URL}'`,
      'c.JupyterHub.hub_port = 8381',
      "c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:8301'",
      `c.ConfigurableHTTPProxy.pid_file = '${STATE}/proxy.pid'`,
      `c.JupyterHub.db_url = 'sqlite:///${STATE}/jupyterhub.sqlite'`,
      `c.JupyterHub.cookie_secret_file = '${STATE}/cookie_secret'`,
      `c.Spawner.cmd = ['${WRAPPER}', '${WHEELHOUSE}']`,
      '# Long enough to measure the whole install instead of failing at the timeout.',
      'c.Spawner.http_timeout = 600',
      'c.Spawner.start_timeout = 600',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const log = fs.openSync(`${STATE}/hub.log`, 'a', 0o600);
  const hub: ChildProcess = spawn('/usr/bin/python3', ['/usr/bin/jupyterhub', '-f', SEED_CONFIG], {
    cwd: STATE,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await request(`${SEED_HUB_URL}/hub/health`, { ca: HUB_CA })).status === 200) break;
    } catch {
      /* not up yet */
    }
    if (hub.exitCode !== null || Date.now() > until) {
      throw new Error(`the seed-way hub did not come up: ${fs.readFileSync(`${STATE}/hub.log`, 'utf8').slice(-1500)}`);
    }
    await sleep(250);
  }
  return { hub, wheels };
}

async function stopSeedWayHub(hub: ChildProcess): Promise<void> {
  if (hub.exitCode === null) {
    const exited = new Promise((r) => hub.once('exit', r));
    hub.kill('SIGTERM'); // JupyterHub ends its servers and its proxy on the way out
    await Promise.race([exited, sleep(20_000)]);
    if (hub.exitCode === null) hub.kill('SIGKILL');
  }
  try {
    const proxy = Number(fs.readFileSync(`${STATE}/proxy.pid`, 'utf8').trim());
    if (proxy > 1 && /configurable-http-proxy/.test(fs.readFileSync(`/proc/${proxy}/cmdline`, 'utf8'))) process.kill(proxy, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

interface Spawned {
  totalMs: number;
  onboardMs: number;
}

/** Onboards USER through the panel, then the kid's first spawn on the hub at BASE until the hub says ready. */
async function onboardAndSpawn(mama: PanelClient, base: string, token: string, user: string, password: string): Promise<Spawned> {
  const t0 = performance.now();
  const onboard = await mama.call('POST', '/api/onboard', { username: user, fullName: `Bench ${user}`, password, installPackages: false });
  if (onboard.status !== 201) throw new Error(`onboard ${user}: ${onboard.status} ${onboard.body.slice(0, 200)}`);
  const onboardMs = performance.now() - t0;
  const kid = new HubVisitor(hubAt(base, token));
  const login = await kid.login(user, password);
  if (!login.loggedIn) throw new Error(`${user} could not log into ${base}: ${login.status} ${login.body.slice(0, 200)}`);
  const spawned = await kid.call('GET', '/hub/spawn');
  if (![200, 302].includes(spawned.status)) throw new Error(`GET /hub/spawn for ${user}: ${spawned.status}`);
  for (;;) {
    const u = await hubApiAt(base, token, 'GET', `/hub/api/users/${user}`);
    if (u.json?.servers?.['']?.ready) break;
    if (performance.now() - t0 > READY_TIMEOUT_MS) throw new Error(`${user}'s server on ${base} was not ready after ${READY_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
  const totalMs = performance.now() - t0;
  // Not timed: the server answers through the hub's proxy.
  const api = await request(`${base}/user/${user}/api`, { ca: HUB_CA });
  if (api.status !== 200) throw new Error(`${user}'s server does not answer through the proxy: ${api.status}`);
  return { totalMs, onboardMs };
}

/** Which program serves USER: Debian's (/usr/bin) or the kid's own pip install (~/.local). */
function serverProgram(user: string): string {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  for (const p of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (fs.statSync(`/proc/${p}`).uid !== uid) continue;
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      const prog = cmd.find((a) => a.endsWith('/jupyterhub-singleuser'));
      if (prog) return prog;
    } catch {
      /* ended meanwhile */
    }
  }
  throw new Error(`no jupyterhub-singleuser process of ${user}`);
}

function localSizeMiB(user: string): number {
  const home = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).split(':')[5]!;
  const r = spawnSync('du', ['-sk', `${home}/.local`], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split('\t')[0]) / 1024 : 0;
}

async function removeKid(base: string, token: string, user: string): Promise<void> {
  await hubApiAt(base, token, 'DELETE', `/hub/api/users/${user}/server`).catch(() => undefined);
  for (let i = 0; i < 100; i++) {
    const u = await hubApiAt(base, token, 'GET', `/hub/api/users/${user}`).catch(() => null);
    if (!u?.json?.servers?.['']) break;
    await sleep(200);
  }
  await hubApiAt(base, token, 'DELETE', `/hub/api/users/${user}`).catch(() => undefined);
  spawnSync('userdel', ['--remove', '--', user], { stdio: 'ignore' });
}

export async function benchFirstSpawn(): Promise<Figure[]> {
  const env = requireSandboxHub('family');
  const mama = new PanelClient();
  const login = await mama.login('mama', parents.mama);
  if (login.status !== 200) throw new Error(`mama's login: ${login.status}`);
  const family: Spawned[] = [];
  const seed: Spawned[] = [];
  const seedLocal: number[] = [];
  const { hub, wheels } = await startSeedWayHub();
  const made: Array<[string, string]> = [];
  try {
    for (let i = 1; i <= KIDS; i++) {
      const fam = `fsfamily${i}`;
      made.push([env.hubUrl, fam]);
      family.push(await onboardAndSpawn(mama, env.hubUrl, env.hubToken, fam, `${fam}-first-spawn-pw`));
      const prog = serverProgram(fam);
      if (!prog.startsWith('/usr/bin/')) throw new Error(`${fam}'s server is not Debian's: ${prog}`);
      if (localSizeMiB(fam) > 1) throw new Error(`${fam}'s first spawn installed something into ~/.local`);
      await removeKid(env.hubUrl, env.hubToken, fam);
      made.pop();

      const sd = `fsseed${i}`;
      made.push([SEED_HUB_URL, sd]);
      seed.push(await onboardAndSpawn(mama, SEED_HUB_URL, env.hubToken, sd, `${sd}-first-spawn-pw`));
      const seedProg = serverProgram(sd);
      if (!seedProg.includes('/.local/bin/')) throw new Error(`${sd}'s server does not run from its pip install: ${seedProg}`);
      seedLocal.push(localSizeMiB(sd));
      await removeKid(SEED_HUB_URL, env.hubToken, sd);
      made.pop();
    }
  } finally {
    for (const [base, user] of made) await removeKid(base, env.hubToken, user);
    await stopSeedWayHub(hub);
    await mama.call('DELETE', '/api/session').catch(() => undefined);
  }
  const s = (ms: number) => Math.round(ms / 100) / 10;
  const total = (list: Spawned[]) => list.map((x) => x.totalMs);
  const slow = seed.filter((x) => x.totalMs - x.onboardMs > DEFAULT_HTTP_TIMEOUT_S * 1000).length;
  const seedName = `the seed's way: pip install --user at the first spawn of ${wheels}; ~/.local ${Math.round(median(seedLocal))} MiB; no jupyterlab (not in Debian 12), so a lower bound; ${slow} of ${KIDS} spawns took longer than JupyterHub's default http_timeout of ${DEFAULT_HTTP_TIMEOUT_S} s, which fails a spawn`;
  return [
    {
      name: `onboard -> first server ready, family hub (Debian's packages, nothing installed at spawn), ${KIDS} kids`,
      unit: 's',
      median: s(median(total(family))),
      max: s(Math.max(...total(family))),
      runs: KIDS,
      floorName: seedName,
      floor: s(median(total(seed))),
      floorMax: s(Math.max(...total(seed))),
    },
    {
      name: `of that, POST /api/onboard (account, password, group), family hub`,
      unit: 'ms',
      median: Math.round(median(family.map((x) => x.onboardMs))),
      runs: KIDS,
      floorName: "the same for the seed's way's kids",
      floor: Math.round(median(seed.map((x) => x.onboardMs))),
    },
  ];
}
