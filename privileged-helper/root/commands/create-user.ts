import { lstatSync, statSync } from 'node:fs';
import { readHomeBase, readSystemState } from '../accounts';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command, CommandContext } from '../context';
import { conflict, HelperFailure, systemError } from '../../common/errors';
import { ACCESS_GROUP, protectedReasonText } from '../policy';
import { isUsableHash } from '../../../lib/shared/account-files';
import { expectSuccess, lastLine, runShadowTool, TOOLS } from '../run';
import { requireMembersGroup, setPasswordWithChpasswd, target } from './common';

export const FULL_NAME_OPTION = '--full-name';
/** useradd's exit code for "user name already in use". */
const USERADD_NAME_IN_USE = 9;

/** useradd arguments for a normal family account. Pure; the full name is already validated. */
export function useraddArgs(user: string, fullName: string | undefined): string[] {
  return [
    '--create-home',
    '--user-group',
    '--shell',
    '/bin/bash',
    '--groups',
    ACCESS_GROUP,
    '--key',
    'HOME_MODE=0700',
    ...(fullName !== undefined ? ['--comment', fullName] : []),
    '--',
    user,
  ];
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Check what useradd made: a normal, unprotected account with its own home and membership. */
function verifyAccount(ctx: CommandContext, user: string): void {
  const state = readSystemState();
  const account = state.user(user);
  if (!account) throw systemError(`useradd reported success but ${user} is not in /etc/passwd`);
  const reason = protectedReasonText(account, state, ctx.config);
  if (reason) throw systemError(`the new account came out protected (${reason})`);
  let home;
  try {
    home = statSync(account.home);
  } catch {
    throw systemError(`the home directory ${account.home} of ${user} was not created`);
  }
  if (!home.isDirectory() || home.uid !== account.uid) {
    throw systemError(`the home directory ${account.home} is not a directory owned by ${user}`);
  }
  if (!state.isSupplementaryMember(user, ACCESS_GROUP)) {
    throw systemError(`the new account ${user} is not in ${ACCESS_GROUP}`);
  }
}

/** userdel -r: undo a half-made account. Throws when it cannot. */
async function rollback(user: string): Promise<void> {
  const r = await runShadowTool(TOOLS.userdel, ['--remove', '--', user]);
  if (readSystemState().user(user)) {
    throw systemError(`could not undo the half-made account ${user} (userdel: ${lastLine(r.stderr) || `exit ${r.status}`}); remove it by hand with userdel -r ${user}`);
  }
}

export const createUser: Command = {
  spec: HELPER_COMMAND_SPECS['create-user'],
  async run(ctx) {
    const user = target(ctx);
    const fullName = ctx.args.options[FULL_NAME_OPTION];
    const password = ctx.password;
    if (!password) throw systemError('internal: no password read');

    const state = readSystemState();
    requireMembersGroup(state);
    // Any existing account is a conflict, protected or not: the web side decides about resuming.
    if (state.user(user)) throw conflict(`an account named ${user} exists already`, 'account_exists', { user });
    if (state.group(user)) throw conflict(`a group named ${user} exists already`, 'group_exists', { user, group: user });
    const home = `${readHomeBase()}/${user}`;
    if (exists(home)) throw conflict(`${home} exists already`, 'home_exists', { user, path: home });

    let created = false;
    try {
      const r = await runShadowTool(TOOLS.useradd, useraddArgs(user, fullName));
      if (r.status !== 0) {
        if (r.status === USERADD_NAME_IN_USE) throw conflict(`an account named ${user} exists already`, 'account_exists', { user });
        created = readSystemState().user(user) !== undefined;
        expectSuccess('useradd', r);
      }
      created = true;
      verifyAccount(ctx, user);
      ctx.progress({ step: 'account', user });
      await setPasswordWithChpasswd(user, password);
      if (!isUsableHash(readSystemState({ shadow: true }).shadowHash(user))) {
        throw systemError(`chpasswd reported success but ${user} has no password`);
      }
      ctx.progress({ step: 'password', user });
    } catch (e) {
      if (created) {
        await rollback(user);
        if (e instanceof HelperFailure) {
          throw new HelperFailure(e.code, `${e.message} (the account was removed again)`, e.reason, e.values);
        }
      }
      throw e;
    }
    return { changed: true, user, created: true };
  },
};
