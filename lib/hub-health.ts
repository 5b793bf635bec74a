import 'server-only';
// The hub dashboard's checks. They run in parallel, each with its own deadline
// (CHECK_TIMEOUT_MS from the start), so a hanging hub costs at most that long and
// the whole report is ready well under 2 s. Results are cached for CACHE_MS and
// one computation in flight is shared by every caller, so many open tabs do not
// multiply the checks. Details are message keys of the `hub.detail` catalog
// section with values, so the page shows them in the parent's language.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { classifyCmdline, HUB_ACCOUNT, splitCmdline, uidFromPasswd, uidFromStatus, type HubProcessKind } from './hub-facts';
import { detectHubKind, FAMILY_HUB_CERT, FAMILY_HUB_LOG, FAMILY_HUB_PID_FILE, FAMILY_HUB_STATE_DIR, FAMILY_HUB_UNIT, isFamilyKind, type HubKind } from './hub-kind';
import * as hub from './hub-client';
import { HelperError, runHelper } from './helper-client';
import { settings } from './settings';
import {
  adviceFor,
  overallState,
  type CheckId,
  type CheckResult,
  type CheckStatus,
  type Detail,
  type HubReport,
  type RunningServerUser,
} from './hub-report';

export type { CheckId, CheckResult, CheckStatus, Detail, HubReport } from './hub-report';

export const CHECK_TIMEOUT_MS = 1500;
export const CACHE_MS = 5000;
export const CERT_WARN_DAYS = 30;
/** Free space below this is a warning, below a tenth of it a failure. */
export const DISK_WARN_BYTES = 2 * 1024 ** 3;
export const DISK_WARN_FRACTION = 0.05;

const d = (key: string, values: Record<string, string | number> = {}): Detail => ({ key, values });

class CheckTimeout extends Error {}

/** Resolve with the check, or a timeout failure when the deadline comes first. */
async function timed(
  id: CheckId,
  started: number,
  deadline: number,
  fn: () => Promise<Omit<CheckResult, 'id' | 'ms'>>,
): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout()), Math.max(0, deadline - Date.now()));
  });
  const t0 = performance.now();
  try {
    const r = await Promise.race([fn(), timeout]);
    return { id, ...r, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    const ms = Math.round(performance.now() - t0);
    if (e instanceof CheckTimeout || (e instanceof hub.HubError && e.kind === 'timeout')) {
      return { id, status: 'fail', detail: d('timedOut', { seconds: ((deadline - started) / 1000).toFixed(1) }), ms, timedOut: true };
    }
    if (e instanceof hub.HubError) return { id, status: 'fail', detail: hubErrorDetail(e), ms };
    console.error(`hub check ${id} failed`, e);
    return { id, status: 'fail', detail: d('internalError'), ms };
  } finally {
    clearTimeout(timer);
  }
}

function hubErrorDetail(e: hub.HubError): Detail {
  const port = new URL(settings().hubUrl).port || '443';
  switch (e.kind) {
    case 'refused':
      return d('portClosed', { port });
    case 'not_tls':
      return d('notTls', { port });
    case 'cert_mismatch':
      return d('certMismatch', { port });
    case 'cert_expired':
      return d('certExpiredTls');
    case 'no_cert':
      return d('noPinnedCert');
    case 'not_hub':
      return d('notHub', { port });
    case 'http':
      return d('httpStatus', { status: e.status ?? 0 });
    case 'unauthorized':
      return d('tokenRejected');
    case 'no_token':
      return d('notConnected');
    case 'timeout':
      return d('timedOut', { seconds: (CHECK_TIMEOUT_MS / 1000).toFixed(1) });
    default:
      return d('networkError', { message: e.message.slice(0, 200) });
  }
}

// ---- facts from this machine ------------------------------------------------------

interface HubAccountFacts {
  uid: number;
  home: string;
}

function hubAccount(): HubAccountFacts | null {
  try {
    return uidFromPasswd(fs.readFileSync('/etc/passwd', 'utf8'), HUB_ACCOUNT);
  } catch {
    return null;
  }
}

interface ProcFact {
  pid: number;
  kind: HubProcessKind;
  stopped: boolean;
}

async function netNamespace(pid: number | 'self'): Promise<string | null> {
  try {
    return await fs.promises.readlink(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

/**
 * Processes of the hub account that are the hub or the proxy, from /proc, in
 * this network namespace. The panel account may not read another account's
 * namespace links; such processes come back as `unverified` and the check then
 * prefers the helper's (root) list.
 */
async function scanProcesses(uid: number): Promise<{ procs: ProcFact[]; unverified: boolean }> {
  const out: ProcFact[] = [];
  let unverified = false;
  const ownNet = await netNamespace('self');
  const names = await fs.promises.readdir('/proc');
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        try {
          const status = await fs.promises.readFile(`/proc/${n}/status`, 'utf8');
          if (uidFromStatus(status) !== uid) return;
          const kind = classifyCmdline(splitCmdline(await fs.promises.readFile(`/proc/${n}/cmdline`, 'utf8')));
          if (!kind) return;
          const state = /^State:\s+(\S)/m.exec(status)?.[1] ?? '';
          if (state === 'Z') return;
          const net = await netNamespace(Number(n));
          if (net === null) unverified = true;
          else if (ownNet !== null && net !== ownNet) return;
          out.push({ pid: Number(n), kind, stopped: state === 'T' });
        } catch {
          /* gone meanwhile, or not readable */
        }
      }),
  );
  return { procs: out.sort((a, b) => a.pid - b.pid), unverified };
}

// ---- hub-status through the helper ------------------------------------------------

export interface HubStatusFacts {
  installed: boolean;
  kind?: HubKind;
  crontab?: { line: string | null; problem: string | null };
  screen?: { running: boolean; problem: string | null };
  cert?: { exists: boolean; problem: string | null; pem?: string; notAfter?: string; fingerprint256?: string };
  key?: { exists: boolean; matchesCert: boolean | null; problem: string | null };
  config?: { path: string; exists: boolean; panelBlock: boolean };
  panel?: { connected: boolean; tokenFileExists: boolean };
  processes?: ProcFact[];
  log?: { path: string; exists: boolean; lines: string[]; problem: string | null };
}

/** The helper's hub-status, reshaped. Rejects with HelperError. */
export async function hubStatus(opts: { logLines?: number; timeoutMs?: number } = {}): Promise<HubStatusFacts> {
  const args = opts.logLines ? ['--log-lines', String(opts.logLines)] : [];
  const r = await runHelper('hub-status', args, { timeoutMs: opts.timeoutMs ?? CHECK_TIMEOUT_MS });
  const facts = r as unknown as HubStatusFacts;
  if (facts.cert?.pem) hub.rememberHubCertificate(facts.cert.pem);
  return facts;
}

/** The family hub's certificate (root's, world-readable) in the shape hub-status gives. */
async function familyStatus(): Promise<HubStatusFacts> {
  try {
    const cert = new X509Certificate(await fs.promises.readFile(FAMILY_HUB_CERT, 'utf8'));
    return { installed: true, cert: { exists: true, problem: null, pem: cert.toString(), notAfter: new Date(cert.validTo).toISOString(), fingerprint256: cert.fingerprint256 } };
  } catch {
    return { installed: true, cert: { exists: false, problem: `${FAMILY_HUB_CERT} cannot be read` } };
  }
}

/**
 * The hub's log: the background family hub's file (root's, readable by the panel's
 * group); the journal of jupyterhub.service and a seed hub's bootstrap.log through
 * the helper (as root, or as the hub account).
 */
export async function bootstrapLog(lines = 50): Promise<{ path: string; lines: string[]; exists: boolean }> {
  if (detectHubKind() === 'family-background') {
    try {
      const text = await readTail(FAMILY_HUB_LOG, lines * 4096);
      const all = text.split('\n');
      if (all.at(-1) === '') all.pop();
      return { path: FAMILY_HUB_LOG, lines: all.slice(-lines).map((l) => l.slice(0, 2000)), exists: true };
    } catch {
      return { path: FAMILY_HUB_LOG, lines: [], exists: false };
    }
  }
  const facts = await hubStatus({ logLines: lines, timeoutMs: 10_000 });
  return { path: facts.log?.path ?? '', lines: facts.log?.lines ?? [], exists: facts.log?.exists ?? false };
}

/** At most maxBytes from the end of a regular file (opened without waiting on a FIFO). */
async function readTail(path: string, maxBytes: number): Promise<string> {
  const handle = await fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    const start = Math.max(0, st.size - maxBytes);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes));
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}

function helperFailure(e: unknown): Omit<CheckResult, 'id' | 'ms'> {
  if (e instanceof HelperError) {
    if (e.code === 'timeout') return { status: 'fail', detail: d('timedOut', { seconds: (CHECK_TIMEOUT_MS / 1000).toFixed(1) }), timedOut: true };
    return { status: 'warn', detail: d('helperFailed', { code: e.code }) };
  }
  throw e;
}

// ---- the family hub: systemd's view, or the background hub's pid file ---------------

/** `systemctl show` of the hub's unit, as the panel account (no root needed). */
function unitFacts(timeoutMs: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/systemctl',
      ['show', FAMILY_HUB_UNIT, '--property=ActiveState,SubState,MainPID'],
      { timeout: timeoutMs, env: { PATH: '/usr/bin:/bin', LANG: 'C' } as unknown as NodeJS.ProcessEnv },
      (error, stdout) => {
        if (error) return reject(error);
        const out: Record<string, string> = {};
        for (const line of stdout.split('\n')) {
          const eq = line.indexOf('=');
          if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
        }
        resolve(out);
      },
    );
  });
}

/** The family hub under systemd: its unit's main process, and the proxy if its API port answers. */
async function unitProcesses(timeoutMs: number): Promise<ProcFact[]> {
  const out: ProcFact[] = [];
  const u = await unitFacts(timeoutMs).catch(() => ({}) as Record<string, string>);
  const pid = Number(u.MainPID ?? 0);
  if (u.ActiveState === 'active' && pid > 0) out.push({ pid, kind: 'hub', stopped: false });
  const proxyAnswers = await new Promise<boolean>((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port: PROXY_API_PORT, timeout: Math.min(timeoutMs, 1000) });
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
  if (proxyAnswers) out.push({ pid: 0, kind: 'proxy', stopped: false });
  return out;
}

/** The family hub's proxy API (system/hub/jupyterhub_config.py). */
const PROXY_API_PORT = 8001;

/** The background hub's pid (root's pid file), when that process is the hub. */
async function backgroundHubPid(procs: Promise<ProcFact[]>): Promise<number | null> {
  let text: string;
  try {
    text = await fs.promises.readFile(FAMILY_HUB_PID_FILE, 'utf8');
  } catch {
    return null;
  }
  const pid = /^\d{1,10}\s*$/.test(text) ? Number(text.trim()) : null;
  return pid !== null && (await procs).some((p) => p.pid === pid && p.kind === 'hub') ? pid : null;
}

async function familyServiceCheck(kind: 'family-systemd' | 'family-background', procs: Promise<ProcFact[]>, timeoutMs: number): Promise<Omit<CheckResult, 'id' | 'ms'>> {
  if (kind === 'family-systemd') {
    const u = await unitFacts(timeoutMs);
    const values = { unit: FAMILY_HUB_UNIT, state: `${u.ActiveState ?? '?'}/${u.SubState ?? '?'}` };
    if (u.ActiveState === 'active') return { status: 'ok', detail: d('unitActive', values) };
    return { status: u.ActiveState === 'failed' || u.ActiveState === 'inactive' ? 'fail' : 'warn', detail: d('unitNotActive', values) };
  }
  const pid = await backgroundHubPid(procs);
  if (pid === null) return { status: 'fail', detail: d('backgroundStopped') };
  return { status: 'ok', detail: d('backgroundRunning', { pid }) };
}

// ---- the checks -----------------------------------------------------------------------

/** Evaluate free space. Pure. */
export function diskStatus(freeBytes: number, totalBytes: number): CheckStatus {
  const limit = Math.min(DISK_WARN_BYTES, totalBytes * DISK_WARN_FRACTION);
  if (freeBytes < limit / 10) return 'fail';
  if (freeBytes < limit) return 'warn';
  return 'ok';
}

/** Evaluate a certificate end date. Pure. */
export function certStatus(notAfter: Date, now: Date): { status: CheckStatus; days: number } {
  const days = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  if (notAfter.getTime() <= now.getTime()) return { status: 'fail', days };
  return { status: days < CERT_WARN_DAYS ? 'warn' : 'ok', days };
}

const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);

async function diskCheck(path: string): Promise<Omit<CheckResult, 'id' | 'ms'>> {
  const s = await fs.promises.statfs(path);
  const free = s.bavail * s.bsize;
  const total = s.blocks * s.bsize;
  return { status: diskStatus(free, total), detail: d('diskFree', { path, free: gib(free), total: gib(total) }) };
}

export async function computeReport(): Promise<HubReport> {
  const started = Date.now();
  const deadline = started + CHECK_TIMEOUT_MS;
  const cfg = settings();
  const kind = detectHubKind();
  const family = isFamilyKind(kind);
  const account = family ? { uid: 0, home: FAMILY_HUB_STATE_DIR } : hubAccount();
  const t0 = performance.now();

  if (kind === 'none' || !account) {
    const skipped = (id: CheckId): CheckResult => ({ id, status: 'skipped', detail: d('noHub'), ms: 0 });
    const checks: CheckResult[] = (['hub-process', 'proxy-process', 'hub-health'] as CheckId[]).map(skipped);
    return { state: 'not_installed', kind: 'none', advice: adviceFor('not_installed', checks), checks, users: [], checkedAt: new Date(started).toISOString(), ms: Math.round(performance.now() - t0), version: null, connected: false };
  }

  // Shared inputs, each started once. The family hub needs no root to look at:
  // its certificate, pid file and unit are readable by the panel account.
  const statusP: Promise<HubStatusFacts> = family ? familyStatus() : hubStatus({ timeoutMs: CHECK_TIMEOUT_MS });
  statusP.catch(() => undefined);
  const caP: Promise<string | undefined> = (async () => {
    const pinned = hub.pinnedCertificate();
    if (pinned) return pinned.pem;
    try {
      return (await statusP).cert?.pem;
    } catch {
      return undefined;
    }
  })();
  const callOpts = async () => ({ timeoutMs: Math.max(1, deadline - Date.now()), ca: await caP });
  const connected = hub.hubToken() !== null;
  let versionText: string | null = null;
  let certValidTo: string | null = null;
  let users: RunningServerUser[] = [];

  const processesP = (async (): Promise<ProcFact[]> => {
    // Under systemd the panel sees no other account's processes (ProtectProc=
    // invisible): the hub is its unit's main process, the proxy is what answers on
    // the proxy's API port.
    if (kind === 'family-systemd') return unitProcesses(Math.max(1, deadline - Date.now()));
    const own = await scanProcesses(account.uid);
    // Root's namespace links are closed to the panel; the family hub is root's and
    // this pid namespace's, which is what counts.
    if (!own.unverified || family) return own.procs;
    try {
      const s = await statusP;
      if (Array.isArray(s.processes)) return s.processes;
    } catch {
      /* the helper failed: take the unverified list */
    }
    return own.procs;
  })();
  const processCheck = (kind: HubProcessKind) => async (): Promise<Omit<CheckResult, 'id' | 'ms'>> => {
    const procs = (await processesP).filter((p) => p.kind === kind);
    const user = family ? 'root' : HUB_ACCOUNT;
    if (procs.length === 0) return { status: 'fail', detail: d(kind === 'hub' ? 'hubNotRunning' : 'proxyNotRunning', { user }) };
    const pids = procs.map((p) => p.pid).filter((pid) => pid > 0).join(', ');
    if (!pids) return { status: 'ok', detail: d('proxyAnswers', { port: PROXY_API_PORT }) };
    if (procs.some((p) => p.stopped)) return { status: 'fail', detail: d('processStopped', { pids }) };
    return { status: 'ok', detail: d('processRunning', { pids, user }) };
  };

  const checks = await Promise.all([
    timed('hub-process', started, deadline, processCheck('hub')),
    timed('proxy-process', started, deadline, processCheck('proxy')),
    timed('hub-health', started, deadline, async () => {
      const h = await hub.health(await callOpts());
      certValidTo = h.certValidTo;
      return { status: 'ok', detail: d('healthOk') };
    }),
    timed('hub-version', started, deadline, async () => {
      versionText = await hub.version(await callOpts());
      return { status: 'ok', detail: d('version', { version: versionText }) };
    }),
    timed('hub-api', started, deadline, async () => {
      if (!connected) return { status: 'skipped', detail: d('notConnected') };
      const i = await hub.info(await callOpts());
      return { status: 'ok', detail: d('apiOk', { version: i.version, spawner: (i.spawner ?? '?').split('.').at(-1) ?? '?' }) };
    }),
    timed('hub-users', started, deadline, async () => {
      if (!connected) return { status: 'skipped', detail: d('notConnected') };
      const all = await hub.usersWithServers(await callOpts());
      users = all
        .filter((u) => u.running > 0)
        .map((u) => ({ name: u.name, running: u.running, lastActivity: u.lastActivity, ready: u.servers.some((s) => s.ready) }));
      return { status: 'ok', detail: d('usersRunning', { count: users.length, total: all.length }) };
    }),
    timed('service', started, deadline, async () => {
      if (family) return familyServiceCheck(kind, processesP, Math.max(1, deadline - Date.now()));
      let s: HubStatusFacts;
      try {
        s = await statusP;
      } catch (e) {
        return helperFailure(e);
      }
      if (!s.installed) return { status: 'fail', detail: d('noHubAccount') };
      if (!s.crontab?.line) return { status: 'warn', detail: d('noCrontab') };
      if (!s.screen?.running) return { status: 'warn', detail: d('noScreen') };
      return { status: 'ok', detail: d('serviceOk') };
    }),
    timed('certificate', started, deadline, async () => {
      let notAfter: string | undefined;
      let keyProblem = false;
      try {
        const s = await statusP;
        notAfter = s.cert?.notAfter;
        keyProblem = s.key?.matchesCert === false;
      } catch {
        const pinned = hub.pinnedCertificate();
        if (pinned) notAfter = new Date(new X509Certificate(pinned.pem).validTo).toISOString();
      }
      if (!notAfter) return { status: 'skipped', detail: d('certUnknown') };
      if (keyProblem) return { status: 'fail', detail: d('keyMismatch') };
      const c = certStatus(new Date(notAfter), new Date());
      const date = notAfter.slice(0, 10);
      if (c.status === 'fail') return { status: 'fail', detail: d('certExpired', { date }) };
      return { status: c.status, detail: d(c.status === 'ok' ? 'certValid' : 'certExpiresSoon', { date, days: c.days }) };
    }),
    timed('disk-home', started, deadline, () => diskCheck('/home')),
    timed('disk-hub-home', started, deadline, () => diskCheck(account.home || cfg.hubHome)),
    timed('load', started, deadline, async () => {
      const [one] = os.loadavg();
      const cpus = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
      const load = one ?? 0;
      return { status: load > cpus * 2 ? 'warn' : 'ok', detail: d('load', { load: load.toFixed(2), cpus }) };
    }),
    timed('memory', started, deadline, async () => {
      const total = os.totalmem();
      const free = os.freemem();
      return { status: free / total < 0.05 ? 'warn' : 'ok', detail: d('memory', { free: gib(free), total: gib(total) }) };
    }),
  ]);

  // The certificate the hub presented, when hub-status could not tell.
  const cert = checks.find((c) => c.id === 'certificate');
  if (cert && cert.status === 'skipped' && certValidTo) {
    const c = certStatus(new Date(certValidTo), new Date());
    const date = (certValidTo as string).slice(0, 10);
    cert.status = c.status;
    cert.detail = d(c.status === 'fail' ? 'certExpired' : c.status === 'ok' ? 'certValid' : 'certExpiresSoon', { date, days: c.days });
  }

  const state = overallState(checks);
  return {
    state,
    kind,
    advice: adviceFor(state, checks),
    checks,
    users,
    checkedAt: new Date(started).toISOString(),
    ms: Math.round(performance.now() - t0),
    version: versionText,
    connected,
  };
}

// ---- the cache ------------------------------------------------------------------------

const CACHE_KEY = Symbol.for('jh4f.hub-health.cache');
interface Cache {
  report: HubReport | null;
  at: number;
  inflight: Promise<HubReport> | null;
}
function cache(): Cache {
  const g = globalThis as { [CACHE_KEY]?: Cache };
  return (g[CACHE_KEY] ??= { report: null, at: 0, inflight: null });
}

/** The report, at most CACHE_MS old; concurrent callers share one computation. */
export function hubReport(opts: { fresh?: boolean } = {}): Promise<HubReport> {
  const c = cache();
  if (!opts.fresh && c.report && Date.now() - c.at < CACHE_MS) return Promise.resolve(c.report);
  if (c.inflight) return c.inflight;
  c.inflight = computeReport()
    .then((report) => {
      c.report = report;
      c.at = Date.now();
      return report;
    })
    .finally(() => {
      c.inflight = null;
    });
  return c.inflight;
}

/** After an action (connect, restart, stop) the next read must not serve the old state. */
export function invalidateHubReport(): void {
  const c = cache();
  c.report = null;
  c.at = 0;
}
