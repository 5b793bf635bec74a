'use client';
// The family's idle-stop setting: a choice of hours (or never) and Save. PUT
// /api/upkeep/idle; the answer is announced in a live region.
import { useId, useState, type FormEvent } from 'react';
import { api } from '../components/ui/api';
import { Button } from '../components/ui/button';

export interface IdleSettingText {
  idleLabel: string;
  idleHint: string;
  idleSave: string;
  idleSaving: string;
  idleSaved: string;
  idleFailed: string;
}

export function IdleSetting({ minutes, choices, t }: { minutes: number | null; choices: { minutes: number | null; label: string }[]; t: IdleSettingText }) {
  const id = useId();
  const [value, setValue] = useState(minutes === null ? 'never' : String(minutes));
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'failed'>('idle');

  async function save(e: FormEvent) {
    e.preventDefault();
    setState('saving');
    const r = await api<{ minutes: number | null }>('PUT', '/api/upkeep/idle', { minutes: value === 'never' ? null : Number(value) });
    setState(r.ok ? 'saved' : 'failed');
  }

  return (
    <form onSubmit={save} className="mt-3 flex flex-wrap items-end gap-2" data-testid="idle-setting">
      <div className="flex flex-col">
        <label htmlFor={`${id}-idle`} className="text-sm font-medium">
          {t.idleLabel}
        </label>
        <select
          id={`${id}-idle`}
          name="minutes"
          value={value}
          aria-describedby={`${id}-hint`}
          onChange={(e) => {
            setValue(e.target.value);
            setState('idle');
          }}
          className="mt-1 min-h-11 rounded border border-stone-400 bg-white px-2 focus-visible:outline focus-visible:outline-2 focus-visible:outline-brand-700"
        >
          {choices.map((c) => (
            <option key={c.minutes ?? 'never'} value={c.minutes === null ? 'never' : String(c.minutes)}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <Button type="submit" disabled={state === 'saving'} className="min-h-11">
        {state === 'saving' ? t.idleSaving : t.idleSave}
      </Button>
      <p id={`${id}-hint`} className="w-full text-sm text-stone-700">
        {t.idleHint}
      </p>
      <p role="status" aria-live="polite" className="w-full text-sm" data-testid="idle-status">
        {state === 'saved' ? t.idleSaved : state === 'failed' ? t.idleFailed : ''}
      </p>
    </form>
  );
}
