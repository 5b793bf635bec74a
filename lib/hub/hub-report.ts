// The hub dashboard's report: its types, the overall state and the advice in
// plain words. Pure (no I/O), so the page's client components and the unit
// tests import it; lib/hub/checks.ts fills it in.
import type { HubKind } from '../shared/hub-kind';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';
export type OverallState = 'up' | 'degraded' | 'down' | 'not_installed';

export const CHECK_IDS = [
  'hub-process',
  'proxy-process',
  'service',
  'hub-health',
  'hub-version',
  'hub-api',
  'hub-users',
  'certificate',
  'disk-home',
  'disk-hub-home',
  'load',
  'memory',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** A message key of the `hub.detail` catalog section and its placeholder values. */
export interface Detail {
  key: string;
  values: Record<string, string | number>;
}

/** A Detail: what a check found, as a message key with its values. */
export function detail(key: string, values: Record<string, string | number> = {}): Detail {
  return { key, values };
}

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  detail: Detail;
  /** How long the check took, in milliseconds. */
  ms: number;
  timedOut?: boolean;
}

export interface RunningServerUser {
  name: string;
  running: number;
  ready: boolean;
  lastActivity: string | null;
}

export interface HubReport {
  state: OverallState;
  /** Which hub this machine has (lib/shared/hub-kind.ts): decides the actions offered. */
  kind: HubKind;
  /** A message key of the `hub.advice` catalog section. */
  advice: Detail;
  checks: CheckResult[];
  /** Hub users with a running (or starting/stopping) server. */
  users: RunningServerUser[];
  checkedAt: string;
  ms: number;
  version: string | null;
  /** The panel has a service token (connect-hub was run). */
  connected: boolean;
}

/** Without these the hub cannot serve anybody. */
const CRITICAL: readonly CheckId[] = ['hub-process', 'hub-health'];

export function overallState(checks: readonly CheckResult[]): OverallState {
  const by = (id: CheckId) => checks.find((c) => c.id === id);
  if (checks.some((c) => c.detail.key === 'noHubAccount' || c.detail.key === 'noHub')) return 'not_installed';
  if (CRITICAL.some((id) => by(id)?.status === 'fail')) return 'down';
  if (checks.some((c) => c.status === 'fail' || c.status === 'warn')) return 'degraded';
  return 'up';
}

/**
 * The catalog key (section `hub.check`) of a check's name on this kind of hub: the
 * "service" check is a different thing on each (jupyterhub.service, the
 * background process, or a seed hub's crontab line and screen session).
 */
export function checkLabelKey(kind: HubKind, id: CheckId): string {
  if (id !== 'service') return id;
  if (kind === 'family-systemd') return 'service-systemd';
  if (kind === 'family-background') return 'service-background';
  return 'service-seed';
}

/**
 * What to do, in plain words: the first rule that matches. `kind` decides the
 * way out where hubs differ: a seed hub is connected with the "Connect hub"
 * button, the family hub got its token from the set-up command.
 */
export function adviceFor(state: OverallState, checks: readonly CheckResult[], kind: HubKind = 'seed'): Detail {
  const by = (id: CheckId) => checks.find((c) => c.id === id);
  const key = (id: CheckId) => by(id)?.detail.key;
  const failed = (id: CheckId) => by(id)?.status === 'fail';
  const health = key('hub-health');
  const port = (by('hub-health')?.detail.values.port ?? '8000') as string | number;
  const foreign = health === 'notTls' || health === 'certMismatch' || key('hub-version') === 'notHub';

  if (state === 'not_installed') return { key: 'notInstalled', values: {} };
  if (foreign && failed('hub-process')) return { key: 'foreignOnPort', values: { port } };
  if (key('hub-process') === 'processStopped' || by('hub-health')?.timedOut) return { key: 'hubHanging', values: {} };
  if (failed('hub-process')) return { key: 'hubNotRunning', values: {} };
  if (foreign) return { key: 'foreignOnPort', values: { port } };
  const family = kind === 'family-systemd' || kind === 'family-background';
  if (health === 'noPinnedCert') return { key: family ? 'setupAgain' : 'connect', values: {} };
  if (failed('hub-health')) return { key: 'hubNotAnswering', values: {} };
  if (failed('proxy-process')) return { key: 'proxyNotRunning', values: {} };
  const tokenProblem = key('hub-api') === 'tokenRejected' || key('hub-users') === 'tokenRejected' || key('hub-api') === 'notConnected';
  if (family && tokenProblem) return { key: 'setupAgain', values: {} };
  if (key('hub-api') === 'tokenRejected' || key('hub-users') === 'tokenRejected') return { key: 'tokenRejected', values: {} };
  if (key('hub-api') === 'notConnected') return { key: 'connect', values: {} };
  const cert = by('certificate');
  if (cert && (cert.status === 'fail' || cert.status === 'warn')) return { key: 'renewCertificate', values: {} };
  if ((['disk-home', 'disk-hub-home'] as CheckId[]).some((id) => by(id)?.status === 'warn' || by(id)?.status === 'fail')) {
    return { key: 'freeDisk', values: {} };
  }
  if (key('service') === 'noCrontab') return { key: 'noCrontab', values: {} };
  if (state === 'degraded') return { key: 'degraded', values: {} };
  return { key: 'allGood', values: {} };
}
