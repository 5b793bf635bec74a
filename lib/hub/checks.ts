import 'server-only';
// The hub dashboard's checks. They run in parallel, each with its own deadline
// (CHECK_TIMEOUT_MS from the start), so a hanging hub costs at most that long and
// the whole report is ready well under 2 s. Details are message keys of the
// `hub.detail` catalog section with values, so the page shows them in the
// parent's language. Kept and shared by lib/hub/report-cache.ts.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { HUB_ACCOUNT, uidFromPasswd, type HubProcessKind } from '../shared/hub-facts';
import { detectHubKind, FAMILY_HUB_STATE_DIR, FAMILY_HUB_UNIT, isFamilyKind } from '../shared/hub-kind';
import * as hub from './hub-client';
import { settings } from '../settings';
import { adviceFor, detail, overallState, type CheckId, type CheckResult, type HubReport, type RunningServerUser } from './hub-report';
import type { HubProcess } from '../shared/hub-processes';
import { CHECK_TIMEOUT_MS, certStatus, diskStatus, gib } from './check-rules';
import { familyStatus, hubStatus, type HubStatusFacts } from './hub-status';
import { backgroundHubPid, hubProcessesOf, PROXY_API_PORT, unitFacts } from './processes';
import { helperFailure, timed, type CheckOutcome } from './timed-check';

/** A seed hub's account (uid and home), from /etc/passwd. */
function seedHubAccount(): { uid: number; home: string } | null {
  try {
    return uidFromPasswd(fs.readFileSync('/etc/passwd', 'utf8'), HUB_ACCOUNT);
  } catch {
    return null;
  }
}

async function familyServiceCheck(kind: 'family-systemd' | 'family-background', procs: Promise<HubProcess[]>, timeoutMs: number): Promise<CheckOutcome> {
  if (kind === 'family-systemd') {
    const u = await unitFacts(timeoutMs);
    const values = { unit: FAMILY_HUB_UNIT, state: `${u.ActiveState ?? '?'}/${u.SubState ?? '?'}` };
    if (u.ActiveState === 'active') return { status: 'ok', detail: detail('unitActive', values) };
    return { status: u.ActiveState === 'failed' || u.ActiveState === 'inactive' ? 'fail' : 'warn', detail: detail('unitNotActive', values) };
  }
  const pid = await backgroundHubPid(procs);
  if (pid === null) return { status: 'fail', detail: detail('backgroundStopped') };
  return { status: 'ok', detail: detail('backgroundRunning', { pid }) };
}

/**
 * The hub's folder on the file system of /home: its free space is the figure of
 * /home again, so that check is left out (a seed hub's home is usually in /home).
 */
function sameFileSystem(a: string, b: string): boolean {
  try {
    return fs.statSync(a).dev === fs.statSync(b).dev;
  } catch {
    return false;
  }
}

async function diskCheck(path: string): Promise<CheckOutcome> {
  const s = await fs.promises.statfs(path);
  const free = s.bavail * s.bsize;
  const total = s.blocks * s.bsize;
  return { status: diskStatus(free, total), detail: detail('diskFree', { path, free: gib(free), total: gib(total) }) };
}

export async function computeReport(): Promise<HubReport> {
  const started = Date.now();
  const deadline = started + CHECK_TIMEOUT_MS;
  const cfg = settings();
  const kind = detectHubKind();
  const family = isFamilyKind(kind);
  const account = family ? { uid: 0, home: FAMILY_HUB_STATE_DIR } : seedHubAccount();
  const t0 = performance.now();

  if (kind === 'none' || !account) {
    const skipped = (id: CheckId): CheckResult => ({ id, status: 'skipped', detail: detail('noHub'), ms: 0 });
    const checks: CheckResult[] = (['hub-process', 'proxy-process', 'hub-health'] as CheckId[]).map(skipped);
    return {
      state: 'not_installed',
      kind: 'none',
      advice: adviceFor('not_installed', checks),
      checks,
      users: [],
      checkedAt: new Date(started).toISOString(),
      ms: Math.round(performance.now() - t0),
      version: null,
      connected: false,
    };
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

  const processesP = hubProcessesOf(kind, account.uid, statusP, Math.max(1, deadline - Date.now()));
  processesP.catch(() => undefined);
  const processCheck = (processKind: HubProcessKind) => async (): Promise<CheckOutcome> => {
    const procs = (await processesP).filter((p) => p.kind === processKind);
    const user = family ? 'root' : HUB_ACCOUNT;
    if (procs.length === 0) return { status: 'fail', detail: detail(processKind === 'hub' ? 'hubNotRunning' : 'proxyNotRunning', { user }) };
    const pids = procs
      .map((p) => p.pid)
      .filter((pid) => pid > 0)
      .join(', ');
    if (!pids) return { status: 'ok', detail: detail('proxyAnswers', { port: PROXY_API_PORT }) };
    if (procs.some((p) => p.stopped)) return { status: 'fail', detail: detail('processStopped', { pids }) };
    return { status: 'ok', detail: detail('processRunning', { pids, user }) };
  };

  const checks = await Promise.all([
    timed('hub-process', started, deadline, processCheck('hub')),
    timed('proxy-process', started, deadline, processCheck('proxy')),
    timed('hub-health', started, deadline, async () => {
      const h = await hub.health(await callOpts());
      certValidTo = h.certValidTo;
      return { status: 'ok', detail: detail('healthOk') };
    }),
    timed('hub-version', started, deadline, async () => {
      versionText = await hub.version(await callOpts());
      return { status: 'ok', detail: detail('version', { version: versionText }) };
    }),
    timed('hub-api', started, deadline, async () => {
      if (!connected) return { status: 'skipped', detail: detail('notConnected') };
      const i = await hub.info(await callOpts());
      return { status: 'ok', detail: detail('apiOk', { version: i.version, spawner: (i.spawner ?? '?').split('.').at(-1) ?? '?' }) };
    }),
    timed('hub-users', started, deadline, async () => {
      if (!connected) return { status: 'skipped', detail: detail('notConnected') };
      const all = await hub.usersWithServers(await callOpts());
      users = all.filter((u) => u.running > 0).map((u) => ({ name: u.name, running: u.running, lastActivity: u.lastActivity, ready: u.servers.some((s) => s.ready) }));
      return { status: 'ok', detail: detail('usersRunning', { count: users.length, total: all.length }) };
    }),
    timed('service', started, deadline, async () => {
      if (family) return familyServiceCheck(kind, processesP, Math.max(1, deadline - Date.now()));
      let s: HubStatusFacts;
      try {
        s = await statusP;
      } catch (e) {
        return helperFailure(e);
      }
      if (!s.installed) return { status: 'fail', detail: detail('noHubAccount') };
      if (!s.crontab?.line) return { status: 'warn', detail: detail('noCrontab') };
      if (!s.screen?.running) return { status: 'warn', detail: detail('noScreen') };
      return { status: 'ok', detail: detail('serviceOk') };
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
      if (!notAfter) return { status: 'skipped', detail: detail('certUnknown') };
      if (keyProblem) return { status: 'fail', detail: detail('keyMismatch') };
      const c = certStatus(new Date(notAfter), new Date());
      const date = notAfter.slice(0, 10);
      if (c.status === 'fail') return { status: 'fail', detail: detail('certExpired', { date }) };
      return { status: c.status, detail: detail(c.status === 'ok' ? 'certValid' : 'certExpiresSoon', { date, days: c.days }) };
    }),
    timed('disk-home', started, deadline, () => diskCheck('/home')),
    ...(sameFileSystem('/home', account.home || cfg.hubHome) ? [] : [timed('disk-hub-home', started, deadline, () => diskCheck(account.home || cfg.hubHome))]),
    timed('load', started, deadline, async () => {
      const [one] = os.loadavg();
      const cpus = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
      const load = one ?? 0;
      return { status: load > cpus * 2 ? 'warn' : 'ok', detail: detail('load', { load: load.toFixed(2), cpus }) };
    }),
    timed('memory', started, deadline, async () => {
      const total = os.totalmem();
      const free = os.freemem();
      return { status: free / total < 0.05 ? 'warn' : 'ok', detail: detail('memory', { free: gib(free), total: gib(total) }) };
    }),
  ]);

  // The certificate the hub presented, when hub-status could not tell.
  const cert = checks.find((c) => c.id === 'certificate');
  if (cert && cert.status === 'skipped' && certValidTo) {
    const c = certStatus(new Date(certValidTo), new Date());
    const date = (certValidTo as string).slice(0, 10);
    cert.status = c.status;
    cert.detail = detail(c.status === 'fail' ? 'certExpired' : c.status === 'ok' ? 'certValid' : 'certExpiresSoon', { date, days: c.days });
  }

  const state = overallState(checks);
  return {
    state,
    kind,
    advice: adviceFor(state, checks, kind),
    checks,
    users,
    checkedAt: new Date(started).toISOString(),
    ms: Math.round(performance.now() - t0),
    version: versionText,
    connected,
  };
}
