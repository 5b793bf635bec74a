// connect-hub --actor NAME: gives the panel a JupyterHub service token. A fresh
// random token goes to the agent, which as the hub account writes it into marked
// lines of ~jupyterhub/etc/jupyterhub_config.py (agent/connect-hub.ts) and answers
// the panel (with the hub's certificate, which the panel pins); once it has ended
// well, root writes the token to /etc/jupyterhub-panel/hub-token
// (root:jupyterhub-panel 0640). The hub reads its config at start: restart-hub
// puts the token in force.
import { randomBytes } from 'node:crypto';
import { PANEL_HUB_TOKEN_FILE } from '../../../lib/shared/hub-token';
import { detectHubKind, isFamilyKind } from '../../../lib/shared/hub-kind';
import { readSystemState } from '../accounts';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { conflict, systemError } from '../../common/errors';
import { requireHubAccount, writeRootFile } from '../hub-account';
import { PANEL_ACCOUNT } from '../policy';
import { runAgent } from '../run';

export const connectHub: Command = {
  spec: HELPER_COMMAND_SPECS['connect-hub'],
  async run(ctx) {
    if (isFamilyKind(detectHubKind())) {
      throw conflict('the family hub was connected to the panel when it was set up; there is nothing to connect', 'hub_connected_at_setup');
    }
    const as = requireHubAccount();
    const panelGroup = readSystemState().group(PANEL_ACCOUNT);
    if (!panelGroup) throw systemError(`the group ${PANEL_ACCOUNT} does not exist; run the panel's set-up first`);
    const token = randomBytes(32).toString('hex');
    const agentEnd = await runAgent(['connect-hub'], { as, input: `${token}\n`, timeoutMs: 20_000, output: ctx.output });
    if (agentEnd.exitCode === 0) writeRootFile(PANEL_HUB_TOKEN_FILE, `${token}\n`, 0, panelGroup.gid, 0o640);
    return { agentEnd };
  },
};
