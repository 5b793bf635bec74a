// make-home-private USER --actor NAME: a member's home folder closed to group and
// others (an account added to the hub that was not made by onboarding may keep
// Debian's old 0755 home, which lets siblings read each other's notebooks). The
// root part checks the target (an unprotected member of jupyterhub who is not a
// parent: parents change their own home themselves) and starts the agent
// (agent/make-home-private.ts) as the member, which changes the folder itself
// without following links. Root does not touch the home.
//
// Answer, the agent's own: {"ok":true,"before":"755","after":"700"}.
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import { refused } from '../../common/errors';
import type { Command } from '../context';
import { ADMIN_GROUP } from '../policy';
import { readSystemState } from '../accounts';
import { runAgent } from '../run';
import { requireFamilyMemberWithHome, requireMembersGroup, requireUnprotectedAccount, target } from './common';

const AGENT_TIMEOUT_MS = 10_000;

export const makeHomePrivate: Command = {
  spec: HELPER_COMMAND_SPECS['make-home-private'],
  async run(ctx) {
    const user = target(ctx);
    // As set-password: a protected account first, then a parent (member or not), then membership.
    const state = readSystemState();
    requireMembersGroup(state);
    requireUnprotectedAccount(ctx, state, user);
    if (state.isInGroup(user, ADMIN_GROUP)) {
      throw refused(`refused: ${user} is a family admin (${ADMIN_GROUP}); parents change their own home themselves`, 'is_parent', { user, group: ADMIN_GROUP });
    }
    const account = requireFamilyMemberWithHome(ctx, user, 'only family members’ homes are changed here');
    const home = account.home.replace(/\/+$/, '');
    const agentEnd = await runAgent(['make-home-private', home], {
      as: { name: account.name, uid: account.uid, gid: account.gid, home },
      cancel: ctx.cancelSignal(),
      timeoutMs: AGENT_TIMEOUT_MS,
      output: ctx.output,
    });
    return { agentEnd };
  },
};
