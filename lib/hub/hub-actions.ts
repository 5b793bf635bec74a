import 'server-only';
// The hub actions of the dashboard: connect-hub and restart-hub through the root
// helper, stopping a member's server through the hub API. Each is audited before
// and after (hub_connect, hub_restart, server_stop), success and failure alike,
// and drops the cached health report and server list so the next read shows the new state.
import { execFile } from 'node:child_process';
import type { AuditAction } from '../store/audit';
import { PublicError } from '../errors/errors';
import * as helper from '../helper/commands';
import { helperError } from '../helper/commands';
import * as hub from './hub-client';
import { invalidateHubReport } from './report-cache';
import { detectHubKind, FAMILY_HUB_UNIT } from '../shared/hub-kind';
import { isValidUsername } from '../shared/username-rule';
import { audited as auditedCall, type Actor } from '../store/audited';

export type { Actor } from '../store/audited';

/** audited() of lib/store/audited.ts, then the cached health report is dropped: the next read shows the new state. */
async function audited<T extends Record<string, unknown>>(
  actor: Actor,
  action: AuditAction,
  target: string | null,
  call: () => Promise<T>,
  summary: (r: T) => Record<string, unknown>,
): Promise<T> {
  try {
    return await auditedCall(actor, action, target, call, { summary });
  } finally {
    invalidateHubReport();
    hub.forgetServerList();
  }
}

/** A seed hub's answer carries its certificate (read by the agent as the hub account): the panel keeps its own copy. */
async function pinningCertificate(call: Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const { certPem, ...r } = await call;
  const fingerprint = hub.pinHubCertificate(certPem);
  return { ...r, ...(fingerprint ? { certFingerprint: fingerprint } : {}) };
}

export function connectHub(actor: Actor) {
  return audited(
    actor,
    'hub_connect',
    'jupyterhub',
    () => pinningCertificate(helper.connectHub(actor.username, { timeoutMs: 30_000 })),
    (r) => ({
      replaced: r.replaced === true,
      config: r.config,
    }),
  );
}

export function restartHub(actor: Actor) {
  // Under systemd the family hub is its unit's: systemd restarts it (polkit lets
  // this account restart jupyterhub.service, nothing else), no root code involved.
  // Otherwise the helper waits up to 13 s for the old hub to end and 15 s for the new one.
  // A seed hub's answer carries its certificate, which may have been renewed.
  const call = detectHubKind() === 'family-systemd' ? restartUnit : () => pinningCertificate(helper.restartHub(actor.username, { timeoutMs: 60_000 }));
  return audited(actor, 'hub_restart', 'jupyterhub', call, (r) => ({
    stopped: r.stopped,
    hubPid: r.hubPid,
    ...(r.how ? { how: r.how } : {}),
  }));
}

const SYSTEMCTL = '/usr/bin/systemctl';

function systemctl(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(SYSTEMCTL, args, { timeout: timeoutMs, env: { PATH: '/usr/bin:/bin', LANG: 'C' } as unknown as NodeJS.ProcessEnv }, (error, stdout, stderr) => {
      if (error) reject(helperError('system_error', `systemctl ${args.join(' ')}: ${stderr.trim().split('\n').at(-1) || error.message}`));
      else resolve(stdout);
    });
  });
}

async function restartUnit(): Promise<Record<string, unknown>> {
  const mainPid = async () => Number((await systemctl(['show', FAMILY_HUB_UNIT, '--property=MainPID', '--value'], 5000)).trim()) || null;
  const before = await mainPid();
  await systemctl(['restart', FAMILY_HUB_UNIT], 90_000);
  return { changed: true, stopped: before ? [before] : [], hubPid: await mainPid(), how: `systemctl restart ${FAMILY_HUB_UNIT}` };
}

export function stopMemberServer(actor: Actor, user: string) {
  if (!isValidUsername(user)) throw new PublicError('invalid_name', { values: { user } });
  return audited(
    actor,
    'server_stop',
    user,
    async () => ({ ...(await hub.stopServer(user)) }),
    (r) => ({ stopped: r.stopped, pending: r.pending }),
  );
}
