'use client';

import { useState, type FormEvent } from 'react';
import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';

type LoginText = Messages['login'];

/** Posts the credentials as JSON to /panel/api/session and reloads on success. */
export function LoginForm({ t }: { t: LoginText }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const response = await fetch('/panel/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
      });
      if (response.ok) {
        window.location.assign('/panel/');
        return;
      }
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      setError(messageFor(body.error, response.headers.get('retry-after'), t));
    } catch {
      setError(t.genericError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="mt-4 space-y-4" noValidate>
      <div>
        <label htmlFor="username" className="block text-sm font-medium">
          {t.username}
        </label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          className="mt-1 block w-full rounded border border-stone-400 px-3 py-2 text-base"
        />
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium">
          {t.password}
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="mt-1 block w-full rounded border border-stone-400 px-3 py-2 text-base"
        />
      </div>
      <p role="alert" aria-live="assertive" className="min-h-6 text-sm font-medium text-red-800">
        {error}
      </p>
      <button
        type="submit"
        disabled={busy}
        className="w-full rounded bg-brand-700 px-4 py-2 font-semibold text-white hover:bg-brand-600 disabled:opacity-60"
      >
        {busy ? t.submitting : t.submit}
      </button>
    </form>
  );
}

function messageFor(code: string | undefined, retryAfter: string | null, t: LoginText): string {
  switch (code) {
    case 'invalid_credentials':
      return t.invalidCredentials;
    case 'not_family_admin':
      return t.notFamilyAdmin;
    case 'account_unavailable':
      return t.accountUnavailable;
    case 'too_many_attempts':
      return format(t.tooManyAttempts, { seconds: Number(retryAfter) || 60 });
    case 'invalid_input':
      return t.invalidInput;
    default:
      return t.genericError;
  }
}
