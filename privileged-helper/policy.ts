// Who the helper may touch, and the root-owned configuration that tunes it.
import { USERNAME_RE } from '../lib/names';
import type { Account, SystemState } from './accounts';
import { systemError } from './errors';
import { readRootJson } from './root-json';

export { isRootOnlyWritable } from './root-json';
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

/** /etc/jupyterhub-panel/helper.json (root-json.ts says when it is used), or the defaults. */
export function loadConfig(): HelperConfig {
  const r = readRootJson(CONFIG_PATH, CONFIG_DIR);
  return r.data === undefined ? { protectedGroups: DEFAULT_PROTECTED_GROUPS, ignoredReason: r.ignoredReason } : configFromJson(r.data);
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
