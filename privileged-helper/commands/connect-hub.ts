// connect-hub --actor NAME: gives the panel a JupyterHub service token. A fresh
// random token goes to the agent, which as the hub account writes it into marked
// lines of ~jupyterhub/etc/jupyterhub_config.py (agent/connect-hub.ts); then root
// writes it to /etc/jupyterhub-panel/hub-token (root:jupyterhub-panel 0640) and
// pins the hub's certificate in /etc/jupyterhub-panel/hub-cert.pem (0644). The hub
// reads its config at start: restart-hub puts the token in force.
import { randomBytes } from 'node:crypto';
import { PANEL_HUB_CERT_COPY, PANEL_HUB_TOKEN_FILE } from '../../lib/hub/hub-token';
import { detectHubKind, isFamilyKind } from '../../lib/hub/hub-kind';
import { readSystemState } from '../accounts';
import { commandSpec } from '../args';
import type { Command } from '../context';
import { conflict, systemError } from '../errors';
import { pinCertificate, requireHubAccount, writeRootFile } from '../hub-account';
import { PANEL_ACCOUNT } from '../policy';
import { runAgent } from '../run';

export const connectHub: Command = {
  spec: commandSpec('connect-hub --actor NAME'),
  async run(ctx) {
    if (isFamilyKind(detectHubKind())) {
      throw conflict('the family hub was connected to the panel when it was set up; there is nothing to connect');
    }
    const as = requireHubAccount();
    const panelGroup = readSystemState().group(PANEL_ACCOUNT);
    if (!panelGroup) throw systemError(`the group ${PANEL_ACCOUNT} does not exist; run the panel's set-up first`);
    const token = randomBytes(32).toString('hex');
    const r = await runAgent(['connect-hub'], { as, input: `${token}\n`, timeoutMs: 20_000, progress: ctx.progress });
    writeRootFile(PANEL_HUB_TOKEN_FILE, `${token}\n`, 0, panelGroup.gid, 0o640);
    const fingerprint = pinCertificate(r.certPem);
    return {
      changed: true,
      replaced: r.replaced === true,
      config: typeof r.config === 'string' ? r.config : null,
      tokenFile: PANEL_HUB_TOKEN_FILE,
      certCopy: fingerprint ? PANEL_HUB_CERT_COPY : null,
      restartNeeded: true,
    };
  },
};
