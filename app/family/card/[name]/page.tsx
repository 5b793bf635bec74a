import { BASE_PATH } from '@/lib/constants';
import { notFound } from 'next/navigation';
import { requestMessages } from '@/lib/i18n/server';
import { format } from '@/lib/i18n/messages';
import { loginCardFacts } from '@/lib/family/login-card';
import { memberFacts } from '@/lib/family/members';
import { requirePageSession } from '@/lib/auth/page-session';
import { memberParamsSchema } from '@/lib/http/validation';
import { SignedInShell } from '../../../components/signed-in-shell';
import { LoginCard } from '../login-card';
import { PrintButton } from '../print-button';

// Per request: the session first (a stranger learns nothing about who is a
// member), then the name by the one name rule, then membership; the addresses
// and the certificate are read now (they change with DHCP and renewals).
export const dynamic = 'force-dynamic';

export default async function LoginCardPage({ params }: { params: Promise<{ name: string }> }) {
  const session = await requirePageSession();
  // A valid name has no character that URL-encoding changes: what is not valid as
  // it comes is no name (no second decoding, no aliases).
  const { name: raw } = await params;
  const parsed = memberParamsSchema.safeParse({ username: raw });
  if (!parsed.success) notFound();
  const member = memberFacts(parsed.data.username);
  if (!member) notFound();

  const { t } = await requestMessages();
  const name = member.fullName || member.user;
  return (
    <SignedInShell t={t} username={session.username} fullName={session.fullName} current="family">
      <div className="print:hidden">
        <p className="text-sm">
          <a href={`${BASE_PATH}/family`} className="text-brand-700 underline underline-offset-4">
            {t.card.backToFamily}
          </a>
        </p>
        <h1 className="mt-3 text-2xl font-semibold">{format(t.card.pageHeading, { name })}</h1>
        <p className="mt-1 text-stone-700">{format(t.card.pageIntro, { name })}</p>
        <div className="mt-3">
          <PrintButton label={t.card.print} />
        </div>
      </div>
      <LoginCard facts={loginCardFacts()} username={member.user} name={name} t={t.card} />
    </SignedInShell>
  );
}
