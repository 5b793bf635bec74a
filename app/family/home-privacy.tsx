'use client';

import { useState } from 'react';
import { api } from '../components/ui/api';
import { Button } from '../components/ui/button';
import { ErrorLine } from '../components/ui/error-line';
import { familyNotice } from './notice';

export interface HomePrivacyText {
  open: string;
  makePrivate: string;
  making: string;
  genericError: string;
}

/**
 * A member whose home folder others may enter (an account added to the hub, not
 * made by onboarding, may keep an old 0755 home): says so, and closes it with one
 * press (the helper's make-home-private, audited).
 */
export function HomePrivacy({ user, t }: { user: string; t: HomePrivacyText }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function makePrivate() {
    setBusy(true);
    setError(null);
    const r = await api<{ user: string }>('POST', `/api/members/${encodeURIComponent(user)}/home-private`, {});
    if (r.ok) {
      window.location.assign(familyNotice('homeMadePrivate', user));
      return;
    }
    setError(r.failure.message || t.genericError);
    setBusy(false);
  }

  return (
    <div className="mt-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950" data-testid="home-open">
      <p>{t.open}</p>
      <Button variant="secondary" size="small" className="mt-2" disabled={busy} onClick={makePrivate}>
        {busy ? t.making : t.makePrivate}
      </Button>
      <ErrorLine message={error} />
    </div>
  );
}
