// list-members: the supplementary members of jupyterhub (what JupyterHub's
// allowed_groups sees), each as the shared Member (lib/shared/member.ts) with the
// shared protection code. Root reads the account files and /etc/shadow; whether
// the Jupyter entry points are in a member's ~/.local/bin is asked of the agent
// running AS that member (agent/packages-installed.ts), which answers by its exit
// code alone: root never looks into a home a kid controls (SECURITY-CASES 36) nor
// reads what the kid's process writes.
import { readSystemState } from '../accounts';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { systemError } from '../../common/errors';
import { ADMIN_GROUP, ACCESS_GROUP, protectionOf } from '../policy';
import { runAgent } from '../run';
import { fullNameOf, isLockedHash } from '../../../lib/shared/account-files';
import type { Member } from '../../../lib/shared/member';

export const listMembers: Command = {
  spec: HELPER_COMMAND_SPECS['list-members'],
  async run(ctx) {
    const state = readSystemState({ shadow: true });
    const group = state.group(ACCESS_GROUP);
    if (!group) throw systemError(`the group ${ACCESS_GROUP} does not exist`);
    const accounts = [...new Set(group.members)].sort().flatMap((name) => state.user(name) ?? []); // a dangling name is no account
    const members = accounts.map(async (account): Promise<Member> => {
      const reason = protectionOf(account, state, ctx.config);
      const installed =
        account.home.startsWith('/') && account.home !== '/' ? (await runAgent(['packages-installed', account.home], { as: account, timeoutMs: 10_000 })).exitCode === 0 : false;
      return {
        user: account.name,
        uid: account.uid,
        fullName: fullNameOf(account.gecos),
        locked: isLockedHash(state.shadowHash(account.name)),
        protected: reason !== null,
        protectedReason: reason,
        familyAdmin: state.isInGroup(account.name, ADMIN_GROUP),
        packagesInstalled: installed,
        packages: null,
      };
    });
    return { members: await Promise.all(members) };
  },
};
