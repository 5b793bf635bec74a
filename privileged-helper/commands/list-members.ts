import { statSync } from 'node:fs';
import { isLockedHash, readSystemState } from '../accounts';
import type { Command } from '../context';
import { systemError } from '../errors';
import { ADMINS_GROUP, MEMBERS_GROUP, protectedReason } from '../policy';

export interface MemberInfo {
  user: string;
  uid: number;
  fullName: string;
  locked: boolean;
  protected: boolean;
  protectedReason: string | null;
  familyAdmin: boolean;
  packagesInstalled: boolean;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The spawn wrapper's install is there when both entry points exist (a cheap stat, no import). */
export function packagesInstalled(home: string): boolean {
  if (!home.startsWith('/')) return false;
  return isFile(`${home}/.local/bin/jupyterhub-singleuser`) && isFile(`${home}/.local/bin/jupyter-lab`);
}

export const listMembers: Command = {
  spec: {
    name: 'list-members',
    positionals: [],
    options: [],
    mutating: false,
    readsPassword: false,
    synopsis: 'list-members',
  },
  run(ctx) {
    const state = readSystemState({ shadow: true });
    const group = state.group(MEMBERS_GROUP);
    if (!group) throw systemError(`the group ${MEMBERS_GROUP} does not exist`);
    const members: MemberInfo[] = [];
    for (const name of [...new Set(group.members)].sort()) {
      const account = state.user(name);
      if (!account) continue; // a dangling name in /etc/group: not an account
      const reason = protectedReason(account, state, ctx.config);
      members.push({
        user: name,
        uid: account.uid,
        fullName: account.gecos.split(',')[0] ?? '',
        locked: isLockedHash(state.shadowHash(name)),
        protected: reason !== null,
        protectedReason: reason,
        familyAdmin: state.isInGroup(name, ADMINS_GROUP),
        packagesInstalled: packagesInstalled(account.home),
      });
    }
    return { members };
  },
};
