// A kid's Jupyter hours on their family card: what holds now ("always",
// "Mon–Fri 16:00–20:00, Sat 10:00–12:00") and the editor. Parents are never
// limited; on a seed hub the hours are not available (its configuration is not
// ours), and the card says so.
import { formatRange, WEEKDAYS, type HoursEntry, type Weekday } from '@/lib/shared/hours-rule';
import { hoursSummary } from '@/lib/hours/hours-summary';
import { hoursOf } from '@/lib/hours/hours-actions';
import { detectHubKind, isFamilyKind } from '@/lib/shared/hub-kind';
import { format, type Messages } from '@/lib/i18n/messages';
import type { FamilyMember } from '@/lib/family/members';
import { HoursEditor } from './hours-editor';

function linesOf(entry: HoursEntry): Record<Weekday, string> {
  const lines = {} as Record<Weekday, string>;
  for (const day of WEEKDAYS) lines[day] = entry.kind === 'hours' ? entry.hours[day].map(formatRange).join(', ') : '';
  return lines;
}

export function HoursRow({ m, t }: { m: FamilyMember; t: Messages }) {
  const h = t.hours;
  const family = isFamilyKind(detectHubKind());
  if (m.protected) return null;
  let text: string;
  let entry: HoursEntry | null = null;
  if (!family) text = h.notAvailable;
  else if (m.familyAdmin) text = h.parentNote;
  else {
    entry = hoursOf(m.user);
    text = entry.kind === 'always' ? h.always : entry.kind === 'malformed' ? h.malformed : hoursSummary(entry.hours, h);
  }
  return (
    <div className="mt-3 text-sm" data-testid="hours">
      <p>
        <span className="text-stone-700">{h.label}: </span>
        <span data-testid="hours-summary">{text}</span>
      </p>
      {entry ? (
        <HoursEditor
          user={m.user}
          always={entry.kind === 'always'}
          lines={linesOf(entry)}
          t={{
            edit: h.edit,
            editTitle: format(h.editTitle, { user: m.user }),
            modeAlways: h.modeAlways,
            modeDays: h.modeDays,
            dayHint: format(h.dayHint, { zone: Intl.DateTimeFormat().resolvedOptions().timeZone }),
            save: h.save,
            saving: h.saving,
            cancel: h.cancel,
            saved: h.saved,
            genericError: h.genericError,
            days: { ...h.days },
            short: { ...h.short },
            dayProblems: { ...h.dayProblems },
            glance: h.glance,
            offDays: h.offDays,
          }}
        />
      ) : null}
    </div>
  );
}
