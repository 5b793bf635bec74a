// connect-hub --actor NAME: gives the panel a JupyterHub service token. Writes a
// fresh random token into marked lines of ~jupyterhub/etc/jupyterhub_config.py
// (a service jupyterhub-panel and a role with PANEL_SCOPES; an existing block is
// replaced, so running it twice is fine), then the token to
// /etc/jupyterhub-panel/hub-token (root:jupyterhub-panel 0640) and a copy of the
// hub's certificate to /etc/jupyterhub-panel/hub-cert.pem (0644) for pinning.
// The hub reads its config at start: restart-hub puts the token in force.
import { randomBytes, X509Certificate } from 'node:crypto';
import { PANEL_HUB_CERT_COPY, PANEL_HUB_TOKEN_FILE, renderPanelBlock, replacePanelBlock } from '../../lib/hub-facts';
import { detectHubKind, isFamilyKind } from '../../lib/hub-kind';
import { readSystemState } from '../accounts';
import type { Command } from '../context';
import { conflict, systemError } from '../errors';
import { PANEL_ACCOUNT } from '../policy';
import { hubPaths, readAsHub, requireHubAccount, writeAsHub, writeRootFile, type HubAccount } from '../hub';

/** Copy the hub's certificate (read as the hub account) for the panel to pin. Returns its SHA-256 fingerprint. */
export function copyHubCertificate(account: HubAccount): string | null {
  const read = readAsHub(account, hubPaths(account).cert);
  if (read.text === null) return null;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(read.text);
  } catch {
    return null;
  }
  writeRootFile(PANEL_HUB_CERT_COPY, cert.toString(), 0, 0, 0o644);
  return cert.fingerprint256;
}

export const connectHub: Command = {
  spec: {
    name: 'connect-hub',
    positionals: [],
    options: [],
    mutating: true,
    readsPassword: false,
    synopsis: 'connect-hub --actor NAME',
  },
  run() {
    if (isFamilyKind(detectHubKind())) {
      throw conflict('the family hub was connected to the panel when it was set up; there is nothing to connect');
    }
    const account = requireHubAccount();
    const paths = hubPaths(account);
    const panelGroup = readSystemState().group(PANEL_ACCOUNT);
    if (!panelGroup) throw systemError(`the group ${PANEL_ACCOUNT} does not exist; run the panel's set-up first`);
    const read = readAsHub(account, paths.config);
    if (read.problem) throw systemError(read.problem);
    if (read.text === null) throw systemError(`the hub configuration ${paths.config} does not exist`);

    const token = randomBytes(32).toString('hex');
    let replaced: boolean;
    let text: string;
    try {
      ({ text, replaced } = replacePanelBlock(read.text, renderPanelBlock(token)));
    } catch (e) {
      throw conflict(`${paths.config}: ${(e as Error).message}; fix or remove those lines, then connect again`);
    }
    writeAsHub(account, paths.config, text);
    writeRootFile(PANEL_HUB_TOKEN_FILE, `${token}\n`, 0, panelGroup.gid, 0o640);
    const certFingerprint = copyHubCertificate(account);
    return {
      changed: true,
      replaced,
      config: paths.config,
      tokenFile: PANEL_HUB_TOKEN_FILE,
      certCopy: certFingerprint ? PANEL_HUB_CERT_COPY : null,
      restartNeeded: true,
    };
  },
};
