// Idle memory of the production panel after start-up, next to a bare Node.js HTTPS
// server (the floor: what any Node HTTPS service costs); and the compressed size of
// the JavaScript the login page loads, next to the framework's own share (the JS a
// Next.js 404 page of the same build loads).
import fs from 'node:fs';
import zlib from 'node:zlib';
import { get, median, rssKiB, startAs, stop, waitForHealth, type Figure } from './lib';

const CERT = '/etc/jupyterhub-panel/tls/cert.pem';
const KEY = '/etc/jupyterhub-panel/tls/key.pem';
const NODE = process.execPath;
const RUNS = 5;

const BARE_SERVER = `
const https = require('node:https'); const fs = require('node:fs');
https.createServer({ cert: fs.readFileSync(process.env.CERT), key: fs.readFileSync(process.env.KEY) }, (req, res) => {
  res.setHeader('content-type', 'application/json'); res.end('{"ok":true}');
}).listen(Number(process.env.PORT), '127.0.0.1');`;

async function idleRss(argv: string[], env: Record<string, string>, url: string): Promise<number> {
  const ca = fs.readFileSync(CERT);
  const child = startAs('jupyterhub-panel', argv, env);
  try {
    await waitForHealth(url, ca);
    await get(url, ca);
    await new Promise((r) => setTimeout(r, 2000));
    return rssKiB(child.pid!) / 1024;
  } finally {
    await stop(child);
  }
}

export async function benchPanelMemory(): Promise<Figure[]> {
  const panel: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    panel.push(
      await idleRss(
        [NODE, '/usr/lib/jupyterhub-panel/dist/server/server.js'],
        { PATH: '/usr/bin:/bin', NODE_ENV: 'production', JH4F_APP_DIR: '/usr/lib/jupyterhub-panel', JH4F_PORT: '8111', JH4F_HOST: '127.0.0.1' },
        'https://127.0.0.1:8111/panel/api/health',
      ),
    );
    bare.push(await idleRss([NODE, '-e', BARE_SERVER], { PATH: '/usr/bin:/bin', CERT, KEY, PORT: '8112' }, 'https://127.0.0.1:8112/'));
  }
  return [{ name: 'panel idle RSS after start-up', unit: 'MiB', median: median(panel), runs: RUNS, floorName: 'bare Node.js HTTPS server', floor: median(bare) }];
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
