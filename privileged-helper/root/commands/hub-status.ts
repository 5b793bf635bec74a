// hub-status [--log-lines N]: the hub's facts, none of which needs root to read.
// The root part only starts the agent (agent/hub-status.ts) as the account that
// can read them: the seed hub's own account (its crontab, screen session, files),
// or the panel's for the family hub (its unit, certificate, pid file and log).
// For the seed hub the agent gets the SHA-256 of the panel's token (closed to the
// hub account) on stdin, to tell whether the hub's config holds the current one.
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { PANEL_HUB_TOKEN_FILE, TOKEN_RE } from '../../../lib/shared/hub-token';
import { detectHubKind, isFamilyKind, SEED_HUB_ACCOUNT } from '../../../lib/shared/hub-kind';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { agentAccount } from '../hub-account';
import { PANEL_ACCOUNT } from '../policy';
import { readRootFile } from '../../common/root-json';
import { runAgent } from '../run';

export const LOG_LINES_OPTION = '--log-lines';

function panelTokenHash(): string {
  const t = readRootFile(PANEL_HUB_TOKEN_FILE, dirname(PANEL_HUB_TOKEN_FILE)).data?.trim() ?? '';
  return TOKEN_RE.test(t) ? createHash('sha256').update(t).digest('hex') : '';
}

export const hubStatus: Command = {
  spec: HELPER_COMMAND_SPECS['hub-status'],
  async run(ctx) {
    const family = isFamilyKind(detectHubKind());
    const as = agentAccount(family ? PANEL_ACCOUNT : SEED_HUB_ACCOUNT);
    if (!as) return { installed: false, kind: 'none', account: null };
    const n = ctx.args.options[LOG_LINES_OPTION];
    const agentEnd = await runAgent(['hub-status', ...(n !== undefined ? [LOG_LINES_OPTION, n] : [])], {
      as,
      input: family ? '' : panelTokenHash(),
      timeoutMs: 10_000,
      output: ctx.output,
    });
    return { agentEnd };
  },
};
