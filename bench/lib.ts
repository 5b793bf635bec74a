// Small helpers for the benchmarks: medians, process start/stop, RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';

export interface Figure {
  name: string;
  unit: string;
  median: number;
  runs: number;
  /** What the figure is compared with, measured in the same run. */
  floorName?: string;
  floor?: number;
  /** The largest of the runs, where the spread matters (printed after the median). */
  max?: number;
  floorMax?: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export function rssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

export function get(url: string, ca: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
      })
      .on('error', reject);
  });
}

export async function waitForHealth(url: string, ca: Buffer, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await get(url, ca);
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`no answer from ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function startAs(user: string, argv: string[], env: Record<string, string>): ChildProcess {
  return spawn('/usr/bin/setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', '/usr/bin/env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export function format(figure: Figure): string {
  const value = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(n < 10 ? 2 : 1)} ${figure.unit}`;
  const max = (n: number | undefined) => (n === undefined ? '' : `, max ${value(n)}`);
  let line = `${figure.name}: median ${value(figure.median)}${max(figure.max)} over ${figure.runs} runs`;
  if (figure.floor !== undefined) {
    line += ` | floor (${figure.floorName}): ${value(figure.floor)}${max(figure.floorMax)} | ratio ${(figure.median / figure.floor).toFixed(2)}x`;
  }
  return line;
}

export interface CallAnswer {
  status: number;
  body: string;
  /** The jh4f_session cookie pair the answer set, or null. */
  cookie: string | null;
}

/** One HTTPS request on a fresh connection (as a browser's first request), with the panel's Origin on changes. */
export function call(method: string, url: string, opts: { ca: Buffer; cookie?: string | null; body?: unknown; origin?: string }): Promise<CallAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
    if (method !== 'GET') headers.origin = opts.origin ?? new URL(url).origin;
    if (opts.cookie) headers.cookie = opts.cookie;
    const req = https.request(url, { method, ca: opts.ca, headers, agent: false, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const set = (res.headers['set-cookie'] ?? []).find((l) => l.startsWith('jh4f_session='));
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), cookie: set ? set.split(';')[0]! : null });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `count` calls of `fn`, at most `parallel` at a time. */
export async function inParallel(count: number, parallel: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}
