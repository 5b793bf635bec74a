// What a parent types for one weekday, read leniently into the ranges the shared
// rule takes ("16:00-20:00", lib/shared/hours-rule.ts): "16-20", "4pm-8pm",
// "16:00 – 20:00", "16.00 bis 20.00", several parted by commas, semicolons, "and"
// or "und". The rule itself stays the one of the helper and the hub; this only
// turns the ways people write a time into its format, and says per day what is
// wrong as a problem code the editor words from the catalog. Pure: the editor
// (a client component) and the unit tests import it.
import { HoursError, parseHours, type Weekday } from '../shared/hours-rule';

export type DayProblem = 'notTime' | 'notRange' | 'endNotAfterStart' | 'startAtMidnight' | 'afterMidnight' | 'tooMany' | 'overlap';

export type DayReading = { ok: true; ranges: string[] } | { ok: false; problem: DayProblem; part: string };

// 16, 16:00, 16.00, 16h, 16 Uhr, 4pm, 4:30 pm, 12am (midnight), 12pm (noon).
const TIME_RE = /^(\d{1,2})(?:[:.h](\d{2}))?\s*(?:h|uhr)?\s*(am|pm|a\.m\.|p\.m\.)?$/i;

function readTime(text: string): string | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const meridiem = m[3]?.toLowerCase().replace(/\./g, '');
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    if (meridiem === 'am') hour = hour === 12 ? 0 : hour;
    else hour = hour === 12 ? 12 : hour + 12;
  }
  if (minute > 59 || hour > 24) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** "4pm-8pm" -> "16:00-20:00"; null when it is not two times. */
function readRange(part: string): string | null {
  // A dash of any kind, "to", "bis" between the two times.
  const halves = part.split(/\s*(?:-|–|—|−|\bto\b|\bbis\b)\s*/i).filter((h) => h !== '');
  if (halves.length !== 2) return null;
  const start = readTime(halves[0]!);
  const end = readTime(halves[1]!);
  // "4-8pm": the meridiem written once, after the end, counts for the start too.
  if (start && end && /pm|p\.m\./i.test(halves[1]!) && !/am|pm|a\.m\.|p\.m\./i.test(halves[0]!)) {
    const withPm = readTime(`${halves[0]} pm`);
    if (withPm && withPm < end) return `${withPm}-${end}`;
  }
  return start && end ? `${start}-${end}` : null;
}

const PROBLEM_OF: Partial<Record<string, DayProblem>> = {
  hours_not_time: 'notTime',
  hours_not_range: 'notRange',
  hours_after_midnight: 'afterMidnight',
  hours_start_at_midnight: 'startAtMidnight',
  hours_end_not_after_start: 'endNotAfterStart',
  hours_too_many_ranges: 'tooMany',
  hours_overlap: 'overlap',
};

/** One day's line: its ranges in the rule's format, or what is wrong and where. Empty: no Jupyter that day. */
export function readDayLine(day: Weekday, line: string): DayReading {
  const parts = line
    .split(/\s*(?:,|;|\band\b|\bund\b|&)\s*/i)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const ranges: string[] = [];
  for (const part of parts) {
    const range = readRange(part);
    if (!range) return { ok: false, problem: /\d/.test(part) && /-|–|—|to|bis/i.test(part) ? 'notTime' : 'notRange', part };
    ranges.push(range);
  }
  try {
    parseHours({ [day]: ranges });
  } catch (e) {
    if (!(e instanceof HoursError)) throw e;
    const part = String(e.values.range ?? e.values.first ?? e.values.time ?? line).replace('-', '–');
    return { ok: false, problem: (e.reason && PROBLEM_OF[e.reason]) || 'notRange', part };
  }
  return { ok: true, ranges };
}
