'use client';
// "Bedtime now" on the overview: one button, a confirmation dialog, then every
// kid's running Jupyter server is stopped through the hub API (parents' servers
// are left alone); the answer names who was stopped. Audited as bedtime.
import { useId, useRef, useState } from 'react';
import { api } from '../family/api';

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

const buttonBase =
  'rounded px-3 py-1.5 text-sm font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700 disabled:opacity-60';

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
      <button type="button" onClick={() => dialog.current?.showModal()} className={`${buttonBase} mt-3 bg-brand-700 text-white hover:bg-brand-600`}>
        {t.bedtimeButton}
      </button>
      <p role="status" className="mt-2 min-h-5 text-sm" data-testid="bedtime-result">
        {result}
      </p>
      <p role="alert" className="min-h-5 text-sm font-medium text-red-800">
        {error}
      </p>
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-stone-300 p-5 shadow-xl backdrop:bg-black/40"
      >
        <h3 id={`${id}-title`} className="text-lg font-semibold">
          {t.bedtimeTitle}
        </h3>
        <p id={`${id}-desc`} className="mt-2 text-stone-800">
          {t.bedtimeText}
        </p>
        <div className="mt-4 flex flex-wrap justify-end gap-2">
          <button type="button" onClick={() => dialog.current?.close()} className={`${buttonBase} border border-stone-400 bg-white text-stone-900 hover:bg-stone-100`}>
            {t.cancel}
          </button>
          <button type="button" onClick={confirm} disabled={busy} className={`${buttonBase} bg-red-700 text-white hover:bg-red-800`}>
            {busy ? t.bedtimeStopping : t.bedtimeConfirm}
          </button>
        </div>
      </dialog>
    </section>
  );
}
