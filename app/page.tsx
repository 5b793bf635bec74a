import { headers } from 'next/headers';
import { CLIENT_ADDRESS_HEADER } from '@/lib/constants';
import { requestMessages } from '@/lib/i18n/server';
import { resolveSession } from '@/lib/auth/session';
import { LoginForm } from './components/login-form';
import { SignedInHome } from './components/signed-in-home';

// Rendered per request: the session, the locale (Accept-Language) and the CSP
// nonce all come from the request, so this page is never prerendered (and the
// build never opens the database).
export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const { t } = await requestMessages();
  const h = await headers();
  const found = resolveSession(h.get('cookie'), h.get(CLIENT_ADDRESS_HEADER) ?? undefined);
  if (found.status === 'ok') {
    return <SignedInHome t={t} username={found.session.username} fullName={found.session.fullName} />;
  }
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-4 py-10">
      <h1 className="text-2xl font-semibold">{t.app.title}</h1>
      <p className="mt-1 text-stone-700">{t.app.tagline}</p>
      <section aria-labelledby="login-heading" className="mt-8 rounded-lg border border-stone-200 bg-white p-5 shadow-sm">
        <h2 id="login-heading" className="text-xl font-semibold">
          {t.login.heading}
        </h2>
        <p className="mt-2 text-sm text-stone-700">{t.login.intro}</p>
        {found.status === 'revoked' ? (
          <p role="status" className="mt-3 rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
            {t.errors.notFamilyAdmin}
          </p>
        ) : null}
        <LoginForm t={t.login} />
      </section>
    </main>
  );
}
