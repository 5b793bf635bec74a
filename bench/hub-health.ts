// Benchmark of the hub dashboard's full health check (lib/hub/checks.ts
// computeReport, no cache), with the hub up and with it hanging (its SCREEN
// parent and the hub process stopped with SIGSTOP; both continued afterwards).
// Runs inside the sandbox as root, on either hub kind: the family hub (the set-up's
// background hub, its pid in /run/jupyterhub4family/hub.pid) or, with
// JH4F_SANDBOX_HUB=seed, a 1.0 hub inside screen (its pid in ~jupyterhub/hub.pid).
import fs from 'node:fs';
import { health } from '../lib/hub/hub-client';
import { CHECK_TIMEOUT_MS } from '../lib/hub/check-rules';
import { computeReport } from '../lib/hub/checks';
import { FAMILY_HUB_PID_FILE } from '../lib/shared/hub-kind';
import { sandboxEnv } from '../test/sandbox/fixtures';
import { median, type Figure } from './lib';

const SEED_HUB_PID_FILE = '/home/jupyterhub/hub.pid';
const RUNS = 7;

/** The hub's pid, checked to be a running jupyterhub (a stale pid file must not stop some other process). */
function hubPid(file: string): number {
  const pid = Number(fs.readFileSync(file, 'utf8').trim());
  const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  if (!/jupyterhub/.test(cmdline)) throw new Error(`${file} names pid ${pid}, which is not the hub (${cmdline})`);
  return pid;
}

async function measure(runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await computeReport();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function benchHubHealth(): Promise<Figure[]> {
  if (process.env.JH4F_SANDBOX !== '1') throw new Error('bench/hub-health.ts runs inside the sandbox (npm run bench)');
  await computeReport(); // warm up: module loading, the pinned certificate
  const up = median(await measure(RUNS));
  // The floor: the single request every health check needs, GET /hub/health.
  const single: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await health();
    single.push(performance.now() - t0);
  }

  const seed = sandboxEnv().hubKind === 'seed';
  const hub = hubPid(seed ? SEED_HUB_PID_FILE : FAMILY_HUB_PID_FILE);
  // A seed hub is a screen window: screen would continue a stopped window process at once.
  const screen = seed ? Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${hub}/status`, 'utf8'))?.[1]) : null;
  let hanging: number;
  if (screen) process.kill(screen, 'SIGSTOP');
  process.kill(hub, 'SIGSTOP');
  try {
    hanging = median(await measure(3));
  } finally {
    process.kill(hub, 'SIGCONT');
    if (screen) process.kill(screen, 'SIGCONT');
  }
  return [
    { name: 'hub health check, hub up', unit: 'ms', median: Math.round(up), runs: RUNS, floor: Math.round(median(single)), floorName: 'one GET /hub/health' },
    // With a hanging hub the checks end at their deadline; the bound is the requirement (SECURITY-CASES 28: under 2 s).
    { name: 'hub health check, hub hanging', unit: 'ms', median: Math.round(hanging), runs: 3, floor: CHECK_TIMEOUT_MS, floorName: 'per-check timeout' },
  ];
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  benchHubHealth().then((r) => console.log(JSON.stringify(r, null, 1)));
}
