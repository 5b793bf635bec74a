'use client';

import { useState } from 'react';
import { BASE_PATH } from '@/lib/constants';
import { api } from './ui/api';
import { Button } from './ui/button';
import { ErrorLine } from './ui/error-line';

/** Ends the session on the server (DELETE /api/session), then shows the login page. */
export function SignOutButton({ t }: { t: { logout: string; signingOut: string; signOutFailed: string } }) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  async function signOut() {
    setBusy(true);
    setFailed(false);
    const r = await api('DELETE', '/api/session');
    if (r.ok) {
      // A full load, not the router: nothing of the signed-in pages stays in the client's cache.
      window.location.assign(`${BASE_PATH}/`);
      return;
    }
    setFailed(true);
    setBusy(false);
  }

  return (
    <div className="flex items-center gap-2">
      <Button variant="secondary" size="small" onClick={signOut} disabled={busy}>
        {busy ? t.signingOut : t.logout}
      </Button>
      <ErrorLine message={failed ? t.signOutFailed : null} />
    </div>
  );
}
