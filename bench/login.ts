// Login: the median time of a parent's login through the panel (HTTPS, throttle
// check, PAM, membership re-check, session row, audit row) next to a bare PAM
// authentication of the same account with the same PAM service, run as the panel
// account in the same sandbox; and the panel's RSS after 100 logins next to its
// RSS just before them.
//
// The login storm (SECURITY-CASES.md 31): a parent's right login from
// an address of her own while 50 wrong logins for her name run at once, from one
// address and from 50 addresses (distinct loopback source addresses are distinct
// clients), next to the same login with no storm, measured in the same run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import Database from 'better-sqlite3';
import { parents, sandboxEnv } from '../test/sandbox/fixtures';
import { median, rssKiB, type Figure } from './lib';

const RUNS = 30;
const LOGINS_FOR_RSS = 100;
const PANEL_PAM_MODULE = '/usr/lib/jupyterhub-panel/node_modules/node-linux-pam';

interface Answer {
  status: number;
  cookie: string | null;
}

function call(method: string, url: string, ca: Buffer, origin: string, body?: string, cookie?: string, localAddress?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { origin };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    if (cookie) headers.cookie = cookie;
    const req = https.request(url, { method, ca, headers, agent: false, localAddress }, (res) => {
      res.resume();
      res.on('end', () => {
        const set = (res.headers['set-cookie'] ?? []).find((l) => l.startsWith('jh4f_session='));
        resolve({ status: res.statusCode ?? 0, cookie: set ? set.split(';')[0]! : null });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One login through the panel, timed; the session is ended afterwards (not timed). */
async function panelLogin(url: string, ca: Buffer, origin: string): Promise<number> {
  const body = JSON.stringify({ username: 'mama', password: parents.mama });
  const start = performance.now();
  const res = await call('POST', `${url}/api/session`, ca, origin, body);
  const ms = performance.now() - start;
  if (res.status !== 200 || !res.cookie) throw new Error(`login through the panel answered ${res.status}`);
  await call('DELETE', `${url}/api/session`, ca, origin, undefined, res.cookie);
  return ms;
}

const BARE_PAM = `
const { pamAuthenticatePromise } = require(process.env.PAM_MODULE);
(async () => {
  const times = [];
  for (let i = 0; i < Number(process.env.RUNS); i++) {
    const start = performance.now();
    const code = await pamAuthenticatePromise({ username: 'mama', password: process.env.PW, serviceName: 'jupyterhub-panel', remoteHost: '127.0.0.1' });
    times.push(performance.now() - start);
    if (code !== 0) throw new Error('PAM code ' + code);
  }
  process.stdout.write(JSON.stringify(times));
})().catch((e) => { console.error(String(e)); process.exit(1); });`;

/** Bare PAM, as the panel account (group shadow), with node-linux-pam as the panel uses it. */
function barePamTimes(): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const env = { PATH: '/usr/bin:/bin', PAM_MODULE: PANEL_PAM_MODULE, RUNS: String(RUNS), PW: parents.mama };
    const child = spawn(
      '/usr/bin/setpriv',
      ['--reuid=jupyterhub-panel', '--regid=jupyterhub-panel', '--init-groups', '/usr/bin/env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, '-e', BARE_PAM],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`bare PAM run exited ${code}`))));
  });
}

export async function benchLogin(): Promise<Figure[]> {
  const env = sandboxEnv();
  const ca = fs.readFileSync(env.panelCa);
  const pid = Number(fs.readFileSync('/run/jupyterhub4family/panel.pid', 'utf8').trim());

  // Warm-up: the first login loads the route, PAM modules and opens the database.
  await panelLogin(env.panelUrl, ca, env.panelOrigin);
  const panel: number[] = [];
  for (let i = 0; i < RUNS; i++) panel.push(await panelLogin(env.panelUrl, ca, env.panelOrigin));
  const bare = await barePamTimes();

  const rssBefore = rssKiB(pid) / 1024;
  for (let i = 0; i < LOGINS_FOR_RSS; i++) await panelLogin(env.panelUrl, ca, env.panelOrigin);
  const rssAfter = rssKiB(pid) / 1024;

  return [
    {
      name: 'login through the panel (POST /api/session, mama)',
      unit: 'ms',
      median: median(panel),
      runs: RUNS,
      floorName: 'bare PAM authentication, same account and service',
      floor: median(bare),
    },
    { name: `panel RSS after ${LOGINS_FOR_RSS} more logins`, unit: 'MiB', median: rssAfter, runs: 1, floorName: 'the same panel just before them', floor: rssBefore },
  ];
}

const STORM_SIZE = 50;
const STORM_RUNS = 7;

/** The panel's throttle counters, cleared between runs so each one starts alike (as the tests do). */
function clearThrottle(db: string): void {
  const conn = new Database(db, { fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    conn.exec('DELETE FROM login_throttle');
  } finally {
    conn.close();
  }
}

/** papa's right login from `from`, timed; the session is ended afterwards (not timed). */
async function parentLogin(url: string, ca: Buffer, origin: string, from: string): Promise<number> {
  const body = JSON.stringify({ username: 'papa', password: parents.papa });
  const start = performance.now();
  const res = await call('POST', `${url}/api/session`, ca, origin, body, undefined, from);
  const ms = performance.now() - start;
  if (res.status !== 200 || !res.cookie) throw new Error(`the parent's login from ${from} answered ${res.status}`);
  await call('DELETE', `${url}/api/session`, ca, origin, undefined, res.cookie, from);
  return ms;
}

export async function benchLoginStorm(): Promise<Figure[]> {
  const env = sandboxEnv();
  const ca = fs.readFileSync(env.panelCa);
  const { panelUrl: url, panelOrigin: origin } = env;
  // Each storm answer with the time it came, from the storm's start.
  const wrong = (from: string, i: number, t0: number) =>
    call('POST', `${url}/api/session`, ca, origin, JSON.stringify({ username: 'papa', password: `storm-${i}` }), undefined, from)
      .catch(() => ({ status: 0, cookie: null }))
      .then((a) => ({ ...a, ms: performance.now() - t0 }));

  await parentLogin(url, ca, origin, '127.0.9.1'); // warm-up
  const unloaded: number[] = [];
  const shapes: Record<'one' | 'many', number[]> = { one: [], many: [] };
  // One address: all but two of its logins are refused at once (429, no PAM); when
  // the last of those refusals left, the panel had got through the whole burst.
  const refusedBurst: number[] = [];
  for (let run = 0; run < STORM_RUNS; run++) {
    clearThrottle(env.db);
    unloaded.push(await parentLogin(url, ca, origin, `127.0.9.${10 + run}`));
    for (const shape of ['one', 'many'] as const) {
      clearThrottle(env.db);
      const t0 = performance.now();
      const storm = Array.from({ length: STORM_SIZE }, (_, i) => wrong(shape === 'one' ? '127.0.7.1' : `127.0.8.${i + 1}`, i, t0));
      await new Promise((r) => setTimeout(r, 150)); // the storm is inside the panel by now
      shapes[shape].push(await parentLogin(url, ca, origin, `127.0.9.${100 + run * 2 + (shape === 'one' ? 0 : 1)}`));
      const answers = await Promise.all(storm);
      const bad = answers.filter((a) => a.status !== 401 && a.status !== 429);
      if (bad.length) throw new Error(`storm answers other than 401/429: ${bad.map((a) => a.status).join(',')}`);
      if (shape === 'one') refusedBurst.push(Math.max(...answers.filter((a) => a.status === 429).map((a) => a.ms)));
      await new Promise((r) => setTimeout(r, 1200)); // failure answers are held 1 s: let them all finish
    }
  }
  clearThrottle(env.db);
  const floorName = 'the unloaded login (same parent, same run)';
  return [
    { name: `parent's right login during ${STORM_SIZE} wrong logins at once from one address`, unit: 'ms', median: median(shapes.one), runs: STORM_RUNS, floorName, floor: median(unloaded) },
    {
      name: `parent's right login during ${STORM_SIZE} wrong logins at once from ${STORM_SIZE} addresses`,
      unit: 'ms',
      median: median(shapes.many),
      runs: STORM_RUNS,
      floorName,
      floor: median(unloaded),
    },
    // Why a storm delays the parent's login: how long the panel takes to get through a burst it refuses without PAM.
    {
      name: `one-address storm: its last immediate refusal (429) answered, from the storm's start`,
      unit: 'ms',
      median: median(refusedBurst),
      runs: STORM_RUNS,
      floorName,
      floor: median(unloaded),
    },
  ];
}

// Run alone: bash test/sandbox/run.sh node --conditions=react-server --import tsx bench/login.ts
if (require.main === module) {
  (async () => {
    const { format } = await import('./lib');
    for (const f of [...(await benchLogin()), ...(await benchLoginStorm())]) console.log(`  ${format(f)}`);
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
