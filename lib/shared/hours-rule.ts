// Jupyter hours per kid: the rules, pure (no I/O, no npm imports: the root helper
// bundles this module to validate and write the file; whether a moment is inside
// the hours is the panel's, lib/hours/hours-now.ts), and the family hub's
// Python package implements the same rule -- system/hub/jupyterhub4family/hours.py;
// both run test/fixtures/hours-cases.json; test/unit/hours.test.ts pins this one).
//
// The file /etc/jupyterhub4family/hours.json (root:root 0644, written only by the
// helper's set-hours) holds {"version":1,"users":{"anna":{"mon":["16:00-20:00"],...}}}.
// A user with no entry has no restriction ("always"); in an entry, a weekday that
// is missing or has an empty list means no Jupyter that day. Times are the
// machine's local time. A range runs from its start up to (not including) its end;
// "24:00" ends at midnight. A range past midnight is refused: it is two ranges on
// two days, and saying so keeps "which day is this?" out of the rule.

export const HOURS_FILE = '/etc/jupyterhub4family/hours.json';
export const HOURS_DIR = '/etc/jupyterhub4family';

/** Monday first, as a family reads a week. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const MAX_RANGES_PER_DAY = 4;

/** Minutes since midnight, [start, end). */
export interface Range {
  start: number;
  end: number;
}

/** Weekday -> ranges, sorted; a day with no ranges means no Jupyter that day. */
export type WeekHours = Readonly<Record<Weekday, readonly Range[]>>;

/** null = always (no restriction). */
export type Hours = WeekHours | null;

/**
 * Why hours or the hours file were refused, as a code (the English message says the
 * same for a person): the helper puts it on its error line, so the panel never
 * reads the sentence.
 */
export const HOURS_REASONS = [
  'hours_not_time',
  'hours_after_midnight',
  'hours_not_range',
  'hours_start_at_midnight',
  'hours_end_not_after_start',
  'hours_not_hours',
  'hours_unknown_day',
  'hours_not_list',
  'hours_too_many_ranges',
  'hours_overlap',
  'hours_file_not_json',
  'hours_file_not_object',
  'hours_file_version',
  'hours_file_no_users',
] as const;
export type HoursReason = (typeof HOURS_REASONS)[number];

export class HoursError extends Error {
  /** null: a refusal the panel makes itself, outside the rule (an invalid user name). */
  readonly reason: HoursReason | null;
  readonly values: Readonly<Record<string, string | number>>;
  constructor(message: string, reason: HoursReason | null = null, values: Record<string, string | number> = {}) {
    super(message);
    this.name = 'HoursError';
    this.reason = reason;
    this.values = values;
  }
}

const TIME_RE = /^([01][0-9]|2[0-4]):([0-5][0-9])$/;
const RANGE_RE = /^([0-9]{2}:[0-9]{2})-([0-9]{2}:[0-9]{2})$/;

function minutes(text: string, what: string): number {
  const m = TIME_RE.exec(text);
  if (!m) throw new HoursError(`${what} ${JSON.stringify(text.slice(0, 20))} is not a time HH:MM (00:00 to 24:00)`, 'hours_not_time', { time: text.slice(0, 20) });
  const value = Number(m[1]) * 60 + Number(m[2]);
  if (value > 24 * 60) throw new HoursError(`${what} ${text} is after 24:00`, 'hours_after_midnight', { time: text });
  return value;
}

export function formatMinutes(value: number): string {
  return `${String(Math.floor(value / 60)).padStart(2, '0')}:${String(value % 60).padStart(2, '0')}`;
}

export function formatRange(r: Range): string {
  return `${formatMinutes(r.start)}-${formatMinutes(r.end)}`;
}

/** "16:00-20:00" -> {start: 960, end: 1200}. Refuses 25:00, 20:00-16:00 and anything else. */
export function parseRange(text: unknown): Range {
  if (typeof text !== 'string') throw new HoursError('a range must be a string "HH:MM-HH:MM"', 'hours_not_range');
  const m = RANGE_RE.exec(text);
  if (!m) throw new HoursError(`${JSON.stringify(text.slice(0, 20))} is not a range HH:MM-HH:MM`, 'hours_not_range', { range: text.slice(0, 20) });
  const start = minutes(m[1]!, 'the start');
  const end = minutes(m[2]!, 'the end');
  if (start === 24 * 60) throw new HoursError(`${text}: a range cannot start at 24:00`, 'hours_start_at_midnight', { range: text });
  if (end <= start) {
    throw new HoursError(`${text}: the end must be after the start (a range past midnight is two ranges: ${m[1]}-24:00 and 00:00-${m[2]} the next day)`, 'hours_end_not_after_start', {
      range: text,
    });
  }
  return { start, end };
}

/**
 * Validate one user's hours as JSON gives them: "always", or an object of
 * weekday -> list of "HH:MM-HH:MM". Unknown days, unknown keys, more than
 * MAX_RANGES_PER_DAY ranges or overlapping ranges are refused (HoursError).
 */
export function parseHours(data: unknown): Hours {
  if (data === 'always') return null;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HoursError('hours must be "always" or an object of weekday -> ["HH:MM-HH:MM", ...]', 'hours_not_hours');
  }
  const out: Record<Weekday, Range[]> = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
  for (const [day, list] of Object.entries(data as Record<string, unknown>)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      throw new HoursError(`unknown day ${JSON.stringify(day.slice(0, 20))}; the days are ${WEEKDAYS.join(', ')}`, 'hours_unknown_day', { day: day.slice(0, 20) });
    }
    if (!Array.isArray(list)) throw new HoursError(`${day}: a list of ranges "HH:MM-HH:MM" is needed`, 'hours_not_list', { day });
    if (list.length > MAX_RANGES_PER_DAY) throw new HoursError(`${day}: at most ${MAX_RANGES_PER_DAY} ranges a day`, 'hours_too_many_ranges', { day, max: MAX_RANGES_PER_DAY });
    const ranges = list.map(parseRange).sort((a, b) => a.start - b.start);
    for (let i = 1; i < ranges.length; i++) {
      if (ranges[i]!.start < ranges[i - 1]!.end)
        throw new HoursError(`${day}: ${formatRange(ranges[i - 1]!)} and ${formatRange(ranges[i]!)} overlap`, 'hours_overlap', {
          day,
          first: formatRange(ranges[i - 1]!),
          second: formatRange(ranges[i]!),
        });
    }
    out[day as Weekday] = ranges;
  }
  return out;
}

/** The JSON form of validated hours (what set-hours writes for a user). */
export function hoursToJson(hours: WeekHours): Record<Weekday, string[]> {
  const out = {} as Record<Weekday, string[]>;
  for (const day of WEEKDAYS) out[day] = hours[day].map(formatRange);
  return out;
}

/** One user's state in the file: always, their hours, or a malformed entry (that kid is refused). */
export type HoursEntry = { kind: 'always' } | { kind: 'hours'; hours: WeekHours } | { kind: 'malformed'; problem: string };

export interface HoursFile {
  /** Raw JSON values per user, kept as they are so one bad entry never loses the others. */
  raw: Record<string, unknown>;
}

/**
 * The file's text -> its users. Throws HoursError when the file as a whole is
 * not {"version":1,"users":{...}}.
 */
export function parseHoursFile(text: string): HoursFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HoursError('the hours file is not valid JSON', 'hours_file_not_json');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new HoursError('the hours file must hold a JSON object', 'hours_file_not_object');
  const d = data as Record<string, unknown>;
  if (d.version !== 1) throw new HoursError('the hours file has an unknown version', 'hours_file_version');
  const users = d.users;
  if (typeof users !== 'object' || users === null || Array.isArray(users)) throw new HoursError('the hours file has no "users" object', 'hours_file_no_users');
  const raw: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(users as Record<string, unknown>)) raw[k] = v;
  return { raw };
}

/** The file's new text with one user's hours replaced ("always" removes the entry). */
export function renderHoursFile(file: HoursFile | null, user: string, hours: Hours): string {
  const users: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(file?.raw ?? {})) if (k !== user) users[k] = v;
  if (hours !== null) users[user] = hoursToJson(hours);
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(users).sort()) sorted[k] = users[k];
  return `${JSON.stringify({ version: 1, users: sorted }, null, 2)}\n`;
}
