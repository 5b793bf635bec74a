import { readSystemState } from '../accounts';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { noSuchUser, refused } from '../../common/errors';
import { HUB_ACCOUNT, ACCESS_GROUP } from '../policy';
import { changeMembership, requireMembersGroup, requireUnprotectedAccount, target } from './common';

export const removeMember: Command = {
  spec: HELPER_COMMAND_SPECS['remove-member'],
  async run(ctx) {
    const user = target(ctx);
    const state = readSystemState();
    requireMembersGroup(state);
    if (!state.user(user)) throw noSuchUser(user);
    if (user === HUB_ACCOUNT) throw refused('refused: the hub account jupyterhub must stay in its group', 'hub_account_stays', { user });
    // Protected accounts are refused even when they are members: the panel
    // only ever changes accounts it could also have added.
    requireUnprotectedAccount(ctx, state, user);
    if (!state.isSupplementaryMember(user, ACCESS_GROUP)) return { changed: false, user };
    await changeMembership(user, false);
    return { changed: true, user };
  },
};
