'use client';

import { useState, type FormEvent } from 'react';
import { BASE_PATH } from '@/lib/constants';
import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import { api } from './ui/api';
import { Button } from './ui/button';
import { ErrorLine } from './ui/error-line';
import { Field } from './ui/field';

type LoginText = Messages['login'];

/** Posts the credentials as JSON to /api/session and reloads on success. */
export function LoginForm({ t }: { t: LoginText }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const r = await api('POST', '/api/session', { username: form.get('username'), password: form.get('password') }, { signingIn: true });
    if (r.ok) {
      window.location.assign(`${BASE_PATH}/`);
      return;
    }
    setError(r.status === 0 ? t.genericError : messageFor(r.failure.error, r.failure.retryAfter, t));
    setBusy(false);
  }

  return (
    <form onSubmit={onSubmit} className="mt-4 space-y-4" noValidate>
      <Field id="username" name="username" label={t.username} autoComplete="username" autoCapitalize="none" spellCheck={false} required />
      <Field id="password" name="password" type="password" label={t.password} autoComplete="current-password" required />
      <ErrorLine message={error} className="min-h-6" />
      <Button type="submit" disabled={busy} className="w-full">
        {busy ? t.submitting : t.submit}
      </Button>
    </form>
  );
}

function messageFor(code: string, retryAfter: string | undefined, t: LoginText): string {
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
