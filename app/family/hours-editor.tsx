'use client';
// The hours editor of one kid: "always", or per weekday a line of ranges as
// people write them ("16-20", "4pm-8pm", "16:00 – 20:00, 21-22"; empty = no
// Jupyter that day), read by lib/hours/hours-input.ts into the format of the rule
// the helper applies (lib/shared/hours-rule.ts). A mistake is named under its own
// day before anything is sent, and the week shows at a glance as it is typed; the
// server checks again.
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { parseHours, WEEKDAYS, type Weekday } from '@/lib/shared/hours-rule';
import { readDayLine, type DayProblem, type DayReading } from '@/lib/hours/hours-input';
import { weekAtAGlance } from '@/lib/hours/hours-summary';
import { api } from '../components/ui/api';
import { Button } from '../components/ui/button';
import { ErrorLine } from '../components/ui/error-line';

export interface HoursEditorText {
  edit: string;
  editTitle: string;
  modeAlways: string;
  modeDays: string;
  dayHint: string;
  save: string;
  saving: string;
  cancel: string;
  saved: string;
  genericError: string;
  days: Record<Weekday, string>;
  short: Record<Weekday, string>;
  dayProblems: Record<DayProblem, string>;
  glance: string;
  offDays: string;
}

function readWeek(text: Record<Weekday, string>): Record<Weekday, DayReading> {
  return Object.fromEntries(WEEKDAYS.map((day) => [day, readDayLine(day, text[day])])) as Record<Weekday, DayReading>;
}

export function HoursEditor({ user, always, lines, t }: { user: string; always: boolean; lines: Record<Weekday, string>; t: HoursEditorText }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<'always' | 'days'>(always ? 'always' : 'days');
  const [text, setText] = useState<Record<Weekday, string>>(lines);
  // Days whose mistake is shown: after a save was tried, or once the day's field is left.
  const [shown, setShown] = useState<Weekday[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const router = useRouter();

  const reading = readWeek(text);
  const allGood = WEEKDAYS.every((day) => reading[day].ok);
  const glance = allGood ? weekAtAGlance(parseHours(Object.fromEntries(WEEKDAYS.map((d) => [d, (reading[d] as { ranges: string[] }).ranges])))!, t) : null;
  const problemOf = (day: Weekday): string | null => {
    const r = reading[day];
    return r.ok || !shown.includes(day) ? null : t.dayProblems[r.problem].replace('{part}', r.part);
  };

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setStatus(null);
    let hours: unknown = 'always';
    if (mode === 'days') {
      setShown([...WEEKDAYS]);
      const week: Partial<Record<Weekday, string[]>> = {};
      for (const day of WEEKDAYS) {
        const r = reading[day];
        if (!r.ok) {
          document.getElementById(`${id}-${day}`)?.focus();
          return;
        }
        week[day] = r.ranges;
      }
      hours = week;
    }
    setSaving(true);
    const r = await api<{ changed: boolean }>('POST', `/api/members/${encodeURIComponent(user)}/hours`, { hours });
    setSaving(false);
    if (r.ok) {
      // The card's summary is the server's: render it again with the new hours.
      setOpen(false);
      setStatus(t.saved);
      router.refresh();
      return;
    }
    setError(r.failure.message || t.genericError);
  }

  return (
    <div className="mt-2">
      <Button variant="secondary" size="small" aria-expanded={open} aria-controls={`${id}-hours`} onClick={() => setOpen((o) => !o)}>
        {t.edit}
      </Button>
      <span role="status" className="ml-2 text-sm text-green-800" data-testid="hours-status">
        {status}
      </span>
      {open ? (
        <form id={`${id}-hours`} onSubmit={onSave} noValidate aria-label={t.editTitle} className="mt-3 space-y-3" data-testid="hours-form">
          <fieldset>
            <legend className="font-medium">{t.editTitle}</legend>
            <label className="mt-2 flex items-center gap-2 text-sm">
              <input type="radio" name={`${id}-mode`} value="always" checked={mode === 'always'} onChange={() => setMode('always')} className="h-4 w-4" />
              {t.modeAlways}
            </label>
            <label className="mt-1 flex items-center gap-2 text-sm">
              <input type="radio" name={`${id}-mode`} value="days" checked={mode === 'days'} onChange={() => setMode('days')} className="h-4 w-4" />
              {t.modeDays}
            </label>
          </fieldset>
          {mode === 'days' ? (
            <div className="space-y-2">
              <p id={`${id}-hint`} className="text-sm text-stone-700">
                {t.dayHint}
              </p>
              {WEEKDAYS.map((day) => {
                const problem = problemOf(day);
                return (
                  <div key={day} className="grid grid-cols-[6.5rem_1fr] items-start gap-x-2" data-testid={`hours-day-${day}`}>
                    <label htmlFor={`${id}-${day}`} className="pt-2 text-sm font-medium">
                      {t.days[day]}
                    </label>
                    <div className="min-w-0">
                      <input
                        id={`${id}-${day}`}
                        name={day}
                        type="text"
                        autoComplete="off"
                        spellCheck={false}
                        placeholder="16-20"
                        value={text[day]}
                        aria-invalid={problem !== null}
                        aria-describedby={problem ? `${id}-${day}-error ${id}-hint` : `${id}-hint`}
                        onChange={(e) => setText({ ...text, [day]: e.target.value })}
                        onBlur={() => setShown((s) => (s.includes(day) ? s : [...s, day]))}
                        className={`block w-full min-w-0 rounded border px-3 py-2 font-mono text-base ${problem ? 'border-red-700' : 'border-stone-400'}`}
                      />
                      {problem ? (
                        <p id={`${id}-${day}-error`} className="mt-1 text-sm font-medium text-red-800" data-testid="hours-day-error">
                          {problem}
                        </p>
                      ) : null}
                    </div>
                  </div>
                );
              })}
              <p className="text-sm" aria-live="polite" data-testid="hours-glance">
                {glance ? (
                  <>
                    <span className="text-stone-700">{t.glance}: </span>
                    {glance}
                  </>
                ) : null}
              </p>
            </div>
          ) : null}
          <ErrorLine message={error} />
          <div className="flex flex-wrap gap-2">
            <Button type="submit" size="small" disabled={saving}>
              {saving ? t.saving : t.save}
            </Button>
            <Button variant="secondary" size="small" onClick={() => setOpen(false)}>
              {t.cancel}
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
