'use client';

import { useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../components/ui/api';
import { Button } from '../components/ui/button';
import { ConfirmDialog } from '../components/ui/confirm-dialog';
import { ErrorLine } from '../components/ui/error-line';
import { NewPasswordField } from '../components/ui/new-password-field';
import { familyNotice } from './notice';

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

/** Remove (with a confirmation dialog naming the consequences) and reset password. */
export function MemberActions({ user, canRemove, canReset, t }: { user: string; canRemove: boolean; canReset: boolean; t: MemberActionsText }) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [removing, setRemoving] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [resetOpen, setResetOpen] = useState(false);
  const [password, setPassword] = useState('');
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
          <Button variant="secondary" size="small" aria-expanded={resetOpen} aria-controls={`${id}-reset`} onClick={() => setResetOpen((o) => !o)}>
            {t.resetPassword}
          </Button>
        ) : null}
        {canRemove ? (
          <Button variant="dangerOutline" size="small" onClick={() => dialog.current?.showModal()}>
            {t.remove}
          </Button>
        ) : null}
      </div>

      {canReset && resetOpen ? (
        <form id={`${id}-reset`} onSubmit={onReset} className="mt-3 space-y-2" noValidate aria-label={t.resetTitle}>
          <p className="font-medium">{t.resetTitle}</p>
          <NewPasswordField id={`${id}-pw`} value={password} onChange={setPassword} t={{ label: t.newPassword, hint: t.passwordHint, suggest: t.suggest, show: t.showPassword }} />
          <ErrorLine message={resetError} />
          <Button type="submit" size="small" disabled={resetting}>
            {resetting ? t.resetting : t.resetSubmit}
          </Button>
        </form>
      ) : null}

      {canRemove ? (
        <ConfirmDialog
          dialogRef={dialog}
          title={t.removeTitle}
          cancelLabel={t.cancel}
          confirmLabel={t.removeConfirm}
          busyLabel={t.removing}
          busy={removing}
          onConfirm={confirmRemove}
          error={removeError}
        >
          <p>{t.removeConsequences}</p>
          <p>{t.removeServers}</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
