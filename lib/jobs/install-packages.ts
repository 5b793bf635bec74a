import 'server-only';
// The install jobs' use cases: start an install for a member (the panel's own
// checks first, refusals audited), retry one as a new linked job, cancel one.
import { accountFacts } from '../accounts/account-policy';
import { PublicError } from '../errors/errors';
import { FINAL_STATES, RETRYABLE_STATES, type JobState, type JobView } from './job-progress';
import { isValidUsername } from '../shared/username-rule';
import { refuse, type Actor } from '../store/audited';
import { abortRunning, dequeue, enqueue, isLive, publish } from './queue';
import { activeJobOf, auditEnd, finish, getJob, insertJob, reshape, UPGRADE_KIND } from './store';
import { startUpgrade } from './system-upgrade';

/** The parent who started, retried or cancelled a job. */
export type JobActor = Actor;

/** The panel's own checks before any job exists (good messages; the helper decides again). Refusals are audited. */
function checkTarget(actor: JobActor, target: unknown): string {
  const no = (user: string, error: PublicError): never => refuse(actor, 'packages_install', user, error);
  if (!isValidUsername(target)) {
    no(typeof target === 'string' ? target : JSON.stringify(target ?? null), new PublicError('invalid_name', { values: { problem: 'invalid' } }));
  }
  const user = target as string;
  const facts = accountFacts(user);
  if (!facts.exists) no(user, new PublicError('no_such_user', { values: { user } }));
  if (facts.protectedReason) {
    no(user, new PublicError('protected_account', { reason: 'protected', values: { user, protectedReason: facts.protectedReason } }));
  }
  if (!facts.member) no(user, new PublicError('protected_account', { reason: 'not_member', values: { user } }));
  return user;
}

function queued(actor: JobActor, user: string, retryOf: string | null): JobView {
  const job = insertJob(actor, user, retryOf);
  enqueue(job.id);
  return job;
}

/**
 * Start an install for a member: 202 {jobId}. An install already queued or
 * running for this member is returned instead of a second one.
 */
export function startInstall(actor: JobActor, rawTarget: unknown): { job: JobView; existing: boolean } {
  const user = checkTarget(actor, rawTarget);
  const active = activeJobOf(user);
  if (active && isLive(active.id)) return { job: reshape(active), existing: true };
  return { job: queued(actor, user, null), existing: false };
}

/** A job id that is not (or no longer) known: 404. */
export const jobNotFound = (): PublicError => new PublicError('not_found', { reason: 'job_not_found' });
/** A job whose state does not allow the change (retry a running one, cancel a finished one): 409. */
const jobState = (): PublicError => new PublicError('conflict', { reason: 'job_state' });

/** Retry a failed, cancelled or interrupted job: a new job linked to it. */
export function retryJob(actor: JobActor, id: string): JobView {
  const old = getJob(id);
  if (!old) throw jobNotFound();
  if (!RETRYABLE_STATES.has(old.state)) throw jobState();
  // An upgrade is tried again with the mode set now, not the one it had.
  if (old.kind === UPGRADE_KIND) return startUpgrade(actor, old.id).job;
  const user = checkTarget(actor, old.target);
  return queued(actor, user, old.id);
}

/** Cancel a queued or running job. A finished one: conflict. */
export function cancelJob(actor: JobActor, id: string): JobView {
  const job = getJob(id);
  if (!job) throw jobNotFound();
  if (abortRunning(id)) return getJob(id)!;
  if (job.state === 'queued') {
    dequeue(id);
    const ended = finish(id, 'cancelled', { error: `cancelled by ${actor.username} before it started` });
    auditEnd(ended, 'failed', ended.error, actor);
    publish(id, { type: 'end', job: ended });
    return ended;
  }
  throw jobState();
}

export function isFinal(state: JobState): boolean {
  return FINAL_STATES.has(state);
}
