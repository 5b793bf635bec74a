// install-packages USER --actor NAME: root's part is the checks, under the helper
// lock: the target is an unprotected member of jupyterhub with a home, the actor a
// parent. Then the lock is released (a long install does not hold up add-member
// and friends) and the agent does the install as USER from the start, through
// runuser with a clean environment (agent/install-packages.ts: pip, its job, the
// packages configuration). Its lines (pip's own, unparsed, then its answer) go
// to the caller as they are; the caller's cancel ends the agent's stdin.
import type { Account } from '../accounts';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { runAgent } from '../run';
import { requireFamilyMemberWithHome, target } from './common';

/** All of one install-packages run (lib/jobs/ waits 32 min for the helper); the agent keeps to 30. */
export const INSTALL_TIMEOUT_MS = 31 * 60_000;

/** The user's clean environment (what the spawn wrapper's pip sees, no more). */
export function userEnvironment(account: Account): Record<string, string> {
  return {
    HOME: account.home,
    USER: account.name,
    LOGNAME: account.name,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    PIP_BREAK_SYSTEM_PACKAGES: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
  };
}

export const installPackages: Command = {
  spec: HELPER_COMMAND_SPECS['install-packages'],
  async run(ctx) {
    const user = target(ctx);
    const account = requireFamilyMemberWithHome(ctx, user, 'packages are only installed for family members');
    ctx.releaseLock();
    const agentEnd = await runAgent(['install-packages'], {
      as: account,
      runuser: true,
      env: userEnvironment(account),
      cancel: ctx.cancelSignal(),
      timeoutMs: INSTALL_TIMEOUT_MS,
      output: ctx.output,
    });
    return { agentEnd };
  },
};
