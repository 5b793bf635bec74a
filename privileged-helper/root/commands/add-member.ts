import { readSystemState } from '../accounts';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { ACCESS_GROUP } from '../policy';
import { changeMembership, requireMembersGroup, requireUnprotectedAccount, target } from './common';

export const addMember: Command = {
  spec: HELPER_COMMAND_SPECS['add-member'],
  async run(ctx) {
    const user = target(ctx);
    const state = readSystemState();
    requireMembersGroup(state);
    requireUnprotectedAccount(ctx, state, user);
    if (state.isSupplementaryMember(user, ACCESS_GROUP)) return { changed: false, user };
    await changeMembership(user, true);
    return { changed: true, user };
  },
};
