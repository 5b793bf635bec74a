// restart-hub --actor NAME: the family hub through systemd (or family-hub where no
// systemd runs: that hub is root's); a seed hub by the agent as the hub account,
// started through runuser so it has the groups cron gives it (agent/restart-hub.ts:
// stops it, starts it with its crontab line). Its answer goes to the panel as it
// is (with the hub's certificate, which the panel pins: it may have been renewed).
import { detectHubKind, isFamilyKind } from '../../lib/hub/hub-kind';
import { commandSpec } from '../args';
import type { Command } from '../context';
import { requireHubAccount, restartFamilyHub } from '../hub-account';
import { runAgent } from '../run';

export const restartHub: Command = {
  spec: commandSpec('restart-hub --actor NAME'),
  async run(ctx) {
    const kind = detectHubKind();
    if (isFamilyKind(kind)) {
      ctx.progress({ step: 'restart', how: kind });
      return { changed: true, ...restartFamilyHub(kind) };
    }
    return { agentEnd: await runAgent(['restart-hub'], { as: requireHubAccount(), runuser: true, input: '', timeoutMs: 90_000, output: ctx.output }) };
  },
};
