'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import { BASE_PATH } from '@/lib/constants';
import type { LoginCardFacts } from '@/lib/family/login-card';
import { InstallProgress } from '../../components/install-progress';
import { api } from '../../components/ui/api';
import { Button, buttonClass } from '../../components/ui/button';
import { ErrorLine } from '../../components/ui/error-line';
import { Field } from '../../components/ui/field';
import { NewPasswordField } from '../../components/ui/new-password-field';
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

/** Full name -> suggested username (fetched as you type), password with a suggestion, one click. */
export function OnboardForm({
  t,
  cardFacts,
  cardT,
  offerInstall,
  jobsT,
}: {
  t: OnboardText;
  /** Where the hub is and its certificate's fingerprint (lib/family/login-card.ts), read when the page was served. */
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
  const [install, setInstall] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);
  const seq = useRef(0);
  const suggestTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  // Suggest a username while the full name is typed (unless the parent typed one): asked
  // from the handlers that change either field, a moment after the last key.
  function suggestUsername(fullNameNow: string) {
    clearTimeout(suggestTimer.current);
    // A suggestion for an older name, or one arriving after the parent typed a username, is dropped.
    const mine = ++seq.current;
    const name = fullNameNow.trim();
    if (!name) {
      setSuggesting(false);
      setUsername('');
      return;
    }
    setSuggesting(true);
    suggestTimer.current = setTimeout(async () => {
      const r = await api<{ username: string | null }>('GET', `/api/onboard/suggest?fullName=${encodeURIComponent(name)}`);
      if (mine !== seq.current) return;
      setSuggesting(false);
      if (r.ok && r.data.username) setUsername(r.data.username);
    }, 250);
  }

  function stopSuggesting() {
    clearTimeout(suggestTimer.current);
    ++seq.current;
    setSuggesting(false);
  }

  useEffect(() => () => clearTimeout(suggestTimer.current), []);

  useEffect(() => {
    if (done) resultHeading.current?.focus();
  }, [done]);

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
          <a href={`${BASE_PATH}/family`} className={buttonClass()}>
            {t.backToFamily}
          </a>
          <a href={`${BASE_PATH}/family/onboard`} className={buttonClass('secondary')}>
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
        <Field
          id="onboard-fullname"
          name="fullName"
          label={t.fullName}
          hint={t.fullNameHint}
          value={fullName}
          onChange={(e) => {
            setFullName(e.target.value);
            if (!usernameEdited) suggestUsername(e.target.value);
          }}
          autoComplete="off"
          required
        />
        <Field
          id="onboard-username"
          name="username"
          label={t.username}
          hint={
            <>
              {t.usernameHint} <span aria-live="polite">{suggesting ? t.suggesting : ''}</span>
            </>
          }
          mono
          value={username}
          onChange={(e) => {
            const edited = e.target.value !== '';
            setUsername(e.target.value);
            setUsernameEdited(edited);
            // Typed: the parent's name stays. Emptied: a suggestion for the full name again.
            if (edited) stopSuggesting();
            else suggestUsername(fullName);
          }}
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
          required
        />
        <NewPasswordField
          id="onboard-password"
          name="password"
          value={password}
          onChange={setPassword}
          t={{ label: t.password, hint: t.passwordHint, suggest: t.suggestPassword, show: t.showPassword }}
        />
        {offerInstall ? (
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={install} onChange={(e) => setInstall(e.target.checked)} className="h-4 w-4" />
            {t.prepareJupyter}
          </label>
        ) : null}
        <ErrorLine message={error} className="min-h-6" testId="onboard-error" />
        <Button type="submit" disabled={busy} className="w-full sm:w-auto">
          {busy ? t.submitting : t.submit}
        </Button>
      </form>
    </section>
  );
}
