// Which hub servers are idle long enough to stop: pure, so the rule is unit-tested
// without a hub. The activity is the hub's: last_activity as the hub reports it
// (its proxy's traffic and the server's own activity reports), with one bound the
// panel's clock sets: a time later than now is not believed (below).
import type { HubUser } from '../hub/hub-client';

/**
 * How far a reported activity time may lie ahead of the panel's clock and still
 * be taken (as "now"). The hub, its proxy, the kids' servers and the panel run on
 * one machine with one clock, so an honest time is never ahead by more than the
 * rounding and the moments between a report and this check; a minute also covers
 * the clock being stepped back a little (NTP after a boot). More than that
 * is a server reporting a time it made up: its own JUPYTERHUB_API_TOKEN lets a
 * kid's code post any last_activity the hub accepts, up to 59 minutes ahead.
 */
export const ACTIVITY_SKEW_MS = 60_000;

/** Audit a server's times from the future at most this often per user (a start-stop loop cannot flood the log). */
export const FUTURE_AUDIT_EVERY_MS = 3600_000;

/** What the rule remembers of one server start whose activity time lay ahead of the clock. */
export interface FutureSighting {
  /** The panel's clock when a time ahead was first seen: what the activity counts as. */
  firstSeenAt: number;
  /** The latest reported time seen ahead (the hub keeps the largest it was told). */
  reportedAt: number;
}

/** Kept by the caller from one check to the next (lib/upkeep/idle-stop.ts: one per panel process). */
export interface ActivityMemory {
  /** By serverKey(): user, server name and start time, so a new start begins afresh. */
  readonly sightings: Map<string, FutureSighting>;
  /** By user: when their last activity_in_future row was written. */
  readonly auditedAt: Map<string, number>;
}

export function newActivityMemory(): ActivityMemory {
  return { sightings: new Map(), auditedAt: new Map() };
}

export function serverKey(user: string, server: string, started: string | null): string {
  return `${user}\n${server}\n${started ?? ''}`;
}

export interface IdleServer {
  user: string;
  /** '' is the default server. */
  server: string;
  /** ISO time of the activity the rule counted (the hub's last activity, else its start; for a time ahead, when it was first seen). */
  lastActivity: string;
  idleMs: number;
  /** The hub's last_activity when it was not believed (ahead of the clock), else absent. */
  reportedActivity?: string;
}

/** A server seen reporting activity ahead of the clock, to be audited (activity_in_future). */
export interface FutureActivity {
  user: string;
  server: string;
  started: string | null;
  /** The hub's last_activity as reported. */
  reported: string;
  /** How far ahead of the panel's clock, in whole seconds. */
  aheadSeconds: number;
  /** What the rule counts it as: the moment it was first seen (ISO). */
  countedAs: string;
}

export interface IdleDecision {
  /** Servers to stop. */
  idle: IdleServer[];
  /** New sightings to audit (at most one per user per FUTURE_AUDIT_EVERY_MS). */
  future: FutureActivity[];
}

/**
 * The activity time the rule counts for one server, in ms, or null when the hub
 * gives no time at all.
 *
 * A reported time more than ACTIVITY_SKEW_MS ahead counts as the moment it was
 * first seen, and keeps counting as that for as long as the server reports
 * times ahead, and after that for as long as the hub still shows that same
 * value (the hub keeps the largest time it was told, so the made-up time stays
 * until it has passed). Why not "now" at every check: a server reporting +1 h at
 * every poll would then look active at every check and never be stopped. Why
 * not the last time before it (or the start): a clock stepped back would make an
 * honest, busy server look idle since then. Counting from the first sight, a
 * server that keeps reporting the future is stopped one idle limit after it was
 * first seen, as a server that stopped reporting anything would be. Only a time
 * later than the largest seen ahead, and not itself ahead, is activity again.
 * A time within the skew counts as now, never later: a small lead buys nothing
 * over reporting the present.
 */
function countedActivity(key: string, reported: number, now: number, memory: ActivityMemory): { at: number; sighting: FutureSighting | null; fresh: boolean } {
  const seen = memory.sightings.get(key);
  if (reported > now + ACTIVITY_SKEW_MS) {
    if (seen) {
      seen.reportedAt = Math.max(seen.reportedAt, reported);
      return { at: seen.firstSeenAt, sighting: seen, fresh: false };
    }
    const sighting = { firstSeenAt: now, reportedAt: reported };
    memory.sightings.set(key, sighting);
    return { at: now, sighting, fresh: true };
  }
  if (seen && reported <= seen.reportedAt) return { at: seen.firstSeenAt, sighting: seen, fresh: false };
  if (seen) memory.sightings.delete(key);
  return { at: Math.min(reported, now), sighting: null, fresh: false };
}

/**
 * Ready servers (not starting or stopping) whose counted activity is at least
 * limitMs before now, and the servers newly seen reporting activity ahead of the
 * clock. Without a last activity the server's start counts; a server without
 * any time the hub reports is kept: the panel never stops on a guess. Parents'
 * servers count too: a parent's forgotten kernel takes the same memory as a
 * kid's (the family page says so). Times ahead are judged whatever the limit (a
 * family without idle stop still learns of them). Updates memory: sightings of
 * servers no longer listed are dropped.
 */
export function judgeIdle(users: readonly HubUser[], limitMs: number | null, now: number, memory: ActivityMemory): IdleDecision {
  const stopAfter = limitMs !== null && limitMs > 0 ? limitMs : null;
  const idle: IdleServer[] = [];
  const future: FutureActivity[] = [];
  const listed = new Set<string>();
  for (const u of users) {
    for (const s of u.servers) {
      const key = serverKey(u.name, s.name, s.started);
      listed.add(key);
      if (!s.ready || s.pending !== null) continue;
      const reported = s.lastActivity === null ? NaN : Date.parse(s.lastActivity);
      let at: number;
      let disbelieved: FutureSighting | null = null;
      if (!Number.isNaN(reported)) {
        const c = countedActivity(key, reported, now, memory);
        at = c.at;
        disbelieved = c.sighting;
        const last = memory.auditedAt.get(u.name);
        if (c.fresh && (last === undefined || now - last >= FUTURE_AUDIT_EVERY_MS)) {
          memory.auditedAt.set(u.name, now);
          future.push({
            user: u.name,
            server: s.name,
            started: s.started,
            reported: s.lastActivity!,
            aheadSeconds: Math.floor((reported - now) / 1000),
            countedAs: new Date(now).toISOString(),
          });
        }
      } else {
        const started = s.started === null ? NaN : Date.parse(s.started);
        if (Number.isNaN(started)) continue;
        at = Math.min(started, now);
      }
      const idleMs = now - at;
      if (stopAfter !== null && idleMs >= stopAfter) {
        idle.push({
          user: u.name,
          server: s.name,
          lastActivity: disbelieved ? new Date(at).toISOString() : (s.lastActivity ?? s.started!),
          idleMs,
          ...(disbelieved ? { reportedActivity: s.lastActivity! } : {}),
        });
      }
    }
  }
  for (const key of memory.sightings.keys()) if (!listed.has(key)) memory.sightings.delete(key);
  for (const [user, at] of memory.auditedAt) if (now - at >= FUTURE_AUDIT_EVERY_MS) memory.auditedAt.delete(user);
  return { idle, future };
}

/** The servers to stop at `now` with nothing remembered from earlier checks. */
export function idleServers(users: readonly HubUser[], limitMs: number | null, now: number): IdleServer[] {
  return judgeIdle(users, limitMs, now, newActivityMemory()).idle;
}

/** "stopped after N h idle": whole hours when at least one, else minutes (the sandbox's short limits). */
export function idleSpan(idleMs: number): { hours: number } | { minutes: number } {
  const minutes = Math.max(1, Math.floor(idleMs / 60_000));
  return minutes >= 60 ? { hours: Math.floor(minutes / 60) } : { minutes };
}
