// Who the helper may touch, and the root-owned configuration that tunes it.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { USERNAME_RE } from '../lib/names';
import type { Account, SystemState } from './accounts';
import { systemError } from './errors';
import { DEFAULT_PROTECTED_GROUPS } from '../lib/protected-groups';

export const HUB_ACCOUNT = 'jupyterhub';
export const PANEL_ACCOUNT = 'jupyterhub-panel';
export const MEMBERS_GROUP = 'jupyterhub';
export const ADMINS_GROUP = 'jupyterhub_adm';
export { DEFAULT_PROTECTED_GROUPS };
export const CONFIG_DIR = '/etc/jupyterhub-panel';
export const CONFIG_PATH = `${CONFIG_DIR}/helper.json`;

export interface HelperConfig {
  readonly protectedGroups: readonly string[];
  /** Why the config file was ignored, if it was (for the log). */
  readonly ignoredReason: string | null;
}

/**
 * Validate the parsed content of helper.json. Pure. Unknown keys are allowed
 * (later commands add their own); a present key of the wrong shape fails closed.
 */
export function configFromJson(data: unknown): HelperConfig {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw systemError(`${CONFIG_PATH} must hold a JSON object`);
  }
  const pg = (data as Record<string, unknown>).protectedGroups;
  if (pg === undefined) return { protectedGroups: DEFAULT_PROTECTED_GROUPS, ignoredReason: null };
  if (!Array.isArray(pg) || !pg.every((g) => typeof g === 'string' && g.length <= 32 && USERNAME_RE.test(g))) {
    throw systemError(`${CONFIG_PATH}: protectedGroups must be a list of group names`);
  }
  return { protectedGroups: [...new Set(pg as string[])], ignoredReason: null };
}

/** True when a stat result is root-owned and not writable by group or others. */
export function isRootOnlyWritable(st: { uid: number; mode: number }): boolean {
  return st.uid === 0 && (st.mode & 0o022) === 0;
}

/**
 * Read /etc/jupyterhub-panel/helper.json. Missing: defaults. Not owned by root,
 * group/other writable, in such a directory, or not a regular file: ignored
 * (defaults). Root-owned but malformed: system_error (fail closed).
 */
export function loadConfig(): HelperConfig {
  const defaults = (ignoredReason: string | null): HelperConfig => ({
    protectedGroups: DEFAULT_PROTECTED_GROUPS,
    ignoredReason,
  });
  let fd: number;
  try {
    fd = openSync(CONFIG_PATH, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return defaults(null);
    return defaults(`${CONFIG_PATH} cannot be opened (${code})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return defaults(`${CONFIG_PATH} is not a regular file`);
    if (!isRootOnlyWritable(st)) return defaults(`${CONFIG_PATH} is not owned by root or is writable by others`);
    const dir = lstatSync(CONFIG_DIR);
    if (!dir.isDirectory() || !isRootOnlyWritable(dir)) {
      return defaults(`${CONFIG_DIR} is not a root-owned directory closed to others`);
    }
    if (st.size > 64 * 1024) throw systemError(`${CONFIG_PATH} is too large`);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(fd, 'utf8'));
    } catch {
      throw systemError(`${CONFIG_PATH} is not valid JSON`);
    }
    return configFromJson(data);
  } finally {
    closeSync(fd);
  }
}

/**
 * Why an account is protected (the panel must never change it), or null.
 * Pure over a state snapshot.
 */
export function protectedReason(account: Account, state: SystemState, config: HelperConfig): string | null {
  if (account.uid === 0) return `${account.name} has uid 0`;
  if (account.name === HUB_ACCOUNT) return `${account.name} is the hub account`;
  if (account.name === PANEL_ACCOUNT) return `${account.name} is the panel's service account`;
  const { uidMin, uidMax } = state.loginDefs;
  if (account.uid < uidMin || account.uid > uidMax) {
    return `${account.name} is a system account (uid ${account.uid} outside ${uidMin}..${uidMax})`;
  }
  for (const g of config.protectedGroups) {
    if (state.isInGroup(account.name, g)) return `${account.name} is a member of the group ${g}`;
  }
  return null;
}
