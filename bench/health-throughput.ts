// Throughput of GET /api/health under `wrk -c16` (Debian's wrk, keep-alive HTTPS,
// 2 threads) against the sandbox's running panel, next to the same load on a bare
// Node.js HTTPS server answering a small JSON body (the floor: what Node's TLS and
// HTTP cost on these cores). Interleaved rounds; wrk shares the 2 cores with the
// server in both cases. bench/prepare.sh installs wrk before the sandbox starts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { sandboxEnv } from '../test/sandbox/fixtures';
import { median, startAs, stop, waitForHealth, type Figure } from './lib';

const WRK = '/usr/bin/wrk';
const CERT = '/etc/jupyterhub-panel/tls/cert.pem';
const KEY = '/etc/jupyterhub-panel/tls/key.pem';
const ROUNDS = 3;
const SECONDS = 8;
const CONNECTIONS = 16;

const BARE_SERVER = `
const https = require('node:https'); const fs = require('node:fs');
https.createServer({ cert: fs.readFileSync(process.env.CERT), key: fs.readFileSync(process.env.KEY) }, (req, res) => {
  res.setHeader('content-type', 'application/json'); res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify({ ok: true, service: 'bare', uptimeSeconds: Math.round(process.uptime()) }));
}).listen(Number(process.env.PORT), '127.0.0.1');`;

/** Requests per second of one wrk run; fails on socket errors or non-2xx answers. */
export function wrkRate(url: string, seconds = SECONDS, connections = CONNECTIONS): number {
  const out = execFileSync(WRK, ['-t2', `-c${connections}`, `-d${seconds}s`, url], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rate) throw new Error(`wrk printed no rate:\n${out}`);
  if (/Non-2xx or 3xx responses/.test(out) || /Socket errors/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  return Number(rate[1]);
}

export async function benchHealthThroughput(): Promise<Figure[]> {
  if (!fs.existsSync(WRK)) throw new Error(`${WRK} is missing: bench/prepare.sh installs it (npm run bench runs it)`);
  const env = sandboxEnv();
  const ca = fs.readFileSync(CERT);
  const bare = startAs('jupyterhub-panel', [process.execPath, '-e', BARE_SERVER], { PATH: '/usr/bin:/bin', CERT, KEY, PORT: '8113' });
  const panelRates: number[] = [];
  const bareRates: number[] = [];
  try {
    await waitForHealth('https://127.0.0.1:8113/', ca);
    // Warm-up of both (JIT, TLS session state), not counted.
    wrkRate(`${env.panelUrl}/api/health`, 2);
    wrkRate('https://127.0.0.1:8113/', 2);
    for (let i = 0; i < ROUNDS; i++) {
      panelRates.push(wrkRate(`${env.panelUrl}/api/health`));
      bareRates.push(wrkRate('https://127.0.0.1:8113/'));
    }
  } finally {
    await stop(bare);
  }
  return [
    {
      name: `GET /api/health, wrk -t2 -c${CONNECTIONS} ${SECONDS} s`,
      unit: 'req/s',
      median: Math.round(median(panelRates)),
      runs: ROUNDS,
      floorName: 'bare Node.js HTTPS server, same wrk',
      floor: Math.round(median(bareRates)),
    },
  ];
}

if (process.argv[1] && /health-throughput\.ts$/.test(process.argv[1])) {
  benchHealthThroughput().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
