'use client';

import { useRouter } from 'next/navigation';
import { useState, useSyncExternalStore, type FormEvent } from 'react';
import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import { api } from './ui/api';
import { Button } from './ui/button';
import { ErrorLine } from './ui/error-line';
import { Field } from './ui/field';

type LoginText = Messages['login'];

/**
 * Posts the credentials to /api/session; on success the router renders this
 * same URL again (now the overview) without a full page load: the scripts the
 * login page loaded stay, only the overview's server part comes over the wire.
 */
export function LoginForm({ t }: { t: LoginText }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Until React has hydrated the form, a click would submit it the browser's way
  // (no onSubmit yet): the password would travel as a query string, into the
  // address bar and the history. So the button waits for hydration, and the
  // form's method is POST in any case. The server's answer (false) holds while React
  // hydrates; the client's (true) comes in the render right after.
  const hydrated = useSyncExternalStore(noSubscription, clientSnapshot, serverSnapshot);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const r = await api('POST', '/api/session', { username: form.get('username'), password: form.get('password') }, { signingIn: true });
    if (r.ok) {
      // Busy stays on until the overview replaces this form.
      router.refresh();
      return;
    }
    setError(r.status === 0 ? t.genericError : messageFor(r.failure.error, r.failure.retryAfter, t));
    setBusy(false);
  }

  return (
    <form method="post" onSubmit={onSubmit} className="mt-4 space-y-4" noValidate>
      <Field id="username" name="username" label={t.username} autoComplete="username" autoCapitalize="none" spellCheck={false} required />
      <Field id="password" name="password" type="password" label={t.password} autoComplete="current-password" required />
      <ErrorLine message={error} className="min-h-6" />
      <Button type="submit" disabled={busy || !hydrated} className="w-full">
        {busy ? t.submitting : t.submit}
      </Button>
      {/* Only while the page's scripts have not run: shown after a few seconds by CSS
          alone (they may never run: a load cut off by a changing network), so a parent
          is never left with a disabled button and no word why. */}
      {!hydrated && (
        <p className="load-hint text-sm text-gray-700" data-testid="login-still-loading">
          {t.stillLoading}
        </p>
      )}
    </form>
  );
}

// Nothing to subscribe to: the value only differs between the server (and hydration) and the client.
const noSubscription = () => () => {};
const clientSnapshot = () => true;
const serverSnapshot = () => false;

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
