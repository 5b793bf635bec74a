import 'server-only';
// The panel's idle check: every IDLE_CHECK_MS it asks the hub for the servers that
// run (with the panel's token), stops those idle at least as long as the family
// setting allows (lib/upkeep/idle-rule.ts), audits each stop (server_idle_stop, actor
// none: the panel did it, with the idle time) and remembers "stopped after N h
// idle" per user until the hub shows that user's server running again. A server
// reporting activity ahead of the clock is counted from when it was first seen
// (the rule says why) and audited once (activity_in_future, at most one row per
// user an hour); what the rule remembers for that lives in this process, so a
// panel restart starts such a server's count again, once.
import { audit } from '../store/audit';
import { db } from '../store/db';
import { idleStopMinutes } from '../store/family-settings';
import * as hub from '../hub/hub-client';
import { ACTIVITY_SKEW_MS, judgeIdle, newActivityMemory, type ActivityMemory, type FutureActivity, type IdleServer } from './idle-rule';
import { settings } from '../settings';

/** How often the hub is asked (JH4F_IDLE_CHECK_SECONDS in panel.env shortens it for the test sandbox). */
function idleCheckMs(): number {
  return settings().idleCheckSeconds * 1000;
}

export interface IdleStopNote {
  stoppedAt: string;
  idleMs: number;
}

/** The last automatic stop of each of these users, where it still applies. */
export function idleStopNotes(users: readonly string[]): Map<string, IdleStopNote> {
  const out = new Map<string, IdleStopNote>();
  if (users.length === 0) return out;
  const stmt = db().prepare('SELECT stopped_at, idle_ms FROM idle_stops WHERE user = ?');
  for (const u of users) {
    const row = stmt.get(u) as { stopped_at: number; idle_ms: number } | undefined;
    if (row) out.set(u, { stoppedAt: new Date(row.stopped_at).toISOString(), idleMs: row.idle_ms });
  }
  return out;
}

export interface IdleCheckResult {
  checked: number;
  stopped: IdleServer[];
  failed: { server: IdleServer; error: string }[];
  /** Servers newly seen reporting activity ahead of the clock (each audited). */
  future: FutureActivity[];
}

async function stopIdle(s: IdleServer, limitMinutes: number): Promise<string | null> {
  const base = { actor: null, action: 'server_idle_stop' as const, target: s.user };
  const detail = {
    server: s.server,
    idleMinutes: Math.floor(s.idleMs / 60_000),
    limitMinutes,
    lastActivity: s.lastActivity,
    ...(s.reportedActivity ? { reportedActivity: s.reportedActivity } : {}),
    automatic: true,
  };
  try {
    const how = await hub.stopOneServer(s.user, s.server);
    audit.record({ ...base, outcome: 'ok', detail: { ...detail, result: how } });
    db()
      .prepare('INSERT INTO idle_stops (user, stopped_at, idle_ms) VALUES (?, ?, ?) ON CONFLICT(user) DO UPDATE SET stopped_at = excluded.stopped_at, idle_ms = excluded.idle_ms')
      .run(s.user, Date.now(), Math.round(s.idleMs));
    return null;
  } catch (error) {
    const text = error instanceof hub.HubError ? `${error.kind}: ${error.message}` : error instanceof Error ? error.message : String(error);
    audit.record({ ...base, outcome: 'failed', detail, error: text });
    return text;
  }
}

const MEMORY_KEY = Symbol.for('jh4f.idle-stop.activity');
type MemoryHolder = { [MEMORY_KEY]?: ActivityMemory };

/** What the idle rule remembers between checks, one per process (Next may load this module twice). */
function activityMemory(): ActivityMemory {
  const holder = globalThis as MemoryHolder;
  return (holder[MEMORY_KEY] ??= newActivityMemory());
}

/** Tests: forget what earlier checks saw. */
export function forgetActivityForTests(): void {
  delete (globalThis as MemoryHolder)[MEMORY_KEY];
}

/** One row per sighting the rule hands over: the values only; the audit page words them (message keys). */
function auditFuture(f: FutureActivity): void {
  audit.record({
    actor: null,
    action: 'activity_in_future',
    target: f.user,
    // The panel did not take the time it was told: a refusal of what was reported, nothing changed.
    outcome: 'refused',
    detail: {
      server: f.server,
      started: f.started,
      reportedActivity: f.reported,
      aheadSeconds: f.aheadSeconds,
      countedAs: f.countedAs,
      skewSeconds: ACTIVITY_SKEW_MS / 1000,
      automatic: true,
    },
  });
}

/** One check. Exported for the tests; the timer below calls it. */
export async function checkIdleServers(now = Date.now()): Promise<IdleCheckResult> {
  const minutes = idleStopMinutes();
  if (hub.hubToken() === null) return { checked: 0, stopped: [], failed: [], future: [] };
  const users = await hub.activeUsers();
  // A user whose server runs again (started after the stop) no longer shows "stopped after ... idle".
  const forget = db().prepare('DELETE FROM idle_stops WHERE user = ? AND stopped_at < ?');
  for (const u of users) {
    for (const s of u.servers) {
      if (s.ready && s.started) forget.run(u.name, Date.parse(s.started));
    }
  }
  const { idle, future } = judgeIdle(users, minutes === null ? null : minutes * 60_000, now, activityMemory());
  for (const f of future) auditFuture(f);
  const result: IdleCheckResult = { checked: users.length, stopped: [], failed: [], future };
  for (const s of idle) {
    const error = await stopIdle(s, minutes!);
    if (error) result.failed.push({ server: s, error });
    else result.stopped.push(s);
  }
  return result;
}

const KEY = Symbol.for('jh4f.idle-stop.timer');
type Holder = { [KEY]?: NodeJS.Timeout };

/** Starts the check once per process (lib/background.ts). A failing hub is logged, never fatal. */
export function startIdleStopTimer(): void {
  const holder = globalThis as Holder;
  if (holder[KEY]) return;
  let running = false;
  const tick = async () => {
    if (running) return; // a slow hub: never two checks at once
    running = true;
    try {
      const r = await checkIdleServers();
      for (const f of r.future) log(`idle check: ${f.user} server '${f.server}' reports activity ${f.aheadSeconds} s ahead of the clock; counted from now`);
      for (const s of r.stopped) log(`idle stop: ${s.user} server '${s.server}' after ${Math.floor(s.idleMs / 60_000)} min idle`);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (!(error instanceof hub.HubError && (error.kind === 'no_token' || error.kind === 'refused'))) log(`idle check failed: ${text}`);
    } finally {
      running = false;
    }
  };
  holder[KEY] = setInterval(() => void tick(), idleCheckMs());
  holder[KEY].unref();
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}
