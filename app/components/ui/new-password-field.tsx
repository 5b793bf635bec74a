'use client';
// A new password for a kid: the field, "Suggest" (a passphrase from the server,
// shown at once so it can be read out or written down), the rule under it, and
// "Show password". Used by onboarding and by "Reset password".
import { useState } from 'react';
import { api } from './api';
import { Button } from './button';
import { INPUT_CLASS } from './field';

export interface NewPasswordText {
  label: string;
  hint: string;
  suggest: string;
  show: string;
}

export function NewPasswordField({ id, name, value, onChange, t }: { id: string; name?: string; value: string; onChange: (value: string) => void; t: NewPasswordText }) {
  const [show, setShow] = useState(false);

  async function suggest() {
    const r = await api<{ passphrase: string }>('GET', '/api/onboard/suggest');
    if (r.ok) {
      onChange(r.data.passphrase);
      setShow(true);
    }
  }

  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {t.label}
      </label>
      {/* On a phone the field takes the whole line and "Suggest" goes under it: beside
          the button a suggested passphrase was cut off, and the parent copies it whole. */}
      <div className="mt-1 flex flex-wrap gap-2">
        <input
          id={id}
          name={name}
          type={show ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete="new-password"
          autoCapitalize="none"
          spellCheck={false}
          aria-describedby={`${id}-hint`}
          required
          className={`${INPUT_CLASS} basis-full font-mono sm:basis-0 sm:flex-1`}
        />
        <Button variant="secondary" size="small" onClick={suggest}>
          {t.suggest}
        </Button>
      </div>
      <p id={`${id}-hint`} className="mt-1 text-sm text-stone-700">
        {t.hint}
      </p>
      <label className="mt-1 flex items-center gap-2 text-sm">
        <input type="checkbox" checked={show} onChange={(e) => setShow(e.target.checked)} className="h-4 w-4" />
        {t.show}
      </label>
    </div>
  );
}
