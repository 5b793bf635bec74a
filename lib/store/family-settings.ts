import 'server-only';
// Settings a parent changes on the family page (not panel.env, which is root's and
// needs a restart): stored in panel.db, each change audited as setting_change with
// the old and the new value. Today one: how long a hub server may sit idle before
// the panel stops it (lib/upkeep/idle-stop.ts).
import { audit } from './audit';
import { db } from './db';
import { settings } from '../settings';

/** Minutes a server may be idle before the panel stops it; null: never. */
export type IdleStopMinutes = number | null;

export const IDLE_STOP_KEY = 'idle_stop_minutes';
/** The default: 3 hours. */
export const DEFAULT_IDLE_STOP_MINUTES = 180;
/** What the family page offers, in hours (a value outside these still shows, as set through the API). */
export const IDLE_STOP_HOUR_CHOICES: readonly number[] = [1, 2, 3, 6, 12, 24];
export const MAX_IDLE_STOP_MINUTES = 7 * 24 * 60;

/**
 * Whole hours only, except where JH4F_IDLE_MINUTES=1 in panel.env (the test sandbox
 * sets it so a test can wait out a one-minute limit against the real hub). Pure.
 */
export function idleStopProblem(minutes: IdleStopMinutes, minutesAllowed: boolean): string | null {
  if (minutes === null) return null;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_IDLE_STOP_MINUTES) return `between 1 minute and ${MAX_IDLE_STOP_MINUTES / 60 / 24} days`;
  if (minutes % 60 !== 0 && !minutesAllowed) return 'whole hours';
  return null;
}

interface Row {
  value: string;
  updated_at: number;
  updated_by: string | null;
}

export function idleStopMinutes(): IdleStopMinutes {
  const row = db().prepare('SELECT value, updated_at, updated_by FROM family_settings WHERE key = ?').get(IDLE_STOP_KEY) as Row | undefined;
  if (!row) return DEFAULT_IDLE_STOP_MINUTES;
  try {
    const v: unknown = JSON.parse(row.value);
    if (v === null) return null;
    if (typeof v === 'number' && idleStopProblem(v, true) === null) return v;
  } catch {
    /* unreadable: the default */
  }
  return DEFAULT_IDLE_STOP_MINUTES;
}

export class SettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingError';
  }
}

/** Sets the idle limit (validated again here: every caller is a boundary), audited. */
export function setIdleStopMinutes(actor: { username: string; clientAddress?: string | null }, minutes: IdleStopMinutes): { changed: boolean; minutes: IdleStopMinutes } {
  const problem = idleStopProblem(minutes, settings().idleMinutesAllowed);
  const base = { actor: actor.username, action: 'setting_change' as const, target: IDLE_STOP_KEY, clientAddress: actor.clientAddress ?? null };
  if (problem) {
    audit.record({ ...base, outcome: 'refused', detail: { requested: minutes }, error: `idle stop must be ${problem}` });
    throw new SettingError(`idle stop must be ${problem}`);
  }
  const before = idleStopMinutes();
  db()
    .prepare(
      `INSERT INTO family_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    )
    .run(IDLE_STOP_KEY, JSON.stringify(minutes), Date.now(), actor.username);
  audit.record({ ...base, outcome: 'ok', detail: { from: before, to: minutes } });
  return { changed: before !== minutes, minutes };
}
