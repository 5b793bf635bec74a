// POST {}: "Bedtime now": stop every running hub server of everyone who is not a
// parent (jupyterhub_adm), through the hub API. Audited as bedtime with the list.
import { z } from 'zod';
import { guarded } from '@/lib/guard';
import { bedtimeNow } from '@/lib/hours-actions';
import { hubErrorResponse } from '@/lib/hub-http';

export const dynamic = 'force-dynamic';

export const POST = guarded({ body: z.strictObject({}) }, async ({ session, clientAddress, locale }) => {
  try {
    const r = await bedtimeNow({ username: session.username, clientAddress });
    return { stopped: r.stopped, failed: r.failed.map((f) => f.user), parentsLeft: r.parentsLeft };
  } catch (error) {
    return hubErrorResponse(error, locale);
  }
});
