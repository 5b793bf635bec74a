// The panel's buttons: one set of classes for <button>, <a> and <Link>, so every
// button looks, focuses and disables alike.
import type { ButtonHTMLAttributes } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'outline' | 'danger' | 'dangerOutline';
export type ButtonSize = 'small' | 'normal';

const BASE = 'inline-block rounded font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700 disabled:opacity-60';

const VARIANTS: Record<ButtonVariant, string> = {
  primary: 'bg-brand-700 text-white hover:bg-brand-600',
  secondary: 'border border-stone-400 bg-white text-stone-900 hover:bg-stone-100',
  outline: 'border border-brand-700 bg-white text-brand-700 hover:bg-stone-100',
  danger: 'bg-red-700 text-white hover:bg-red-800',
  dangerOutline: 'border border-red-700 bg-white text-red-800 hover:bg-red-50',
};

const SIZES: Record<ButtonSize, string> = {
  small: 'px-3 py-1.5 text-sm',
  normal: 'px-4 py-2',
};

export function buttonClass(variant: ButtonVariant = 'primary', size: ButtonSize = 'normal', extra = ''): string {
  return `${BASE} ${SIZES[size]} ${VARIANTS[variant]}${extra ? ` ${extra}` : ''}`;
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
}

/** A <button> (type="button" unless said otherwise, so it never submits a form by accident). */
export function Button({ variant, size, className, type = 'button', ...rest }: ButtonProps) {
  return <button type={type} className={buttonClass(variant, size, className)} {...rest} />;
}
