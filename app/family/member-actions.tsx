'use client';

import { useId, useRef, useState, type FormEvent } from 'react';
import { api, familyNotice } from './api';

export interface MemberActionsText {
  remove: string;
  removeTitle: string;
  removeConsequences: string;
  removeServers: string;
  removeConfirm: string;
  cancel: string;
  removing: string;
  resetPassword: string;
  resetTitle: string;
  newPassword: string;
  passwordHint: string;
  suggest: string;
  showPassword: string;
  resetSubmit: string;
  resetting: string;
  genericError: string;
}

const buttonBase =
  'rounded px-3 py-1.5 text-sm font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700 disabled:opacity-60';

/** Remove (with a confirmation dialog naming the consequences) and reset password. */
export function MemberActions({
  user,
  canRemove,
  canReset,
  t,
}: {
  user: string;
  canRemove: boolean;
  canReset: boolean;
  hubConnected: boolean;
  t: MemberActionsText;
}) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [removing, setRemoving] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [resetOpen, setResetOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [show, setShow] = useState(false);
  const [resetting, setResetting] = useState(false);
  const [resetError, setResetError] = useState<string | null>(null);

  if (!canRemove && !canReset) return null;

  async function confirmRemove() {
    setRemoving(true);
    setRemoveError(null);
    const r = await api<{ user: string; changed: boolean; serverStopError?: string | null }>('DELETE', `/api/members/${encodeURIComponent(user)}`);
    if (r.ok) {
      // Removed, but a running server could not be stopped: say so, the member is gone from this page.
      const notice = r.data.serverStopError ? 'removedServerNotStopped' : r.data.changed ? 'removed' : 'wasNotMember';
      window.location.assign(familyNotice(notice, user));
      return;
    }
    setRemoveError(r.failure.message || t.genericError);
    setRemoving(false);
  }

  async function suggest() {
    const r = await api<{ passphrase: string }>('GET', '/api/onboard/suggest');
    if (r.ok) {
      setPassword(r.data.passphrase);
      setShow(true);
    }
  }

  async function onReset(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setResetting(true);
    setResetError(null);
    const r = await api<{ user: string }>('POST', `/api/members/${encodeURIComponent(user)}/password`, { password });
    if (r.ok) {
      window.location.assign(familyNotice('resetDone', user));
      return;
    }
    setResetError(r.failure.error === 'invalid_input' ? t.passwordHint : r.failure.message || t.genericError);
    setResetting(false);
  }

  return (
    <div className="mt-3 border-t border-stone-200 pt-3">
      <div className="flex flex-wrap gap-2">
        {canReset ? (
          <button
            type="button"
            aria-expanded={resetOpen}
            aria-controls={`${id}-reset`}
            onClick={() => setResetOpen((o) => !o)}
            className={`${buttonBase} border border-stone-400 bg-white text-stone-900 hover:bg-stone-100`}
          >
            {t.resetPassword}
          </button>
        ) : null}
        {canRemove ? (
          <button
            type="button"
            onClick={() => dialog.current?.showModal()}
            className={`${buttonBase} border border-red-700 bg-white text-red-800 hover:bg-red-50`}
          >
            {t.remove}
          </button>
        ) : null}
      </div>

      {canReset && resetOpen ? (
        <form id={`${id}-reset`} onSubmit={onReset} className="mt-3 space-y-2" noValidate aria-label={t.resetTitle}>
          <p className="font-medium">{t.resetTitle}</p>
          <label htmlFor={`${id}-pw`} className="block text-sm font-medium">
            {t.newPassword}
          </label>
          <div className="flex flex-wrap gap-2">
            <input
              id={`${id}-pw`}
              type={show ? 'text' : 'password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
              autoCapitalize="none"
              spellCheck={false}
              aria-describedby={`${id}-pw-hint`}
              className="block min-w-0 flex-1 rounded border border-stone-400 px-3 py-2 font-mono text-base"
            />
            <button type="button" onClick={suggest} className={`${buttonBase} border border-stone-400 bg-white text-stone-900 hover:bg-stone-100`}>
              {t.suggest}
            </button>
          </div>
          <p id={`${id}-pw-hint`} className="text-sm text-stone-700">
            {t.passwordHint}
          </p>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={show} onChange={(e) => setShow(e.target.checked)} className="h-4 w-4" />
            {t.showPassword}
          </label>
          <p role="alert" className="min-h-5 text-sm font-medium text-red-800">
            {resetError}
          </p>
          <button type="submit" disabled={resetting} className={`${buttonBase} bg-brand-700 text-white hover:bg-brand-600`}>
            {resetting ? t.resetting : t.resetSubmit}
          </button>
        </form>
      ) : null}

      {canRemove ? (
        <dialog
          ref={dialog}
          aria-labelledby={`${id}-rm-title`}
          aria-describedby={`${id}-rm-desc`}
          className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-stone-300 p-5 shadow-xl backdrop:bg-black/40"
        >
          <h3 id={`${id}-rm-title`} className="text-lg font-semibold">
            {t.removeTitle}
          </h3>
          <div id={`${id}-rm-desc`} className="mt-2 space-y-2 text-stone-800">
            <p>{t.removeConsequences}</p>
            <p>{t.removeServers}</p>
          </div>
          <p role="alert" className="mt-2 min-h-5 text-sm font-medium text-red-800">
            {removeError}
          </p>
          <div className="mt-3 flex flex-wrap justify-end gap-2">
            <button
              type="button"
              onClick={() => dialog.current?.close()}
              className={`${buttonBase} border border-stone-400 bg-white text-stone-900 hover:bg-stone-100`}
            >
              {t.cancel}
            </button>
            <button type="button" onClick={confirmRemove} disabled={removing} className={`${buttonBase} bg-red-700 text-white hover:bg-red-800`}>
              {removing ? t.removing : t.removeConfirm}
            </button>
          </div>
        </dialog>
      ) : null}
    </div>
  );
}
