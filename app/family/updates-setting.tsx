'use client';
// The family's automatic updates: three choices (security only, all, off) and
// Save. PUT /api/updates/mode; choosing "off" shows its warning before saving, and
// the answer is announced in a live region.
import { useId, useState, type FormEvent } from 'react';
import { api } from '../components/ui/api';
import { Button } from '../components/ui/button';
import type { UpdateMode } from '@/lib/shared/update-settings';

export interface UpdatesSettingText {
  label: string;
  choices: { mode: UpdateMode; label: string; hint: string }[];
  offWarning: string;
  save: string;
  saving: string;
  saved: string;
  failed: string;
}

export function UpdatesSetting({ mode, t }: { mode: UpdateMode | null; t: UpdatesSettingText }) {
  const id = useId();
  const [value, setValue] = useState<UpdateMode | null>(mode);
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'failed'>('idle');

  async function save(e: FormEvent) {
    e.preventDefault();
    if (value === null) return;
    setState('saving');
    const r = await api<{ mode: UpdateMode }>('PUT', '/api/updates/mode', { mode: value });
    setState(r.ok ? 'saved' : 'failed');
  }

  return (
    <form onSubmit={save} className="mt-3" data-testid="updates-setting">
      <fieldset>
        <legend className="text-sm font-medium">{t.label}</legend>
        <div className="mt-1 grid gap-2">
          {t.choices.map((c) => (
            <label
              key={c.mode}
              className="flex min-h-11 cursor-pointer items-start gap-2 rounded border border-stone-300 px-3 py-2 has-[:checked]:border-brand-700 has-[:checked]:bg-stone-50"
            >
              <input
                type="radio"
                name="mode"
                value={c.mode}
                checked={value === c.mode}
                aria-labelledby={`${id}-${c.mode}-label`}
                aria-describedby={`${id}-${c.mode}-hint`}
                onChange={() => {
                  setValue(c.mode);
                  setState('idle');
                }}
                className="mt-1 size-4 accent-brand-700"
              />
              <span>
                <span id={`${id}-${c.mode}-label`} className="block font-medium">
                  {c.label}
                </span>
                <span id={`${id}-${c.mode}-hint`} className="block text-sm text-stone-700">
                  {c.hint}
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {value === 'off' ? (
        <p className="mt-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="updates-off-warning">
          {t.offWarning}
        </p>
      ) : null}
      <Button type="submit" disabled={state === 'saving' || value === null} className="mt-3 min-h-11">
        {state === 'saving' ? t.saving : t.save}
      </Button>
      <p role="status" aria-live="polite" className="mt-1 text-sm" data-testid="updates-status">
        {state === 'saved' ? t.saved : state === 'failed' ? t.failed : ''}
      </p>
    </form>
  );
}
