'use client';
// The hours editor of one kid: "always", or per weekday a line of ranges
// ("16:00-20:00, 21:00-22:00"; empty = no Jupyter that day). Each line is
// checked here with the rule the helper applies (lib/shared/hours-rule.ts), so a mistake is
// named next to its day before anything is sent; the server checks again.
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { HoursError, parseHours, WEEKDAYS, type Weekday } from '@/lib/shared/hours-rule';
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
  dayInvalid: string;
  genericError: string;
  days: Record<Weekday, string>;
}

function rangesOf(line: string): string[] {
  return line
    .split(',')
    .map((s) => s.replace(/\s+/g, '').replace(/[–—]/g, '-'))
    .filter((s) => s !== '');
}

export function HoursEditor({ user, always, lines, t }: { user: string; always: boolean; lines: Record<Weekday, string>; t: HoursEditorText }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<'always' | 'days'>(always ? 'always' : 'days');
  const [text, setText] = useState<Record<Weekday, string>>(lines);
  const [bad, setBad] = useState<Weekday[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const router = useRouter();

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setStatus(null);
    let hours: unknown = 'always';
    if (mode === 'days') {
      const week: Partial<Record<Weekday, string[]>> = {};
      const wrong: Weekday[] = [];
      for (const day of WEEKDAYS) {
        week[day] = rangesOf(text[day]);
        try {
          parseHours({ [day]: week[day] });
        } catch (e) {
          if (e instanceof HoursError) wrong.push(day);
          else throw e;
        }
      }
      setBad(wrong);
      if (wrong.length > 0) {
        setError(wrong.map((d) => t.dayInvalid.replace('{day}', t.days[d])).join(' '));
        return;
      }
      hours = week;
    } else setBad([]);
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
              {WEEKDAYS.map((day) => (
                <div key={day} className="grid grid-cols-[6.5rem_1fr] items-center gap-2">
                  <label htmlFor={`${id}-${day}`} className="text-sm font-medium">
                    {t.days[day]}
                  </label>
                  <input
                    id={`${id}-${day}`}
                    name={day}
                    type="text"
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="16:00-20:00"
                    value={text[day]}
                    aria-invalid={bad.includes(day)}
                    aria-describedby={`${id}-hint`}
                    onChange={(e) => setText({ ...text, [day]: e.target.value })}
                    className={`block w-full min-w-0 rounded border px-3 py-2 font-mono text-base ${bad.includes(day) ? 'border-red-700' : 'border-stone-400'}`}
                  />
                </div>
              ))}
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
