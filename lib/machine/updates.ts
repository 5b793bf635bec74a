import 'server-only';
// Where the machine stands with its updates, read as the panel's own account (no
// root): pending updates from a simulated `apt-get dist-upgrade`, the last
// finished upgrade from apt's history, Debian's reboot-required marker, and which
// family services run old code (old-code.ts). Each part that cannot be read says
// so with its reason; it never reads as "up to date".
//
// apt takes a few seconds, so the report is kept and shared (single flight) and
// made again when one of its inputs changed (dpkg's database, apt's sources,
// configuration, lists and history, the reboot marker, the services' pid files)
// or after MAX_AGE_MS. A
// request waits for a new report at most WAIT_MS, then answers with the one it has
// (`refreshing`), or none yet (`checking`): a page never waits on apt for long.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { singleFlightCache } from '../hub/single-flight-cache';
import { lastUpgradeIn, type LastUpgrade } from './apt-history';
import { parseSimulatedUpgrade, type PendingPackage } from '../shared/apt-simulation';
import { closureOf, parseDpkgStatus, type InstalledPackage } from './dpkg-status';
import { changedSince, SERVICE_PACKAGES } from './old-code';
import { serviceStarts, type FamilyService } from './service-processes';

export const APT_TIMEOUT_MS = 60_000;
export const MAX_AGE_MS = 10 * 60_000;
export const WAIT_MS = 2500;

const HISTORY = '/var/log/apt/history.log';
const DPKG_STATUS = '/var/lib/dpkg/status';
const DPKG_INFO = '/var/lib/dpkg/info';
const REBOOT = '/run/reboot-required';
const REBOOT_PKGS = '/run/reboot-required.pkgs';
/** A change of any of these makes the next request check again. */
const INPUTS = [
  DPKG_STATUS,
  '/etc/apt/sources.list',
  '/etc/apt/sources.list.d',
  '/etc/apt/apt.conf.d',
  '/var/lib/apt/lists',
  '/var/cache/apt/pkgcache.bin',
  HISTORY,
  REBOOT,
  REBOOT_PKGS,
  '/run/jupyterhub4family/hub.pid',
  '/run/jupyterhub4family/helper.pid',
];

/** One part of the report: its facts, or why it could not be read (English, for the Details). */
export type Part<T> = ({ ok: true } & T) | { ok: false; reason: string };

export interface ServiceCode {
  service: FamilyService;
  state: 'current' | 'old' | 'not_running' | 'unknown';
  /** The service's packages that changed after it started. */
  changed: string[];
  reason?: string;
}

export interface UpdatesReport {
  checkedAt: string;
  ms: number;
  pending: Part<{ security: PendingPackage[]; other: PendingPackage[] }>;
  lastUpgrade: Part<{ upgrade: LastUpgrade | null }>;
  reboot: Part<{ required: boolean; packages: string[] }>;
  services: Part<{ list: ServiceCode[] }>;
}

function why(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * `apt-get -s dist-upgrade` as the panel: no lock (Debug::NoLocking: it only reads),
 * bounded in time, at the lowest CPU priority: apt reads every package list for
 * seconds (6.5 s of CPU on the 2-core build machine), and the hub's health checks and
 * the kids' servers must not wait for it. Where the panel's unit refuses
 * setpriority (SystemCallFilter ~@resources), nice says so on stderr and runs apt as it is.
 */
function simulate(): Promise<UpdatesReport['pending']> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/nice',
      ['-n', '19', '/usr/bin/apt-get', '-s', '-q', '-o', 'Debug::NoLocking=true', 'dist-upgrade'],
      { timeout: APT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } as unknown as NodeJS.ProcessEnv },
      (error, stdout, stderr) => {
        if (error) {
          const e = error as NodeJS.ErrnoException & { killed?: boolean };
          // All of apt's error lines: the first says what is wrong (a malformed source), the last only that it failed.
          const errors = String(stderr)
            .split('\n')
            .filter((l) => /^E: /.test(l))
            .join(' ');
          const reason = e.killed ? `apt-get did not finish within ${APT_TIMEOUT_MS / 1000} s` : errors || why(error);
          return resolve({ ok: false, reason });
        }
        resolve({ ok: true, ...parseSimulatedUpgrade(String(stdout)) });
      },
    );
  });
}

function readHistory(): UpdatesReport['lastUpgrade'] {
  try {
    const upgrade = lastUpgradeIn(fs.readFileSync(HISTORY, 'utf8'));
    if (upgrade) return { ok: true, upgrade };
    // logrotate moves last month's runs to history.log.1.gz.
    try {
      return { ok: true, upgrade: lastUpgradeIn(gunzipSync(fs.readFileSync(`${HISTORY}.1.gz`)).toString('utf8')) };
    } catch {
      return { ok: true, upgrade: null };
    }
  } catch (e) {
    // No history at all: apt has never run here; anything else (EACCES) is unknown.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, upgrade: null };
    return { ok: false, reason: why(e) };
  }
}

function readReboot(): UpdatesReport['reboot'] {
  try {
    if (!fs.existsSync(REBOOT)) return { ok: true, required: false, packages: [] };
    let packages: string[] = [];
    try {
      packages = [
        ...new Set(
          fs
            .readFileSync(REBOOT_PKGS, 'utf8')
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
        ),
      ];
    } catch {
      /* the marker names no packages */
    }
    return { ok: true, required: true, packages };
  } catch (e) {
    return { ok: false, reason: why(e) };
  }
}

async function listChanged(p: InstalledPackage): Promise<number | null> {
  for (const file of [`${p.name}.list`, `${p.name}:${p.arch}.list`]) {
    const st = await fs.promises.stat(`${DPKG_INFO}/${file}`).catch(() => null);
    if (st) return st.mtimeMs;
  }
  return null;
}

interface ParsedStatus {
  mtimeMs: number;
  installed: Map<string, InstalledPackage>;
}
const parsedStatus = ((globalThis as { [k: symbol]: { last: ParsedStatus | null } })[Symbol.for('jh4f.machine.dpkg-status')] ??= { last: null });

/**
 * dpkg's database, parsed again only when dpkg changed it. It is about 1 MB (1,000
 * packages): parsed in slices with a turn of the event loop between them, so the
 * panel's other work (the hub's health checks, with their 1.5 s limits) never
 * waits for the whole parse.
 */
async function installedPackages(): Promise<Map<string, InstalledPackage>> {
  const { mtimeMs } = await fs.promises.stat(DPKG_STATUS);
  if (parsedStatus.last?.mtimeMs === mtimeMs) return parsedStatus.last.installed;
  const stanzas = (await fs.promises.readFile(DPKG_STATUS, 'utf8')).split(/\n\n+/);
  const installed = new Map<string, InstalledPackage>();
  for (let i = 0; i < stanzas.length; i += 100) {
    for (const [name, p] of parseDpkgStatus(stanzas.slice(i, i + 100).join('\n\n'))) installed.set(name, p);
    await new Promise((r) => setImmediate(r));
  }
  parsedStatus.last = { mtimeMs, installed };
  return installed;
}

async function readServices(): Promise<UpdatesReport['services']> {
  let installed: Map<string, InstalledPackage>;
  try {
    installed = await installedPackages();
  } catch (e) {
    return { ok: false, reason: why(e) };
  }
  const starts = await serviceStarts();
  const list = await Promise.all(
    starts.map(async (s): Promise<ServiceCode> => {
      if ('unknown' in s) return { service: s.service, state: 'unknown', changed: [], reason: s.unknown };
      if (!s.running) return { service: s.service, state: 'not_running', changed: [] };
      const spec = SERVICE_PACKAGES[s.service];
      const names = [...new Set([...closureOf([...spec.closureOf], installed), ...spec.alone.filter((n) => installed.has(n))])];
      const times = await Promise.all(names.map((name) => listChanged(installed.get(name) as InstalledPackage)));
      const changedAt = new Map<string, number>();
      names.forEach((name, i) => {
        const at = times[i];
        if (at !== null && at !== undefined) changedAt.set(name, at);
      });
      const changed = changedSince(s.startedAt, changedAt);
      return { service: s.service, state: changed.length > 0 ? 'old' : 'current', changed };
    }),
  );
  return { ok: true, list };
}

async function computeReport(): Promise<UpdatesReport> {
  const start = Date.now();
  const [pending, services] = await Promise.all([simulate(), readServices().catch((e) => ({ ok: false as const, reason: why(e) }))]);
  return { checkedAt: new Date().toISOString(), ms: Date.now() - start, pending, lastUpgrade: readHistory(), reboot: readReboot(), services };
}

function inputsKey(): string {
  return INPUTS.map((p) => fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? '-').join(' ');
}

interface Kept {
  report: UpdatesReport | null;
  key: string;
}
const kept = ((globalThis as { [k: symbol]: Kept })[Symbol.for('jh4f.machine.updates.kept')] ??= { report: null, key: '' });
const flight = singleFlightCache<{ report: UpdatesReport; key: string }>('machine.updates', 0, async () => {
  const key = inputsKey();
  const report = await computeReport();
  kept.report = report;
  kept.key = key;
  return { report, key };
});

export interface UpdatesAnswer {
  /** null: the first check is still under way. */
  report: UpdatesReport | null;
  /** A newer check is under way; this one may be out of date. */
  refreshing: boolean;
}

/** The report as it stands, made again first (waiting at most `waitMs`) when it is old or its inputs changed. */
export async function updatesAnswer(waitMs = WAIT_MS): Promise<UpdatesAnswer> {
  const old = kept.report;
  if (old && kept.key === inputsKey() && Date.now() - Date.parse(old.checkedAt) < MAX_AGE_MS) return { report: old, refreshing: false };
  const next = flight.get({ fresh: true });
  next.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const waited = await Promise.race([next.then((v) => v.report).catch(() => null), new Promise<null>((r) => (timer = setTimeout(() => r(null), waitMs)))]);
  clearTimeout(timer);
  return waited ? { report: waited, refreshing: false } : { report: old, refreshing: true };
}
