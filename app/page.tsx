import { requestMessages } from '@/lib/i18n/server';
import { LoginForm } from './components/login-form';

// Rendered per request: the locale comes from Accept-Language and the CSP nonce
// from the request, so this page is never prerendered.
export const dynamic = 'force-dynamic';

export default async function LoginPage() {
  const { t } = await requestMessages();
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-4 py-10">
      <h1 className="text-2xl font-semibold">{t.app.title}</h1>
      <p className="mt-1 text-stone-700">{t.app.tagline}</p>
      <section aria-labelledby="login-heading" className="mt-8 rounded-lg border border-stone-200 bg-white p-5 shadow-sm">
        <h2 id="login-heading" className="text-xl font-semibold">
          {t.login.heading}
        </h2>
        <p className="mt-2 text-sm text-stone-700">{t.login.intro}</p>
        <LoginForm t={t.login} />
      </section>
    </main>
  );
}
