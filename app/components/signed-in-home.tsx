import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import { HubHealth } from './hub-health';
import { SignOutButton } from './sign-out-button';

/** The page a signed-in parent sees; the family page (members, hub, audit) replaces the placeholder later. */
export function SignedInHome({ t, username, fullName }: { t: Messages; username: string; fullName: string }) {
  const name = fullName && fullName !== username ? `${fullName} (${username})` : username;
  return (
    <>
      <header className="border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-3xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <p className="font-semibold">{t.app.title}</p>
          <div className="flex flex-wrap items-center gap-3">
            <p className="text-sm text-stone-700" data-testid="signed-in-as">
              {format(t.nav.signedInAs, { name })}
            </p>
            <SignOutButton t={{ logout: t.nav.logout, signingOut: t.home.signingOut, signOutFailed: t.home.signOutFailed }} />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-3xl px-4 py-8">
        <h1 className="text-2xl font-semibold">{format(t.home.heading, { name: fullName || username })}</h1>
        <p className="mt-2 text-stone-700">{t.home.signedInIntro}</p>
        <p className="mt-4 rounded-lg border border-stone-200 bg-white p-4 text-stone-700">{t.home.comingSoon}</p>
        <HubHealth t={t.hub} />
      </main>
    </>
  );
}
