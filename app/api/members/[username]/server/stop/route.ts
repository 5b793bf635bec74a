// POST: stop a member's running hub servers through the hub API (the panel's
// service token). Audited as server_stop.
import { guarded } from '@/lib/guard';
import { stopMemberServer } from '@/lib/hub-actions';
import { hubErrorResponse } from '@/lib/hub-http';
import { memberPathSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: memberPathSchema }, async ({ params, session, clientAddress, locale }) => {
  try {
    const r = await stopMemberServer({ username: session.username, clientAddress }, params.username);
    return { user: r.user, stopped: r.stopped, pending: r.pending };
  } catch (error) {
    return hubErrorResponse(error, locale);
  }
});
