// disk-use USER: how much disk the member's home takes, measured AS the member:
// the root part checks the target and starts the agent (agent/disk-use.ts) with
// the member's uid and gid, which runs du there; root never walks a folder the
// member controls. Read-only, so no --actor and no lock; only for unprotected
// members of jupyterhub.
//
// Answer, the agent's own: {"ok":true,"bytes":N,"complete":bool,"unreadable":N,"seconds":S}.
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { runAgent } from '../run';
import { requireFamilyMemberWithHome, target } from './common';

/** The agent's own du limit is 10 s; this bounds the agent as a whole. */
const AGENT_TIMEOUT_MS = 15_000;

export const diskUse: Command = {
  spec: HELPER_COMMAND_SPECS['disk-use'],
  async run(ctx) {
    const user = target(ctx);
    const account = requireFamilyMemberWithHome(ctx, user, 'disk use is only measured for family members');
    const home = account.home.replace(/\/+$/, '');
    const agentEnd = await runAgent(['disk-use', home], {
      as: { name: account.name, uid: account.uid, gid: account.gid, home },
      cancel: ctx.cancelSignal(),
      timeoutMs: AGENT_TIMEOUT_MS,
      output: ctx.output,
    });
    return { agentEnd };
  },
};
