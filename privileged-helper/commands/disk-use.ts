// disk-use USER: how much disk the member's home takes, measured AS the member:
// the root part checks the target and starts the agent (agent/disk-use.ts) with
// the member's uid and gid, which runs du there; root never walks a folder the
// member controls. Read-only, so no --actor and no lock; only for unprotected
// members of jupyterhub.
//
// Answer: {"ok":true,"user":..,"bytes":N,"complete":bool,"unreadable":N,"seconds":S}.
import { readSystemState } from '../accounts';
import type { Command } from '../context';
import { refused, systemError } from '../errors';
import { MEMBERS_GROUP } from '../policy';
import { runAgent } from '../run';
import { requireMembersGroup, requireUnprotectedAccount, target } from './common';

/** The agent's own du limit is 10 s; this bounds the agent as a whole. */
const AGENT_TIMEOUT_MS = 15_000;

export const diskUse: Command = {
  spec: {
    name: 'disk-use',
    positionals: ['user'],
    options: [],
    mutating: false,
    readsPassword: false,
    synopsis: 'disk-use USER',
  },
  async run(ctx) {
    const user = target(ctx);
    const state = readSystemState();
    requireMembersGroup(state);
    const account = requireUnprotectedAccount(ctx, state, user);
    if (!state.isSupplementaryMember(user, MEMBERS_GROUP)) {
      throw refused(`refused: ${user} is not a member of ${MEMBERS_GROUP}; disk use is only measured for family members`);
    }
    if (!account.home.startsWith('/') || account.home === '/') throw systemError(`${user} has no usable home directory`);
    const home = account.home.replace(/\/+$/, '');
    const caller = ctx.watchCancel();
    try {
      const r = await runAgent(['disk-use', home], {
        as: { name: account.name, uid: account.uid, gid: account.gid, home },
        cancel: caller.signal,
        timeoutMs: AGENT_TIMEOUT_MS,
        progress: ctx.progress,
      });
      return { changed: false, user, ...r };
    } finally {
      caller.dispose();
    }
  },
};
