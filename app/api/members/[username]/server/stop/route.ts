// POST: stop a member's running hub servers through the hub API (the panel's
// service token). Audited as server_stop.
import { guarded } from '@/lib/http/guard';
import { stopMemberServer } from '@/lib/hub/hub-actions';
import { memberPathSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: memberPathSchema }, async ({ params, actor }) => {
  const r = await stopMemberServer(actor, params.username);
  return { user: r.user, stopped: r.stopped, pending: r.pending };
});
