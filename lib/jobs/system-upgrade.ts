import 'server-only';
// "Install updates now": the machine's upgrade as the second job kind, run by the
// helper's upgrade-system in the same queue as the installs (one job at a time).
// The mode is the saved setting's (security or all), read here for a good message;
// the helper reads it again and refuses any other. Off (or a drop-in not ours):
// refused, audited, and nothing queued. One upgrade at a time: an upgrade already
// queued or running is returned instead of a second one.
import { PublicError } from '../errors/errors';
import { readUpdateSettings } from '../machine/update-settings';
import { refuse, type Actor } from '../store/audited';
import type { JobView } from './job-progress';
import { enqueue, isLive } from './queue';
import { activeUpgrade, insertJob, reshape, UPGRADE_KIND, UPGRADE_TARGET } from './store';

export function startUpgrade(actor: Actor, retryOf: string | null = null): { job: JobView; existing: boolean } {
  const mode = readUpdateSettings().mode;
  if (mode !== 'security' && mode !== 'all') {
    refuse(actor, 'system_upgrade', UPGRADE_TARGET, new PublicError('conflict', { reason: 'updates_off', logText: `the automatic updates are ${mode ?? 'not readable'}` }), {
      mode: mode ?? null,
    });
  }
  const active = activeUpgrade();
  if (active && isLive(active.id)) return { job: reshape(active), existing: true };
  const job = insertJob(actor, mode as string, retryOf, UPGRADE_KIND);
  enqueue(job.id);
  return { job, existing: false };
}
