// hub-status [--log-lines N], run by the agent: as the panel's account for the
// family hub (family-hub.ts: its unit, certificate, pid file and log are readable
// there), as the hub account for a seed hub: the
// crontab line marked #jupyterhub-service#, the screen session jupyterhub_serve,
// the hub's certificate (with its PEM, which is public, so the panel can pin it)
// and whether its key matches, whether the panel is connected (the marked block
// of the hub config holds the token of /etc/jupyterhub-panel/hub-token), and on
// request the last lines of ~jupyterhub/bootstrap.log. Read-only, no lock.
// The hub account owns those files and may swap them for FIFOs, links or huge
// files (SECURITY-CASES 35): they are read by one child, bounded in time and
// size, without following links (hub.ts readFilesAsHub), so a swap shows as a
// problem of that file and stalls nothing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PANEL_HUB_TOKEN_FILE, tokenInBlock } from '../../lib/shared/hub-facts';
import { detectHubKind, isFamilyKind } from '../../lib/shared/hub-kind';
import { familyHubStatus } from './family-hub';
import { usage } from '../common/errors';
import { certFacts, crontabFacts, hubAccount, hubPaths, hubProcesses, keyFacts, readFilesAsHub, screenFacts, tailLines, type HubFile } from './hub';

export const LOG_LINES_OPTION = '--log-lines';
export const MAX_LOG_LINES = 200;
/** All of the hub account's files together (normally some 50 ms: one Node start). */
const READ_TIMEOUT_MS = 3000;

/** --log-lines N: 0..200. Pure. */
export function parseLogLines(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d{1,3}$/.test(value) || Number(value) > MAX_LOG_LINES) throw usage(`${LOG_LINES_OPTION} must be a number from 0 to ${MAX_LOG_LINES}`);
  return Number(value);
}

/**
 * The SHA-256 of the panel's token (/etc/jupyterhub-panel/hub-token, closed to the
 * hub account), which the root part writes on stdin: enough to tell whether the
 * hub's config holds the panel's current token, without handing it over.
 */
function panelTokenHash(): string | null {
  const h = readFileSync(0, 'utf8').trim();
  return /^[0-9a-f]{64}$/.test(h) ? h : null;
}

export function hubStatus(args: readonly string[]): Record<string, unknown> {
  if (args.length > 0 && (args.length !== 2 || args[0] !== LOG_LINES_OPTION)) throw usage(`hub-status [${LOG_LINES_OPTION} N]`);
  const logLines = parseLogLines(args[1]);
  const kind = detectHubKind();
  if (isFamilyKind(kind)) return familyHubStatus(kind, logLines);
  const account = hubAccount();
  const paths = hubPaths(account);
  const crontab = crontabFacts(account);
  const screen = screenFacts();
  const [certRead, keyRead, configRead, logRead] = readFilesAsHub(
    account,
    [{ path: paths.cert }, { path: paths.key }, { path: paths.config }, ...(logLines > 0 ? [{ path: paths.log, tailLines: logLines }] : [])],
    READ_TIMEOUT_MS,
  ) as [HubFile, HubFile, HubFile, HubFile | undefined];
  const { facts: cert, cert: x509 } = certFacts(paths.cert, certRead.text, certRead.problem);
  const key = keyFacts(paths.key, keyRead.text, keyRead.problem, x509);
  const blockToken = configRead.text !== null ? tokenInBlock(configRead.text) : null;
  const fileHash = panelTokenHash();
  const result: Record<string, unknown> = {
    installed: true,
    kind: 'seed',
    account: { name: account.name, uid: account.uid, home: account.home },
    crontab: { line: crontab.entry?.line ?? null, command: crontab.entry?.command ?? null, problem: crontab.problem },
    screen: { running: screen.running, sessions: screen.sessions, problem: screen.problem },
    processes: hubProcesses(account),
    cert,
    key,
    config: {
      path: paths.config,
      exists: configRead.text !== null || configRead.problem !== null,
      problem: configRead.problem,
      panelBlock: blockToken !== null,
    },
    panel: {
      tokenFile: PANEL_HUB_TOKEN_FILE,
      tokenFileExists: fileHash !== null,
      // The token is in force only after the hub was restarted with this config.
      connected: blockToken !== null && fileHash !== null && createHash('sha256').update(blockToken).digest('hex') === fileHash,
    },
  };
  if (logRead) {
    const tail = tailLines(logRead, logLines);
    result.log = { path: paths.log, exists: tail.lines !== null, lines: tail.lines ?? [], problem: tail.problem };
  }
  return result;
}
