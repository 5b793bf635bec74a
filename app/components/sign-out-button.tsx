'use client';

import { useState } from 'react';

/** Ends the session on the server (DELETE /panel/api/session), then shows the login page. */
export function SignOutButton({ t }: { t: { logout: string; signingOut: string; signOutFailed: string } }) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  async function signOut() {
    setBusy(true);
    setFailed(false);
    try {
      const response = await fetch('/panel/api/session', { method: 'DELETE' });
      if (!response.ok) throw new Error(String(response.status));
      window.location.assign('/panel/');
    } catch {
      setFailed(true);
      setBusy(false);
    }
  }

  return (
    <span className="flex items-center gap-2">
      <button
        type="button"
        onClick={signOut}
        disabled={busy}
        className="rounded border border-stone-400 bg-white px-3 py-1.5 text-sm font-semibold text-stone-900 hover:bg-stone-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700 disabled:opacity-60"
      >
        {busy ? t.signingOut : t.logout}
      </button>
      <span role="alert" className="text-sm text-red-800">
        {failed ? t.signOutFailed : null}
      </span>
    </span>
  );
}
