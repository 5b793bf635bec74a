import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import { BedtimeNow } from './bedtime-now';
import { HubHealth } from './hub-health';
import { SignedInShell } from './signed-in-shell';
import { UpdatesCard } from './updates-card';

/** The overview a signed-in parent sees first: is the hub working, where the machine stands with its updates, and links onward. */
export function SignedInHome({ t, username, fullName }: { t: Messages; username: string; fullName: string }) {
  return (
    <SignedInShell t={t} username={username} fullName={fullName} current="overview">
      <h1 className="text-2xl font-semibold">{format(t.home.heading, { name: fullName || username })}</h1>
      <p className="mt-2 text-stone-700">{t.home.signedInIntro}</p>
      <HubHealth t={t.hub} />
      <UpdatesCard t={t.updates} />
      <BedtimeNow
        t={{
          bedtimeHeading: t.hours.bedtimeHeading,
          bedtimeIntro: t.hours.bedtimeIntro,
          bedtimeButton: t.hours.bedtimeButton,
          bedtimeTitle: t.hours.bedtimeTitle,
          bedtimeText: t.hours.bedtimeText,
          bedtimeConfirm: t.hours.bedtimeConfirm,
          bedtimeStopping: t.hours.bedtimeStopping,
          bedtimeNone: t.hours.bedtimeNone,
          bedtimeDone: t.hours.bedtimeDone,
          bedtimeFailed: t.hours.bedtimeFailed,
          cancel: t.hours.cancel,
          genericError: t.hours.genericError,
        }}
      />
    </SignedInShell>
  );
}
