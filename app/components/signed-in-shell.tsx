import Link from 'next/link';
import type { ReactNode } from 'react';
import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import { SignOutButton } from './sign-out-button';

export type NavPage = 'overview' | 'family' | 'audit';

/** The signed-in header (title, nav, who, sign-out) and the page's <main>. */
export function SignedInShell({ t, username, fullName, current, children }: { t: Messages; username: string; fullName: string; current: NavPage; children: ReactNode }) {
  const name = fullName && fullName !== username ? `${fullName} (${username})` : username;
  // Router paths (Link adds the base path): moving between the pages is a
  // client-side navigation that fetches only the new page's server part.
  const links: Array<{ page: NavPage; href: string; label: string }> = [
    { page: 'overview', href: '/', label: t.nav.overview },
    { page: 'family', href: '/family', label: t.nav.family },
    { page: 'audit', href: '/audit', label: t.nav.audit },
  ];
  return (
    <>
      <header className="border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <p className="font-semibold">{t.app.title}</p>
          <div className="flex flex-wrap items-center gap-3">
            <p className="text-sm text-stone-700" data-testid="signed-in-as">
              {format(t.nav.signedInAs, { name })}
            </p>
            <SignOutButton t={{ logout: t.nav.logout, signingOut: t.home.signingOut, signOutFailed: t.home.signOutFailed }} />
          </div>
        </div>
        <nav aria-label={t.nav.label} className="mx-auto max-w-5xl px-4 pb-2">
          <ul className="flex flex-wrap gap-1">
            {links.map((l) => (
              <li key={l.page}>
                <Link
                  href={l.href}
                  aria-current={l.page === current ? 'page' : undefined}
                  className={
                    'inline-block rounded px-3 py-1.5 text-sm font-medium underline-offset-4 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-brand-700 ' +
                    (l.page === current ? 'bg-stone-200 text-stone-900' : 'text-brand-700')
                  }
                >
                  {l.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" className="mx-auto max-w-5xl px-4 py-6">
        {children}
      </main>
    </>
  );
}
