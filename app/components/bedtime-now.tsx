'use client';
// "Bedtime now" on the overview: one button, a confirmation dialog, then every
// kid's running Jupyter server is stopped through the hub API (parents' servers
// are left alone); the answer names who was stopped. Audited as bedtime.
import { useId, useRef, useState } from 'react';
import { api } from './ui/api';
import { Button } from './ui/button';
import { ConfirmDialog } from './ui/confirm-dialog';
import { ErrorLine } from './ui/error-line';

export interface BedtimeText {
  bedtimeHeading: string;
  bedtimeIntro: string;
  bedtimeButton: string;
  bedtimeTitle: string;
  bedtimeText: string;
  bedtimeConfirm: string;
  bedtimeStopping: string;
  bedtimeNone: string;
  bedtimeDone: string;
  bedtimeFailed: string;
  cancel: string;
  genericError: string;
}

export function BedtimeNow({ t }: { t: BedtimeText }) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    const r = await api<{ stopped: { user: string }[]; failed: string[] }>('POST', '/api/bedtime', {});
    setBusy(false);
    dialog.current?.close();
    if (!r.ok) {
      setResult(null);
      setError(r.failure.message || t.genericError);
      return;
    }
    const parts: string[] = [];
    parts.push(r.data.stopped.length ? t.bedtimeDone.replace('{users}', r.data.stopped.map((s) => s.user).join(', ')) : t.bedtimeNone);
    if (r.data.failed.length) parts.push(t.bedtimeFailed.replace('{users}', r.data.failed.join(', ')));
    setResult(parts.join(' '));
  }

  return (
    <section aria-labelledby={`${id}-h`} className="mt-6 rounded-lg border border-stone-200 bg-white p-4 shadow-sm" data-testid="bedtime">
      <h2 id={`${id}-h`} className="text-xl font-semibold">
        {t.bedtimeHeading}
      </h2>
      <p className="mt-1 text-sm text-stone-700">{t.bedtimeIntro}</p>
      <Button size="small" onClick={() => dialog.current?.showModal()} className="mt-3">
        {t.bedtimeButton}
      </Button>
      <p role="status" className="mt-2 min-h-5 text-sm" data-testid="bedtime-result">
        {result}
      </p>
      <ErrorLine message={error} />
      <ConfirmDialog dialogRef={dialog} title={t.bedtimeTitle} cancelLabel={t.cancel} confirmLabel={t.bedtimeConfirm} busyLabel={t.bedtimeStopping} busy={busy} onConfirm={confirm}>
        <p>{t.bedtimeText}</p>
      </ConfirmDialog>
    </section>
  );
}
