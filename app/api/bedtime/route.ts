// POST {}: "Bedtime now": stop every running hub server of everyone who is not a
// parent (jupyterhub_adm), through the hub API. Audited as bedtime with the list.
import { z } from 'zod';
import { guarded } from '@/lib/http/guard';
import { bedtimeNow } from '@/lib/hours/hours-actions';

export const dynamic = 'force-dynamic';

export const POST = guarded({ body: z.strictObject({}) }, async ({ actor }) => {
  const r = await bedtimeNow(actor);
  return { stopped: r.stopped, failed: r.failed.map((f) => f.user), parentsLeft: r.parentsLeft };
});
