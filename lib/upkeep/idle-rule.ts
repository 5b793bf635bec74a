// Which hub servers are idle long enough to stop: pure, so the rule is unit-tested
// without a hub. The clock is the hub's: last_activity as the hub reports it (its
// proxy's traffic and the server's own activity reports), never the panel's view.
import type { HubUser } from '../hub/hub-client';

export interface IdleServer {
  user: string;
  /** '' is the default server. */
  server: string;
  /** ISO time the hub last saw activity on it (the server's own, else its start). */
  lastActivity: string;
  idleMs: number;
}

/**
 * Ready servers (not starting or stopping) whose last activity is at least
 * limitMs before now. A server without any time the hub reports is kept: the
 * panel never stops on a guess. Parents' servers count too: a parent's forgotten
 * kernel takes the same memory as a kid's (the family page says so).
 */
export function idleServers(users: readonly HubUser[], limitMs: number | null, now: number): IdleServer[] {
  if (limitMs === null || !(limitMs > 0)) return [];
  const out: IdleServer[] = [];
  for (const u of users) {
    for (const s of u.servers) {
      if (!s.ready || s.pending !== null) continue;
      const last = s.lastActivity ?? s.started;
      if (!last) continue;
      const at = Date.parse(last);
      if (Number.isNaN(at)) continue;
      const idleMs = now - at;
      if (idleMs >= limitMs) out.push({ user: u.name, server: s.name, lastActivity: last, idleMs });
    }
  }
  return out;
}

/** "stopped after N h idle": whole hours when at least one, else minutes (the sandbox's short limits). */
export function idleSpan(idleMs: number): { hours: number } | { minutes: number } {
  const minutes = Math.max(1, Math.floor(idleMs / 60_000));
  return minutes >= 60 ? { hours: Math.floor(minutes / 60) } : { minutes };
}
