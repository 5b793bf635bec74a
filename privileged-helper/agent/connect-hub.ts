// connect-hub for a seed hub, run by the agent as the hub account: the new token
// (made by the root part) comes on stdin and goes into marked lines of
// ~jupyterhub/etc/jupyterhub_config.py (a service jupyterhub-panel and a role with
// PANEL_SCOPES; an existing block is replaced, so running it twice is fine). The
// root part then writes the token to /etc/jupyterhub-panel/hub-token and pins the
// certificate returned here. The hub reads its config at start: restart-hub puts
// the token in force.
import { readFileSync } from 'node:fs';
import { TOKEN_RE, renderPanelBlock, replacePanelBlock } from '../../lib/shared/hub-facts';
import { conflict, systemError, usage } from '../common/errors';
import { hubAccount, hubPaths, readAsHub, writeAsHub } from './hub';
import { certPem } from './restart-hub';

export function connectSeedHub(): Record<string, unknown> {
  const token = readFileSync(0, 'utf8').trim();
  if (!TOKEN_RE.test(token)) throw usage('connect-hub: the token on stdin is malformed');
  const account = hubAccount();
  const paths = hubPaths(account);
  const read = readAsHub(account, paths.config);
  if (read.problem) throw systemError(read.problem);
  if (read.text === null) throw systemError(`the hub configuration ${paths.config} does not exist`);
  let replaced: boolean;
  let text: string;
  try {
    ({ text, replaced } = replacePanelBlock(read.text, renderPanelBlock(token)));
  } catch (e) {
    throw conflict(`${paths.config}: ${(e as Error).message}; fix or remove those lines, then connect again`, 'hub_config_broken', { path: paths.config });
  }
  writeAsHub(account, paths.config, text);
  return { changed: true, replaced, config: paths.config, certPem: certPem(account) };
}
