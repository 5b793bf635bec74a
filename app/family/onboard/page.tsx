import { BASE_PATH } from '@/lib/constants';
import { requestMessages } from '@/lib/i18n/server';
import { loginCardFacts } from '@/lib/family/login-card';
import { requirePageSession } from '@/lib/auth/page-session';
import { SignedInShell } from '../../components/signed-in-shell';
import { OnboardForm } from './onboard-form';

export const dynamic = 'force-dynamic';

/** "Prepare Jupyter now": starts a package-install job (lib/jobs/) shown on the result. */
const PACKAGE_INSTALL_AVAILABLE = true;

export default async function OnboardPage() {
  const session = await requirePageSession();
  const { t } = await requestMessages();
  return (
    <SignedInShell t={t} username={session.username} fullName={session.fullName} current="family">
      <p className="text-sm">
        <a href={`${BASE_PATH}/family`} className="text-brand-700 underline underline-offset-4">
          {t.onboard.backToFamily}
        </a>
      </p>
      <OnboardForm t={t.onboard} cardFacts={loginCardFacts()} cardT={t.card} offerInstall={PACKAGE_INSTALL_AVAILABLE} jobsT={t.jobs} />
    </SignedInShell>
  );
}
