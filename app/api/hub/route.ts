// GET: the hub dashboard's report (overall state, each check with its result and
// time, users with running servers). Cached a few seconds on the server.
import { guardedRead } from '@/lib/http/guard';
import { hubReport } from '@/lib/hub/report-cache';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({}, async () => ({ ...(await hubReport()) }));
