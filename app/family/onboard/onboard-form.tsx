'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import type { LoginCardFacts } from '@/lib/login-card';
import { InstallProgress } from '../../components/install-progress';
import { api } from '../api';
import { LoginCard } from '../card/login-card';
import { PrintButton } from '../card/print-button';

type OnboardText = Messages['onboard'];

interface Done {
  username: string;
  fullName: string;
  resumed: boolean;
  /** The package-install job started with "Prepare Jupyter now". */
  jobId: string | null;
  /** The password just set: shown on the login card now, never stored, gone when the page is left. */
  password: string;
}

const input = 'mt-1 block w-full rounded border border-stone-400 px-3 py-2 text-base';
const button =
  'rounded px-4 py-2 font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700 disabled:opacity-60';

/** Full name -> suggested username (fetched as you type), password with a suggestion, one click. */
export function OnboardForm({
  t,
  cardFacts,
  cardT,
  offerInstall,
  jobsT,
}: {
  t: OnboardText;
  /** Where the hub is and its certificate's fingerprint (lib/login-card.ts), read when the page was served. */
  cardFacts: LoginCardFacts;
  cardT: Messages['card'];
  offerInstall: boolean;
  jobsT: Messages['jobs'];
}) {
  const [fullName, setFullName] = useState('');
  const [username, setUsername] = useState('');
  const [usernameEdited, setUsernameEdited] = useState(false);
  const [suggesting, setSuggesting] = useState(false);
  const [password, setPassword] = useState('');
  const [show, setShow] = useState(false);
  const [install, setInstall] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);
  const seq = useRef(0);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  // Suggest a username while the full name is typed (unless the parent typed one).
  useEffect(() => {
    if (usernameEdited) return;
    const name = fullName.trim();
    if (!name) {
      setUsername('');
      return;
    }
    const mine = ++seq.current;
    setSuggesting(true);
    const timer = setTimeout(async () => {
      const r = await api<{ username: string | null }>('GET', `/api/onboard/suggest?fullName=${encodeURIComponent(name)}`);
      if (mine !== seq.current) return;
      setSuggesting(false);
      if (r.ok && r.data.username) setUsername(r.data.username);
    }, 250);
    return () => clearTimeout(timer);
  }, [fullName, usernameEdited]);

  useEffect(() => {
    if (done) resultHeading.current?.focus();
  }, [done]);

  async function suggestPassword() {
    const r = await api<{ passphrase: string }>('GET', '/api/onboard/suggest');
    if (r.ok) {
      setPassword(r.data.passphrase);
      setShow(true);
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    const r = await api<{ member: { user: string; fullName: string }; resumed: boolean; jobId?: string }>('POST', '/api/onboard', {
      username,
      fullName,
      password,
      installPackages: offerInstall ? install : false,
    });
    setBusy(false);
    if (r.ok) {
      setDone({
        username: r.data.member.user,
        fullName: fullName.trim() || r.data.member.fullName,
        resumed: r.data.resumed,
        jobId: r.data.jobId ?? null,
        password,
      });
      // The form's copy goes; the card's copy lives only as long as this page.
      setPassword('');
      return;
    }
    if (r.failure.error === 'invalid_input') {
      setError(password.length < 8 ? t.passwordTooShort : t.fullNameInvalid);
    } else if (r.failure.error === 'invalid_name') {
      setError(t.usernameInvalid);
    } else {
      setError(r.failure.message || t.genericError);
    }
  }

  if (done) {
    const name = done.fullName || done.username;
    return (
      <section aria-labelledby="onboard-result" className="mt-4 rounded-lg border border-green-300 bg-white p-5 shadow-sm" data-testid="onboard-result">
        <h1 id="onboard-result" ref={resultHeading} tabIndex={-1} className="text-2xl font-semibold">
          {format(t.resultHeading, { name })}
        </h1>
        {done.resumed ? <p className="mt-2 text-stone-700">{t.resultResumed}</p> : null}
        <p className="mt-3 print:hidden">{format(t.resultIntro, { name })}</p>
        <LoginCard facts={cardFacts} username={done.username} name={name} password={done.password} t={cardT} />
        <p className="mt-3 text-sm text-stone-700">{t.resultCertNote}</p>
        <div className="mt-3">
          <PrintButton label={cardT.print} />
        </div>
        {done.jobId ? <InstallProgress user={done.username} name={name} jobId={done.jobId} canStart={false} t={jobsT} /> : null}
        <div className="mt-4 flex flex-wrap gap-3">
          <a href="/panel/family" className={`${button} inline-block bg-brand-700 text-white hover:bg-brand-600`}>
            {t.backToFamily}
          </a>
          <a href="/panel/family/onboard" className={`${button} inline-block border border-stone-400 bg-white text-stone-900 hover:bg-stone-100`}>
            {t.another}
          </a>
        </div>
      </section>
    );
  }

  return (
    <section aria-labelledby="onboard-heading" className="mt-4 rounded-lg border border-stone-200 bg-white p-5 shadow-sm">
      <h1 id="onboard-heading" className="text-2xl font-semibold">
        {t.heading}
      </h1>
      <p className="mt-1 text-stone-700">{t.intro}</p>
      <form onSubmit={onSubmit} className="mt-4 space-y-4" noValidate>
        <div>
          <label htmlFor="onboard-fullname" className="block text-sm font-medium">
            {t.fullName}
          </label>
          <input
            id="onboard-fullname"
            name="fullName"
            value={fullName}
            onChange={(e) => setFullName(e.target.value)}
            autoComplete="off"
            aria-describedby="onboard-fullname-hint"
            required
            className={input}
          />
          <p id="onboard-fullname-hint" className="mt-1 text-sm text-stone-700">
            {t.fullNameHint}
          </p>
        </div>
        <div>
          <label htmlFor="onboard-username" className="block text-sm font-medium">
            {t.username}
          </label>
          <input
            id="onboard-username"
            name="username"
            value={username}
            onChange={(e) => {
              setUsername(e.target.value);
              setUsernameEdited(e.target.value !== '');
            }}
            autoCapitalize="none"
            autoComplete="off"
            spellCheck={false}
            aria-describedby="onboard-username-hint"
            required
            className={`${input} font-mono`}
          />
          <p id="onboard-username-hint" className="mt-1 text-sm text-stone-700">
            {t.usernameHint} <span aria-live="polite">{suggesting ? t.suggesting : ''}</span>
          </p>
        </div>
        <div>
          <label htmlFor="onboard-password" className="block text-sm font-medium">
            {t.password}
          </label>
          <div className="mt-1 flex flex-wrap gap-2">
            <input
              id="onboard-password"
              name="password"
              type={show ? 'text' : 'password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
              autoCapitalize="none"
              spellCheck={false}
              aria-describedby="onboard-password-hint"
              required
              className="block min-w-0 flex-1 rounded border border-stone-400 px-3 py-2 font-mono text-base"
            />
            <button type="button" onClick={suggestPassword} className={`${button} border border-stone-400 bg-white text-stone-900 hover:bg-stone-100`}>
              {t.suggestPassword}
            </button>
          </div>
          <p id="onboard-password-hint" className="mt-1 text-sm text-stone-700">
            {t.passwordHint}
          </p>
          <label className="mt-1 flex items-center gap-2 text-sm">
            <input type="checkbox" checked={show} onChange={(e) => setShow(e.target.checked)} className="h-4 w-4" />
            {t.showPassword}
          </label>
        </div>
        {offerInstall ? (
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={install} onChange={(e) => setInstall(e.target.checked)} className="h-4 w-4" />
            {t.prepareJupyter}
          </label>
        ) : null}
        <p role="alert" className="min-h-6 text-sm font-medium text-red-800" data-testid="onboard-error">
          {error}
        </p>
        <button type="submit" disabled={busy} className={`${button} w-full bg-brand-700 text-white hover:bg-brand-600 sm:w-auto`}>
          {busy ? t.submitting : t.submit}
        </button>
      </form>
    </section>
  );
}
