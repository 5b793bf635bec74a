// A labelled text input with an optional hint under it (tied to the input by
// aria-describedby). The input takes every usual attribute.
import type { InputHTMLAttributes, ReactNode } from 'react';

export const INPUT_CLASS = 'block w-full min-w-0 rounded border border-stone-400 px-3 py-2 text-base';

export interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  /** Usernames and passwords: every character readable. */
  mono?: boolean;
  /** Classes of the wrapping <div> (the field's place in its form). */
  wrapperClass?: string;
}

export function Field({ id, label, hint, mono = false, wrapperClass, className = '', ...input }: FieldProps) {
  const hintId = `${id}-hint`;
  return (
    <div className={wrapperClass}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input id={id} aria-describedby={hint ? hintId : undefined} className={`mt-1 ${INPUT_CLASS}${mono ? ' font-mono' : ''} ${className}`} {...input} />
      {hint ? (
        <p id={hintId} className="mt-1 text-sm text-stone-700">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
