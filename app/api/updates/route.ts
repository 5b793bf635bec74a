// GET: where the machine stands with its updates (lib/machine/updates.ts): pending
// security and other updates, the last upgrade, the reboot marker, the family
// services that run old code. Waits on apt a few seconds at most. With it the
// saved mode (what "Install updates now" would install) and the newest
// "Install updates now" job, so a reloaded page follows a running one.
import { guardedRead } from '@/lib/http/guard';
import { latestUpgrade } from '@/lib/jobs';
import { updatesAnswer } from '@/lib/machine/updates';
import { readUpdateSettings } from '@/lib/machine/update-settings';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({}, async () => ({ ...(await updatesAnswer()), mode: readUpdateSettings().mode, upgrade: latestUpgrade() }));
