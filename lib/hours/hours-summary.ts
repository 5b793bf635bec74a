// A kid's hours in one line for the family card: consecutive days with the same
// ranges share one part ("Mo–Fr 16:00–20:00; Sa 10:00–12:00"). Pure.
import { formatRange, WEEKDAYS, type WeekHours, type Weekday } from '../shared/hours-rule';

export interface SummaryText {
  never: string;
  short: Readonly<Record<Weekday, string>>;
}

const show = (range: string) => range.replace('-', '–');

export function hoursSummary(hours: WeekHours, t: SummaryText): string {
  const parts: string[] = [];
  let i = 0;
  while (i < WEEKDAYS.length) {
    const day = WEEKDAYS[i]!;
    const key = hours[day].map(formatRange).join(', ');
    let j = i;
    while (j + 1 < WEEKDAYS.length && hours[WEEKDAYS[j + 1]!].map(formatRange).join(', ') === key) j++;
    if (key) {
      const days = i === j ? t.short[day] : `${t.short[day]}–${t.short[WEEKDAYS[j]!]}`;
      parts.push(`${days} ${hours[day].map((r) => show(formatRange(r))).join(', ')}`);
    }
    i = j + 1;
  }
  return parts.length ? parts.join('; ') : t.never;
}

/**
 * The editor's week at a glance: the summary's parts and the days without Jupyter
 * in their place ("Mo–Fr 16:00–20:00; Sa–So off"), so a parent sees the whole week.
 */
export function weekAtAGlance(hours: WeekHours, t: Pick<SummaryText, 'short'> & { offDays: string }): string {
  const parts: string[] = [];
  let i = 0;
  while (i < WEEKDAYS.length) {
    const day = WEEKDAYS[i]!;
    const key = hours[day].map(formatRange).join(', ');
    let j = i;
    while (j + 1 < WEEKDAYS.length && hours[WEEKDAYS[j + 1]!].map(formatRange).join(', ') === key) j++;
    const days = i === j ? t.short[day] : `${t.short[day]}–${t.short[WEEKDAYS[j]!]}`;
    parts.push(key ? `${days} ${hours[day].map((r) => show(formatRange(r))).join(', ')}` : t.offDays.replace('{days}', days));
    i = j + 1;
  }
  return parts.join('; ');
}
