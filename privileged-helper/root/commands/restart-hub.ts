// restart-hub --actor NAME: the family hub where no systemd runs, through family-hub
// (that hub is root's). Under systemd the panel restarts jupyterhub.service itself
// (the polkit rule allows it that one unit), so this refuses with conflict. A seed
// hub: the agent as the hub account, started through runuser so it has the groups
// cron gives it (agent/restart-hub.ts: stops it, starts it with its crontab line).
// Its answer goes to the panel as it is (with the hub's certificate, which the
// panel pins: it may have been renewed).
import { detectHubKind, FAMILY_HUB_UNIT } from '../../../lib/shared/hub-kind';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { conflict } from '../../common/errors';
import { requireHubAccount, restartFamilyHub } from '../hub-account';
import { runAgent } from '../run';

export const restartHub: Command = {
  spec: HELPER_COMMAND_SPECS['restart-hub'],
  async run(ctx) {
    const kind = detectHubKind();
    if (kind === 'family-systemd') {
      throw conflict(`systemd runs the family hub: restart it with systemctl restart ${FAMILY_HUB_UNIT} (the panel does so itself)`, 'hub_run_by_systemd');
    }
    if (kind === 'family-background') {
      ctx.progress({ step: 'restart', how: kind });
      return { changed: true, ...(await restartFamilyHub()) };
    }
    return { agentEnd: await runAgent(['restart-hub'], { as: requireHubAccount(), runuser: true, input: '', timeoutMs: 90_000, output: ctx.output }) };
  },
};
