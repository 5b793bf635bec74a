import 'server-only';
// Jupyter hours and bedtime, the panel's side: set a kid's hours (the root
// helper's set-hours writes the file the hub enforces), stop kids' servers at
// bedtime (a parent's button) or when their hours end (the scheduler, actor
// "(system)": not a valid user name, so never mistaken for a person). Every
// change and every stop is audited: hours_set, bedtime, hours_stop.
import { audit } from '../store/audit';
import { ADMIN_GROUP } from '../constants';
import { PublicError } from '../errors/errors';
import * as helper from '../helper/commands';
import * as hub from '../hub/hub-client';
import { invalidateHubReport } from '../hub/report-cache';
import { hoursToJson, HoursError, parseHours, type HoursEntry } from '../shared/hours-rule';
import { entryAllows, entryOf } from './hours-now';
import { readHoursFile } from './hours-file';
import { isValidUsername } from '../shared/username-rule';
import { publicErrorOf } from '../errors/public-error-of';
import { audited, errorDetail, errorText, outcomeOf, refuse, type Actor } from '../store/audited';
import { snapshot } from '../accounts/unix-accounts';

export type { Actor } from '../store/audited';

/** The audit actor of automatic stops. */
export const SYSTEM_ACTOR = '(system)';

/** A kid's hours as the family page shows them. */
export function hoursOf(user: string): HoursEntry {
  const state = readHoursFile();
  if (state.kind === 'broken') return { kind: 'malformed', problem: state.problem };
  return entryOf(state.kind === 'ok' ? state.file : null, user);
}

/** Bad hours from the browser are refused (400 invalid_hours, audited) before the helper is called. */
export async function setKidHours(actor: Actor, user: string, raw: unknown): Promise<{ user: string; changed: boolean; hours: unknown }> {
  const target = isValidUsername(user) ? user : null;
  let arg: string;
  try {
    if (!isValidUsername(user)) throw new HoursError('invalid user name');
    const hours = parseHours(raw);
    arg = hours === null ? 'always' : JSON.stringify(hoursToJson(hours));
  } catch (e) {
    if (!(e instanceof HoursError)) throw e;
    return refuse(actor, 'hours_set', target, new PublicError('invalid_hours', { detail: e.message, logText: e.message }), { phase: 'done' });
  }
  const r = await audited(actor, 'hours_set', target, () => helper.setHours(user, arg, actor.username, { timeoutMs: 30_000 }), {
    detail: { hours: arg },
    summary: (result) => ({ changed: result.changed === true }),
  });
  return { user, changed: r.changed === true, hours: r.hours };
}

interface Stopped {
  user: string;
  servers: string[];
}

async function stopAll(users: string[]): Promise<{ stopped: Stopped[]; failed: { user: string; error: string }[] }> {
  const stopped: Stopped[] = [];
  const failed: { user: string; error: string }[] = [];
  for (const user of users) {
    try {
      const r = await hub.stopServer(user);
      stopped.push({ user, servers: r.stopped });
    } catch (e) {
      failed.push({ user, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { stopped, failed };
}

/** Hub users with a running (or starting) server, split into parents and the others. */
async function runningByRole(): Promise<{ kids: string[]; parents: string[] }> {
  const accounts = snapshot();
  const running = (await hub.usersWithServers({ timeoutMs: 5000 })).filter((u) => u.running > 0).map((u) => u.name);
  const parents = running.filter((u) => accounts.isGroupMember(u, ADMIN_GROUP));
  return { kids: running.filter((u) => !parents.includes(u)), parents };
}

/** "Bedtime now": stop every running server of everyone who is not a parent. */
export async function bedtimeNow(actor: Actor): Promise<{ stopped: Stopped[]; failed: { user: string; error: string }[]; parentsLeft: string[] }> {
  // Not audited(): a bedtime that reached the hub but could not stop some servers
  // answers 200 with who failed, and its done row says failed.
  const base = { actor: actor.username, action: 'bedtime' as const, target: null, clientAddress: actor.clientAddress };
  const startId = audit.record({ ...base, outcome: 'ok', detail: { phase: 'start' } });
  try {
    const { kids, parents } = await runningByRole();
    const r = await stopAll(kids);
    audit.record({
      ...base,
      startId,
      outcome: r.failed.length ? 'failed' : 'ok',
      detail: { phase: 'done', stopped: r.stopped, failed: r.failed.map((f) => f.user), parentsLeft: parents },
      error: r.failed.length ? r.failed.map((f) => `${f.user}: ${f.error}`).join('; ') : null,
    });
    return { ...r, parentsLeft: parents };
  } catch (error) {
    const e = publicErrorOf(error);
    audit.record({ ...base, startId, outcome: outcomeOf(e), detail: { phase: 'done', ...errorDetail(e) }, error: errorText(e) });
    throw e;
  } finally {
    invalidateHubReport();
  }
}

/**
 * One round of the scheduler: every kid whose hours do not include `now` and who
 * has a running server gets it stopped (hours_stop, actor "(system)"). Nothing to
 * check (no file, nobody restricted now): no hub call at all.
 */
export async function enforceHours(now: Date): Promise<Stopped[]> {
  const state = readHoursFile();
  if (state.kind === 'none') return [];
  let outside: (user: string) => boolean;
  let reason: (user: string) => string;
  if (state.kind === 'broken') {
    outside = () => true;
    reason = () => `the hours file is broken: ${state.problem}`;
  } else {
    const users = Object.keys(state.file.raw).filter((u) => !entryAllows(entryOf(state.file, u), now));
    if (users.length === 0) return [];
    outside = (u) => users.includes(u);
    reason = (u) => (entryOf(state.file, u).kind === 'malformed' ? 'malformed hours entry' : 'outside Jupyter hours');
  }
  const { kids } = await runningByRole();
  const due = kids.filter(outside);
  const stopped: Stopped[] = [];
  for (const user of due) {
    const base = { actor: SYSTEM_ACTOR, action: 'hours_stop' as const, target: user, clientAddress: null };
    try {
      const r = await hub.stopServer(user);
      audit.record({ ...base, outcome: 'ok', detail: { reason: reason(user), stopped: r.stopped, at: now.toISOString() } });
      stopped.push({ user, servers: r.stopped });
    } catch (e) {
      audit.record({ ...base, outcome: 'failed', detail: { reason: reason(user) }, error: e instanceof Error ? e.message : String(e) });
    }
  }
  if (stopped.length) invalidateHubReport();
  return stopped;
}
