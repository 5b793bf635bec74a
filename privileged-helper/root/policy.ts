// Who the helper may touch: the shared protection rule (lib/shared/protection.ts)
// over root's reading of the account files, and the root-owned helper.json that
// may replace the protected groups.
import type { Account, SystemState } from './accounts';
import { systemError } from '../common/errors';
import { CONFIG_DIR, readRootJson } from '../common/root-json';

export { CONFIG_DIR } from '../common/root-json';
import { DEFAULT_PROTECTED_GROUPS, protectedGroupsOf, protectedReason, protectedSentence, type ProtectedReason } from '../../lib/shared/protection';

export { HUB_ACCOUNT, PANEL_ACCOUNT, ACCESS_GROUP, ADMIN_GROUP } from '../../lib/shared/names';
export const CONFIG_PATH = `${CONFIG_DIR}/helper.json`;

export interface HelperConfig {
  readonly protectedGroups: readonly string[];
}

/** /etc/jupyterhub-panel/helper.json (root-json.ts says when it is used), or the defaults; malformed fails closed. */
export function loadConfig(): HelperConfig {
  const { data } = readRootJson(CONFIG_PATH, CONFIG_DIR);
  const protectedGroups = data === undefined ? DEFAULT_PROTECTED_GROUPS : protectedGroupsOf(data);
  if (!protectedGroups) throw systemError(`${CONFIG_PATH} must hold a JSON object whose protectedGroups is a list of group names`);
  return { protectedGroups };
}

/** Why an account is protected, as the shared code; null when the panel may change it. */
export function protectionOf(account: Account, state: SystemState, config: HelperConfig): ProtectedReason | null {
  return protectedReason(account.name, account.uid, { uidRange: state.loginDefs, protectedGroups: config.protectedGroups, isInGroup: (u, g) => state.isInGroup(u, g) });
}

/** The same as an English sentence for messages and syslog, or null. */
export function protectedReasonText(account: Account, state: SystemState, config: HelperConfig): string | null {
  const reason = protectionOf(account, state, config);
  return reason && protectedSentence(account.name, account.uid, reason, state.loginDefs);
}
