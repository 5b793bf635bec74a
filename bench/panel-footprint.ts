// Memory of the production panel (RSS) after start-up, after 1,000 GET /api/members
// and 100 logins, and after as many again (is it flat?), next to a bare Node.js
// HTTPS server given the same number of requests (the floor: what any Node HTTPS
// service costs); and the compressed size of
// the JavaScript the login page loads, next to the framework's own share (the JS a
// Next.js 404 page of the same build loads).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { ChildProcess } from 'node:child_process';
import { parents } from '../test/sandbox/fixtures';
import { call, get, inParallel, median, rssKiB, startAs, stop, waitForHealth, type Figure } from './lib';

const CERT = '/etc/jupyterhub-panel/tls/cert.pem';
const KEY = '/etc/jupyterhub-panel/tls/key.pem';
const NODE = process.execPath;
const RUNS = 3;

const BARE_SERVER = `
const https = require('node:https'); const fs = require('node:fs');
https.createServer({ cert: fs.readFileSync(process.env.CERT), key: fs.readFileSync(process.env.KEY) }, (req, res) => {
  res.setHeader('content-type', 'application/json'); res.end('{"ok":true}');
}).listen(Number(process.env.PORT), '127.0.0.1');`;

const UNIT = path.resolve(__dirname, '..', 'system', 'systemd', 'jupyterhub-panel.service');

/**
 * The Node flags the panel is started with: those of ExecStart in the systemd
 * unit (the set-up's background start is meant to pass the same), so the figure
 * is the deployed one. JH4F_BENCH_NODE_FLAGS="..." measures other flags instead.
 */
export function startFlags(): string[] {
  if (process.env.JH4F_BENCH_NODE_FLAGS !== undefined) return process.env.JH4F_BENCH_NODE_FLAGS.split(' ').filter(Boolean);
  const exec = /^ExecStart=\S+\s+(.*)$/m.exec(fs.readFileSync(UNIT, 'utf8'))?.[1] ?? '';
  return exec.split(/\s+/).filter((arg) => arg.startsWith('--'));
}

const PANEL_NODE_FLAGS: readonly string[] = startFlags();

const PANEL_PORT = 8111;
const BARE_PORT = 8112;
const READS = 1000;
const LOGINS = 100;

export function startPanel(flags: readonly string[] = PANEL_NODE_FLAGS): ChildProcess {
  return startAs('jupyterhub-panel', [NODE, ...flags, '/usr/lib/jupyterhub-panel/dist/server/server.js'], {
    PATH: '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    NODE_ENV: 'production',
    JH4F_APP_DIR: '/usr/lib/jupyterhub-panel',
    JH4F_PORT: String(PANEL_PORT),
    JH4F_HOST: '127.0.0.1',
  });
}

function startBare(): ChildProcess {
  return startAs('jupyterhub-panel', [NODE, '-e', BARE_SERVER], { PATH: '/usr/bin:/bin', CERT, KEY, PORT: String(BARE_PORT) });
}

const settle = () => new Promise((r) => setTimeout(r, 2000));

/** The use the issue names: 1,000 GET /api/members (4 at a time) and 100 logins (each logged out again). */
export async function panelUse(ca: Buffer): Promise<void> {
  const base = `https://127.0.0.1:${PANEL_PORT}/panel`;
  const login = await call('POST', `${base}/api/session`, { ca, body: { username: 'mama', password: parents.mama } });
  if (login.status !== 200 || !login.cookie) throw new Error(`login answered ${login.status}: ${login.body.slice(0, 200)}`);
  await inParallel(READS, 4, async () => {
    const r = await call('GET', `${base}/api/members`, { ca, cookie: login.cookie });
    if (r.status !== 200) throw new Error(`GET /api/members answered ${r.status}: ${r.body.slice(0, 200)}`);
  });
  for (let i = 0; i < LOGINS; i++) {
    const r = await call('POST', `${base}/api/session`, { ca, body: { username: 'mama', password: parents.mama } });
    if (r.status !== 200) throw new Error(`login ${i} answered ${r.status}: ${r.body.slice(0, 200)}`);
    await call('DELETE', `${base}/api/session`, { ca, cookie: r.cookie });
  }
  await call('DELETE', `${base}/api/session`, { ca, cookie: login.cookie });
}

/** The same number of requests on the bare server. */
async function bareUse(ca: Buffer): Promise<void> {
  await inParallel(READS + 2 * LOGINS, 4, async () => {
    await call('GET', `https://127.0.0.1:${BARE_PORT}/`, { ca });
  });
}

export interface Levels {
  idle: number;
  afterOne: number;
  afterTwo: number;
}

async function levels(start: () => ChildProcess, url: string, use: (ca: Buffer) => Promise<void>): Promise<Levels> {
  const ca = fs.readFileSync(CERT);
  const child = start();
  try {
    await waitForHealth(url, ca);
    await get(url, ca);
    await settle();
    const idle = rssKiB(child.pid!) / 1024;
    await use(ca);
    await settle();
    const afterOne = rssKiB(child.pid!) / 1024;
    await use(ca);
    await settle();
    const afterTwo = rssKiB(child.pid!) / 1024;
    return { idle, afterOne, afterTwo };
  } finally {
    await stop(child);
  }
}

/** One panel started with these Node flags: RSS idle, after the use, after as much again. */
export function panelLevels(flags: readonly string[]): Promise<Levels> {
  return levels(() => startPanel(flags), `https://127.0.0.1:${PANEL_PORT}/panel/api/health`, panelUse);
}

export async function benchPanelMemory(): Promise<Figure[]> {
  const panel: Levels[] = [];
  const bare: Levels[] = [];
  for (let i = 0; i < RUNS; i++) {
    panel.push(await levels(startPanel, `https://127.0.0.1:${PANEL_PORT}/panel/api/health`, panelUse));
    bare.push(await levels(startBare, `https://127.0.0.1:${BARE_PORT}/`, bareUse));
  }
  const m = (list: Levels[], k: keyof Levels) => Math.round(median(list.map((l) => l[k])) * 10) / 10;
  const flags = ` (node ${PANEL_NODE_FLAGS.length ? PANEL_NODE_FLAGS.join(' ') : 'without flags'})`;
  const floorName = 'bare Node.js HTTPS server';
  return [
    { name: `panel idle RSS after start-up${flags}`, unit: 'MiB', median: m(panel, 'idle'), runs: RUNS, floorName, floor: m(bare, 'idle') },
    {
      name: `panel RSS after ${READS.toLocaleString('en-US')} GET /api/members + ${LOGINS} logins${flags}`,
      unit: 'MiB',
      median: m(panel, 'afterOne'),
      runs: RUNS,
      floorName: `${floorName} after ${READS + 2 * LOGINS} requests`,
      floor: m(bare, 'afterOne'),
    },
    {
      name: `panel RSS after another ${READS.toLocaleString('en-US')} + ${LOGINS}${flags}`,
      unit: 'MiB',
      median: m(panel, 'afterTwo'),
      runs: RUNS,
      floorName: `${floorName} after another ${READS + 2 * LOGINS}`,
      floor: m(bare, 'afterTwo'),
    },
  ];
}

async function scriptBytes(pageUrl: string, origin: string, ca: Buffer): Promise<number> {
  const html = (await get(pageUrl, ca)).body.toString('utf8');
  const sources = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
  if (sources.length === 0) throw new Error(`no scripts on ${pageUrl}`);
  let total = 0;
  for (const src of new Set(sources)) {
    const body = (await get(new URL(src, origin).toString(), ca)).body;
    total += zlib.gzipSync(body, { level: 9 }).length;
  }
  return total / 1024;
}

export async function benchLoginPageJs(panelUrl: string): Promise<Figure[]> {
  const ca = fs.readFileSync(CERT);
  const origin = new URL(panelUrl).origin;
  const page: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < 3; i++) {
    page.push(await scriptBytes(panelUrl, origin, ca));
    floor.push(await scriptBytes(`${panelUrl}/no-such-page`, origin, ca));
  }
  return [{ name: 'login page JavaScript, gzip -9', unit: 'KiB', median: median(page), runs: 3, floorName: 'Next.js 404 page of the same build', floor: median(floor) }];
}
