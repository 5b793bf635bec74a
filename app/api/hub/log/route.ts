// GET: the last lines of the hub's bootstrap log, read by the helper (hub-status
// --log-lines) because the hub's home is not readable by the panel account.
import { guardedRead } from '@/lib/http/guard';
import { bootstrapLog } from '@/lib/hub/hub-status';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({}, async () => ({ ...(await bootstrapLog(50)) }));
