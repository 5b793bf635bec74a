// Login: the median time of a parent's login through the panel (HTTPS, throttle
// check, PAM, membership re-check, session row, audit row) next to a bare PAM
// authentication of the same account with the same PAM service, run as the panel
// account in the same sandbox; and the panel's RSS after 100 logins next to its
// RSS just before them.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import { parents, sandboxEnv } from '../test/sandbox/fixtures';
import { median, rssKiB, type Figure } from './lib';

const RUNS = 30;
const LOGINS_FOR_RSS = 100;
const PANEL_PAM_MODULE = '/usr/lib/jupyterhub-panel/node_modules/node-linux-pam';

interface Answer {
  status: number;
  cookie: string | null;
}

function call(method: string, url: string, ca: Buffer, origin: string, body?: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { origin };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    if (cookie) headers.cookie = cookie;
    const req = https.request(url, { method, ca, headers, agent: false }, (res) => {
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
    { name: 'login through the panel (POST /api/session, mama)', unit: 'ms', median: median(panel), runs: RUNS, floorName: 'bare PAM authentication, same account and service', floor: median(bare) },
    { name: `panel RSS after ${LOGINS_FOR_RSS} more logins`, unit: 'MiB', median: rssAfter, runs: 1, floorName: 'the same panel just before them', floor: rssBefore },
  ];
}
