'use client';

import { useState, type FormEvent } from 'react';
import { api, familyNotice } from './api';

export interface AddMemberText {
  candidateLabel: string;
  chooseCandidate: string;
  freeEntryLabel: string;
  addSubmit: string;
  adding: string;
  noCandidates: string;
  genericError: string;
}

/** Add an existing account: pick one of the candidates or type a name. */
export function AddMemberForm({ candidates, t }: { candidates: Array<{ username: string; fullName: string }>; t: AddMemberText }) {
  const [picked, setPicked] = useState('');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const username = typed.trim() !== '' ? typed : picked;
    if (!username) return;
    setBusy(true);
    setError(null);
    const r = await api<{ user: string; changed: boolean }>('POST', '/api/members', { username });
    if (r.ok) {
      window.location.assign(familyNotice(r.data.changed ? 'added' : 'alreadyMember', r.data.user));
      return;
    }
    setError(r.failure.message || t.genericError);
    setBusy(false);
  }

  return (
    <form onSubmit={onSubmit} className="mt-3 space-y-3" noValidate>
      {candidates.length > 0 ? (
        <div>
          <label htmlFor="add-candidate" className="block text-sm font-medium">
            {t.candidateLabel}
          </label>
          <select
            id="add-candidate"
            value={picked}
            onChange={(e) => setPicked(e.target.value)}
            className="mt-1 block w-full rounded border border-stone-400 bg-white px-3 py-2 text-base"
          >
            <option value="">{t.chooseCandidate}</option>
            {candidates.map((c) => (
              <option key={c.username} value={c.username}>
                {c.fullName ? `${c.username} (${c.fullName})` : c.username}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <p className="text-sm text-stone-700">{t.noCandidates}</p>
      )}
      <div>
        <label htmlFor="add-username" className="block text-sm font-medium">
          {t.freeEntryLabel}
        </label>
        <input
          id="add-username"
          name="username"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
          className="mt-1 block w-full rounded border border-stone-400 px-3 py-2 font-mono text-base"
        />
      </div>
      <p role="alert" className="min-h-5 text-sm font-medium text-red-800">
        {error}
      </p>
      <button
        type="submit"
        disabled={busy}
        className="rounded bg-brand-700 px-4 py-2 font-semibold text-white hover:bg-brand-600 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700 disabled:opacity-60"
      >
        {busy ? t.adding : t.addSubmit}
      </button>
    </form>
  );
}
