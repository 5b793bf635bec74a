'use client';

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { format } from '@/lib/i18n/messages';
import { api } from '../components/ui/api';
import { Button } from '../components/ui/button';
import { ErrorLine } from '../components/ui/error-line';
import { Field } from '../components/ui/field';
import { familyNotice } from './notice';

export interface AddMemberText {
  candidateSearchLabel: string;
  candidateSearchHint: string;
  candidatesShown: string;
  candidatesAll: string;
  candidatesNone: string;
  addSubmit: string;
  adding: string;
  noCandidates: string;
  genericError: string;
}

interface Candidate {
  username: string;
  fullName: string;
}

export interface CandidateList {
  candidates: Candidate[];
  total: number;
}

/** Waits this long after the last key before asking the server. */
const SEARCH_DELAY_MS = 200;
const SEARCH_LIMIT = 8;

/**
 * Add an existing account: type a username, or part of a name to search the
 * accounts that could be added (on the server: GET /api/accounts/candidates?q=,
 * a few at a time, so 2,000 accounts cost nothing here) and pick one.
 */
export function AddMemberForm({ initial, t }: { initial: CandidateList; t: AddMemberText }) {
  const id = useId();
  const [typed, setTyped] = useState('');
  // The last search's answer; with nothing typed the list is the page's own (initial).
  const [found, setFound] = useState<CandidateList>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  const shown = typed.trim() === '' ? initial : found;

  useEffect(() => {
    // An older answer arriving late must not replace a newer one, nor show when the field was emptied.
    const ticket = ++latest.current;
    const query = typed.trim();
    if (query === '') return;
    const timer = setTimeout(async () => {
      const r = await api<CandidateList>('GET', `/api/accounts/candidates?q=${encodeURIComponent(query)}&limit=${SEARCH_LIMIT}`);
      if (r.ok && ticket === latest.current) setFound({ candidates: r.data.candidates, total: r.data.total });
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  function onTyped(value: string) {
    setTyped(value);
    // Typing again after emptying the field starts from the page's list, not the last search's.
    if (value.trim() === '') setFound(initial);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const username = typed.trim();
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

  const nothingAtAll = initial.total === 0;
  return (
    <form onSubmit={onSubmit} className="mt-3 space-y-3" noValidate>
      <Field
        id={`${id}-username`}
        name="username"
        label={t.candidateSearchLabel}
        hint={nothingAtAll ? t.noCandidates : t.candidateSearchHint}
        mono
        value={typed}
        onChange={(e) => onTyped(e.target.value)}
        autoCapitalize="none"
        autoComplete="off"
        spellCheck={false}
        maxLength={200}
      />
      {nothingAtAll ? null : (
        <div aria-live="polite" data-testid="candidates">
          <p className="text-sm text-stone-700">
            {shown.total === 0
              ? t.candidatesNone
              : shown.total > shown.candidates.length
                ? format(t.candidatesShown, { shown: shown.candidates.length, total: shown.total })
                : t.candidatesAll}
          </p>
          {shown.candidates.length > 0 ? (
            <ul className="mt-1 flex flex-wrap gap-2">
              {shown.candidates.map((c) => (
                <li key={c.username}>
                  <button
                    type="button"
                    onClick={() => setTyped(c.username)}
                    aria-pressed={typed === c.username}
                    className="rounded border border-stone-300 bg-white px-2 py-1 text-left text-sm hover:bg-stone-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-brand-700 aria-pressed:border-brand-700 aria-pressed:bg-amber-50"
                  >
                    <span className="font-mono">{c.username}</span>
                    {c.fullName ? <span className="text-stone-700"> ({c.fullName})</span> : null}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      )}
      <ErrorLine message={error} />
      <Button type="submit" disabled={busy}>
        {busy ? t.adding : t.addSubmit}
      </Button>
    </form>
  );
}
