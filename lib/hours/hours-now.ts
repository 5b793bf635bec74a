// Whether a kid is inside their Jupyter hours at a moment: the panel's part of the
// hours rule (its scheduler, Bedtime, the family list). The rule's validation and
// the file's format are lib/shared/hours-rule.ts, which the root helper bundles; this part it
// does not need. The family hub's Python package implements the same check
// (system/hub/jupyterhub4family/hours.py; both run test/fixtures/hours-cases.json).
import { parseHours, type Hours, type HoursEntry, type HoursFile, type Weekday } from '../shared/hours-rule';

/** JavaScript's getDay() index -> our weekday. */
const DAY_OF_JS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Whether a moment (in the process's local time zone, the machine's) is inside the hours. */
export function isWithinHours(hours: Hours, now: Date): boolean {
  if (hours === null) return true;
  const day = DAY_OF_JS[now.getDay()]!;
  const minute = now.getHours() * 60 + now.getMinutes();
  return hours[day].some((r) => minute >= r.start && minute < r.end);
}

export function entryOf(file: HoursFile | null, user: string): HoursEntry {
  if (!file || !Object.prototype.hasOwnProperty.call(file.raw, user)) return { kind: 'always' };
  try {
    const hours = parseHours(file.raw[user]);
    return hours === null ? { kind: 'always' } : { kind: 'hours', hours };
  } catch (e) {
    return { kind: 'malformed', problem: (e as Error).message };
  }
}

/** Allowed now? A malformed entry is not (fail closed). */
export function entryAllows(entry: HoursEntry, now: Date): boolean {
  if (entry.kind === 'always') return true;
  if (entry.kind === 'malformed') return false;
  return isWithinHours(entry.hours, now);
}
