import { readSystemState } from '../accounts';
import { isUsableHash } from '../../../lib/shared/account-files';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { refused, systemError } from '../../common/errors';
import { ADMIN_GROUP, ACCESS_GROUP } from '../policy';
import { requireMembersGroup, requireUnprotectedAccount, setPasswordWithChpasswd, target } from './common';

export const setPassword: Command = {
  spec: HELPER_COMMAND_SPECS['set-password'],
  async run(ctx) {
    const user = target(ctx);
    const password = ctx.password;
    if (!password) throw systemError('internal: no password read');
    const state = readSystemState({ shadow: true });
    requireMembersGroup(state);
    requireUnprotectedAccount(ctx, state, user);
    // A parent first, member or not: that is the reason a parent can act on.
    if (state.isInGroup(user, ADMIN_GROUP)) {
      throw refused(`refused: ${user} is a family admin (${ADMIN_GROUP}); parents change their own password themselves`, 'is_parent', { user, group: ADMIN_GROUP });
    }
    if (!state.isSupplementaryMember(user, ACCESS_GROUP)) {
      throw refused(`refused: ${user} is not a member of ${ACCESS_GROUP}; the panel only resets family members' passwords`, 'not_member', { user, group: ACCESS_GROUP });
    }
    const before = state.shadowHash(user);
    await setPasswordWithChpasswd(user, password);
    const after = readSystemState({ shadow: true }).shadowHash(user);
    if (!isUsableHash(after) || after === before) {
      throw systemError(`chpasswd reported success but the password of ${user} did not change`);
    }
    return { changed: true, user };
  },
};
