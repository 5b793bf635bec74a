'use client';
// A modal question before something that cannot be undone (stop every kid's
// server, remove a member): a title, what will happen, Cancel and the red
// confirm button. The caller opens it with dialogRef.current.showModal().
import { useId, type ReactNode, type RefObject } from 'react';
import { Button } from './button';
import { ErrorLine } from './error-line';

export interface ConfirmDialogProps {
  dialogRef: RefObject<HTMLDialogElement | null>;
  title: string;
  /** What will happen (the dialog's description). */
  children: ReactNode;
  cancelLabel: string;
  confirmLabel: string;
  busyLabel: string;
  busy: boolean;
  onConfirm: () => void;
  /** Shown inside the dialog when the action failed and the dialog stays open. */
  error?: string | null;
}

export function ConfirmDialog({ dialogRef, title, children, cancelLabel, confirmLabel, busyLabel, busy, onConfirm, error }: ConfirmDialogProps) {
  const id = useId();
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-stone-300 p-5 shadow-xl backdrop:bg-black/40"
    >
      <h3 id={`${id}-title`} className="text-lg font-semibold">
        {title}
      </h3>
      <div id={`${id}-desc`} className="mt-2 space-y-2 text-stone-800">
        {children}
      </div>
      {error !== undefined ? <ErrorLine message={error} className="mt-2" /> : null}
      <div className="mt-4 flex flex-wrap justify-end gap-2">
        <Button variant="secondary" size="small" onClick={() => dialogRef.current?.close()}>
          {cancelLabel}
        </Button>
        <Button variant="danger" size="small" onClick={onConfirm} disabled={busy}>
          {busy ? busyLabel : confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}
