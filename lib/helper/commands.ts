import 'server-only';
// The panel's calls of the root helper: one typed function per command of the one
// list (lib/shared/commands.ts), each checking what it sends (names, password) and
// reading its answer into a typed result. The rest of the panel imports these,
// never lib/helper/client.ts's runHelper (test/unit/helper-commands.test.ts checks).
// Failures reject with PublicError, whose helperReason and values say why.
import { helperError, runHelper, type HelperResult, type RunHelperOptions } from './client';
import { ACTOR_OPTION, type HelperCommand } from '../shared/commands';
import type { HubKind } from '../shared/hub-kind';
import type { HubProcess } from '../shared/hub-processes';
import type { Member } from '../shared/member';
import { fullNameProblem, isValidUsername } from '../shared/username-rule';
import { isUpdateMode, type UpdateMode } from '../shared/update-settings';
import type { LimitsTarget } from '../shared/limits-rule';

export type { HelperResult } from './client';
// For a failure the panel meets outside the helper (systemctl) with the same shape.
export { helperError } from './client';

type Timeout = Pick<RunHelperOptions, 'timeoutMs'>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function call(command: HelperCommand, args: readonly string[], opts: RunHelperOptions = {}): Promise<HelperResult> {
  return runHelper(command, args, opts);
}

function checkUsername(user: string, what = 'user name'): void {
  if (!isValidUsername(user)) throw helperError('invalid_name', `invalid ${what}`);
}

function checkPassword(password: string): void {
  if (password.length === 0 || /[\n\r\0]/.test(password)) {
    throw helperError('usage', 'the password must be one non-empty line without NUL');
  }
}

const withActor = (actor: string): string[] => [ACTOR_OPTION, actor];

// ---- the family --------------------------------------------------------------------

export interface ChangeResult {
  user: string;
  changed: boolean;
}

function toChange(r: HelperResult, user: string): ChangeResult {
  return { user: typeof r.user === 'string' ? r.user : user, changed: r.changed === true };
}

/** The terminal's list (system/bin/jupyterhub-members); the panel reads the family without root (lib/family/members.ts). */
export async function listMembers(opts: Timeout = {}): Promise<{ members: Member[] }> {
  const r = await call('list-members', [], opts);
  // Root's own line (the accounts it read), not an account's process's output.
  return { members: Array.isArray(r.members) ? (r.members.filter(isRecord) as unknown[] as Member[]) : [] };
}

export async function addMember(user: string, actor: string): Promise<ChangeResult> {
  checkUsername(user);
  checkUsername(actor, 'actor');
  return toChange(await call('add-member', [user, ...withActor(actor)]), user);
}

export async function removeMember(user: string, actor: string): Promise<ChangeResult> {
  checkUsername(user);
  checkUsername(actor, 'actor');
  return toChange(await call('remove-member', [user, ...withActor(actor)]), user);
}

export async function createUser(user: string, fullName: string | null, password: string, actor: string, onProgress?: (p: unknown) => void): Promise<ChangeResult> {
  checkUsername(user);
  checkUsername(actor, 'actor');
  if (fullName !== null && fullNameProblem(fullName)) {
    throw helperError('invalid_name', fullNameProblem(fullName)!);
  }
  checkPassword(password);
  const args = [user, ...(fullName !== null ? ['--full-name', fullName] : []), ...withActor(actor)];
  return toChange(await call('create-user', args, { stdin: `${password}\n`, onProgress }), user);
}

export async function setPassword(user: string, password: string, actor: string): Promise<ChangeResult> {
  checkUsername(user);
  checkUsername(actor, 'actor');
  checkPassword(password);
  return toChange(await call('set-password', [user, ...withActor(actor)], { stdin: `${password}\n` }), user);
}

/** A kid's hours: `always`, or the JSON of lib/shared/hours-rule.ts `hoursToJson`. */
export async function setHours(user: string, hours: string, actor: string, opts: Timeout = {}): Promise<ChangeResult & { hours: unknown }> {
  checkUsername(user);
  checkUsername(actor, 'actor');
  const r = await call('set-hours', [user, '--hours', hours, ...withActor(actor)], opts);
  return { ...toChange(r, user), hours: r.hours };
}

// ---- the machine ---------------------------------------------------------------------

/** The family's automatic updates: one of three words, never text the helper would write as given. */
export async function setUpdates(mode: UpdateMode, actor: string, opts: Timeout = {}): Promise<{ changed: boolean; mode: UpdateMode; before: UpdateMode | null }> {
  if (!isUpdateMode(mode)) throw helperError('usage', 'the update mode must be security, all or off');
  checkUsername(actor, 'actor');
  const r = await call('set-updates', ['--mode', mode, ...withActor(actor)], opts);
  return { changed: r.changed === true, mode: isUpdateMode(r.mode) ? r.mode : mode, before: isUpdateMode(r.before) ? r.before : null };
}

/** The family's memory and CPU limits: a target and whole numbers (or "default"), never text the helper writes as given. */
export async function setLimits(
  target: LimitsTarget,
  change: { memoryMiB?: number | null; cpuWeight?: number | null },
  actor: string,
  opts: Timeout = {},
): Promise<{ changed: boolean; machineMiB: number | null }> {
  const forText = target.kind === 'role' ? target.role : `kid:${target.user}`;
  if (target.kind === 'user') checkUsername(target.user);
  checkUsername(actor, 'actor');
  const figure = (v: number | null | undefined, max: number): string | null => {
    if (v === undefined) return null;
    if (v === null) return 'default';
    if (!Number.isSafeInteger(v) || v < 1 || v > max) throw helperError('usage', 'a limit must be a whole number');
    return String(v);
  };
  const mem = figure(change.memoryMiB, 1 << 30);
  const cpu = figure(change.cpuWeight, 10_000);
  const args = ['--for', forText, ...(mem === null ? [] : ['--memory-mib', mem]), ...(cpu === null ? [] : ['--cpu-weight', cpu]), ...withActor(actor)];
  const r = await call('set-limits', args, opts);
  return { changed: r.changed === true, machineMiB: typeof r.machineMiB === 'number' ? r.machineMiB : null };
}

export interface UpgradeResult {
  changed: boolean;
  /** package -> its version before (null: newly installed) and after, from dpkg's database. */
  upgraded: Record<string, { from: string | null; to: string }>;
  rebootRequired: boolean;
}

/** Reads upgrade-system's `upgraded` field: root's own reading of dpkg's database, still checked field by field. Pure. */
export function upgradedOf(v: unknown): UpgradeResult['upgraded'] {
  const out: UpgradeResult['upgraded'] = {};
  if (!isRecord(v)) return out;
  for (const [name, p] of Object.entries(v))
    if (isRecord(p) && typeof p.to === 'string') out[name.slice(0, 100)] = { from: typeof p.from === 'string' ? p.from.slice(0, 100) : null, to: p.to.slice(0, 100) };
  return out;
}

/** "Install updates now": the mode is one of two words and must be the saved one (the helper checks); never a package name. */
export async function upgradeSystem(mode: 'security' | 'all', actor: string, opts: Pick<RunHelperOptions, 'timeoutMs' | 'onProgress' | 'cancel'> = {}): Promise<UpgradeResult> {
  if (mode !== 'security' && mode !== 'all') throw helperError('usage', 'the upgrade mode must be security or all');
  checkUsername(actor, 'actor');
  const r = await call('upgrade-system', ['--mode', mode, ...withActor(actor)], opts);
  return { changed: r.changed === true, upgraded: upgradedOf(r.upgraded), rebootRequired: r.rebootRequired === true };
}

// ---- work done as a member ----------------------------------------------------------

export type InstallPackagesResult = HelperResult & { changed: boolean; installed: Record<string, string>; skipped: unknown[] };

export async function installPackages(user: string, actor: string, opts: Pick<RunHelperOptions, 'timeoutMs' | 'onProgress' | 'cancel'> = {}): Promise<InstallPackagesResult> {
  checkUsername(user);
  checkUsername(actor, 'actor');
  const r = await call('install-packages', [user, ...withActor(actor)], opts);
  const installed: Record<string, string> = {};
  if (isRecord(r.installed)) for (const [name, version] of Object.entries(r.installed)) if (typeof version === 'string') installed[name] = version;
  return { ...r, changed: r.changed === true, installed, skipped: Array.isArray(r.skipped) ? r.skipped : [] };
}

export interface HomePrivateResult {
  /** The home folder's permission bits before and after, octal ("755", "700"); null when the answer had none. */
  before: string | null;
  after: string | null;
}

/** make-home-private: the member's home folder itself closed to group and others, done as the member. */
export async function makeHomePrivate(user: string, actor: string, opts: Timeout = {}): Promise<HomePrivateResult> {
  checkUsername(user);
  checkUsername(actor, 'actor');
  const r = await call('make-home-private', [user, ...withActor(actor)], opts);
  const octal = (v: unknown) => (typeof v === 'string' && /^[0-7]{3,4}$/.test(v) ? v : null);
  return { before: octal(r.before), after: octal(r.after) };
}

export interface DiskUseResult {
  /** null when the answer carried no usable size. */
  bytes: number | null;
  complete: boolean;
}

export async function diskUse(user: string, opts: Timeout = {}): Promise<DiskUseResult> {
  checkUsername(user);
  const r = await call('disk-use', [user], opts);
  const bytes = typeof r.bytes === 'number' && Number.isFinite(r.bytes) && r.bytes >= 0 ? r.bytes : null;
  return { bytes, complete: r.complete === true };
}

// ---- the hub ------------------------------------------------------------------------

export interface HubStatusFacts {
  installed: boolean;
  kind?: HubKind;
  crontab?: { line: string | null; problem: string | null };
  screen?: { running: boolean; problem: string | null };
  cert?: { exists: boolean; problem: string | null; pem?: string; notAfter?: string; fingerprint256?: string };
  key?: { exists: boolean; matchesCert: boolean | null; problem: string | null };
  config?: { path: string; exists: boolean; panelBlock: boolean };
  panel?: { connected: boolean; tokenFileExists: boolean };
  processes?: HubProcess[];
  log?: { path: string; exists: boolean; lines: string[]; problem: string | null };
}

const HUB_KINDS: readonly HubKind[] = ['family-systemd', 'family-background', 'seed', 'none'];
const PROCESS_KINDS: readonly string[] = ['hub', 'proxy'];

/**
 * hub-status's answer, read field by field: the agent wrote it as the hub account,
 * so it is data to check. A field of the wrong type is left out, as if not reported. Pure.
 */
export function hubStatusFactsOf(r: Record<string, unknown>): HubStatusFacts {
  const facts: HubStatusFacts = { installed: r.installed === true };
  if (HUB_KINDS.includes(r.kind as HubKind)) facts.kind = r.kind as HubKind;
  const { crontab, screen, cert, key, config, panel, processes, log } = r;
  if (isRecord(crontab)) facts.crontab = { line: str(crontab.line), problem: str(crontab.problem) };
  if (isRecord(screen)) facts.screen = { running: screen.running === true, problem: str(screen.problem) };
  if (isRecord(cert)) {
    facts.cert = { exists: cert.exists === true, problem: str(cert.problem) };
    for (const k of ['pem', 'notAfter', 'fingerprint256'] as const) if (typeof cert[k] === 'string') facts.cert[k] = cert[k] as string;
  }
  if (isRecord(key)) facts.key = { exists: key.exists === true, matchesCert: typeof key.matchesCert === 'boolean' ? key.matchesCert : null, problem: str(key.problem) };
  if (isRecord(config) && typeof config.path === 'string') facts.config = { path: config.path, exists: config.exists === true, panelBlock: config.panelBlock === true };
  if (isRecord(panel)) facts.panel = { connected: panel.connected === true, tokenFileExists: panel.tokenFileExists === true };
  if (Array.isArray(processes)) {
    facts.processes = processes
      .filter((p): p is Record<string, unknown> => isRecord(p) && Number.isSafeInteger(p.pid) && PROCESS_KINDS.includes(p.kind as string))
      .map((p) => ({ pid: p.pid as number, kind: p.kind as HubProcess['kind'], stopped: p.stopped === true }));
  }
  if (isRecord(log) && typeof log.path === 'string') {
    const lines = Array.isArray(log.lines) ? log.lines.filter((l): l is string => typeof l === 'string') : [];
    facts.log = { path: log.path, exists: log.exists === true, lines, problem: str(log.problem) };
  }
  return facts;
}

export async function hubStatus(opts: { logLines?: number } & Timeout = {}): Promise<HubStatusFacts> {
  const args = opts.logLines ? ['--log-lines', String(opts.logLines)] : [];
  return hubStatusFactsOf(await call('hub-status', args, { timeoutMs: opts.timeoutMs }));
}

/** What restart-hub and connect-hub answer: their fields as the helper gave them, the seed hub's certificate apart. */
export type HubActionResult = HelperResult & { certPem?: string };

function hubAction(r: HelperResult): HubActionResult {
  const { certPem, ...rest } = r;
  return typeof certPem === 'string' ? { ...rest, ok: true, certPem } : { ...rest, ok: true };
}

export async function restartHub(actor: string, opts: Timeout = {}): Promise<HubActionResult> {
  checkUsername(actor, 'actor');
  return hubAction(await call('restart-hub', withActor(actor), opts));
}

export async function connectHub(actor: string, opts: Timeout = {}): Promise<HubActionResult> {
  checkUsername(actor, 'actor');
  return hubAction(await call('connect-hub', withActor(actor), opts));
}
