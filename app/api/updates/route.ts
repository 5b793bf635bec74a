// GET: where the machine stands with its updates (lib/machine/updates.ts): pending
// security and other updates, the last upgrade, the reboot marker, the family
// services that run old code. Waits on apt a few seconds at most.
import { guardedRead } from '@/lib/http/guard';
import { updatesAnswer } from '@/lib/machine/updates';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({}, async () => ({ ...(await updatesAnswer()) }));
