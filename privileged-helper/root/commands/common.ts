import type { Account, SystemState } from '../accounts';
import { readSystemState } from '../accounts';
import type { CommandContext } from '../context';
import { noSuchUser, refused, systemError } from '../../common/errors';
import { ACCESS_GROUP, protectionOf } from '../policy';
import { protectedSentence, protectionReasonParts } from '../../../lib/shared/protection';
import { expectSuccess, runShadowTool, TOOLS } from '../run';

/** The USER operand (validated by main before any system call). */
export function target(ctx: CommandContext): string {
  const user = ctx.args.positionals[0];
  if (user === undefined) throw systemError('internal: no user operand');
  return user;
}

/** The account must exist and must not be protected. Under the lock. */
export function requireUnprotectedAccount(ctx: CommandContext, state: SystemState, user: string): Account {
  const account = state.user(user);
  if (!account) throw noSuchUser(user);
  const reason = protectionOf(account, state, ctx.config);
  if (reason) {
    const why = protectionReasonParts(reason);
    const sentence = protectedSentence(account.name, account.uid, reason, state.loginDefs);
    throw refused(`refused: ${sentence}; the panel does not change protected accounts`, why.reason, { user, ...why.values });
  }
  return account;
}

export function requireMembersGroup(state: SystemState): void {
  if (!state.group(ACCESS_GROUP)) throw systemError(`the group ${ACCESS_GROUP} does not exist`);
}

/**
 * For work done as a member in their home (pip install, disk use): an unprotected
 * member of jupyterhub with a home that is an absolute path other than /.
 * `what` ends the refusal: "packages are only installed for family members".
 */
export function requireFamilyMemberWithHome(ctx: CommandContext, user: string, what: string): Account {
  const state = readSystemState();
  requireMembersGroup(state);
  const account = requireUnprotectedAccount(ctx, state, user);
  if (!state.isSupplementaryMember(user, ACCESS_GROUP)) throw refused(`refused: ${user} is not a member of ${ACCESS_GROUP}; ${what}`, 'not_member', { user, group: ACCESS_GROUP });
  if (!account.home.startsWith('/') || account.home === '/') throw systemError(`${user} has no usable home directory`);
  return account;
}

/** gpasswd -a|-d USER -- jupyterhub, retried while /etc/group is locked, then checked in /etc/group. */
export async function changeMembership(user: string, add: boolean): Promise<void> {
  const r = await runShadowTool(TOOLS.gpasswd, [add ? '-a' : '-d', user, '--', ACCESS_GROUP]);
  expectSuccess(`gpasswd ${add ? '-a' : '-d'} ${user}`, r);
  const now = readSystemState().isSupplementaryMember(user, ACCESS_GROUP);
  if (now !== add) {
    throw systemError(`gpasswd reported success but ${user} is ${now ? 'still' : 'not'} in ${ACCESS_GROUP}`);
  }
}

/** chpasswd with "user:password\n" on its stdin; the buffer is zeroed afterwards. */
export async function setPasswordWithChpasswd(user: string, password: Buffer): Promise<void> {
  const input = Buffer.concat([Buffer.from(`${user}:`, 'utf8'), password, Buffer.from('\n')]);
  try {
    const r = await runShadowTool(TOOLS.chpasswd, [], { input });
    // chpasswd's messages name the user and line number, never the password.
    expectSuccess('chpasswd', r);
  } finally {
    input.fill(0);
  }
}
