// DELETE: remove a member from jupyterhub (and stop their hub servers when the hub is connected).
import { guarded } from '@/lib/http/guard';
import { removeMember } from '@/lib/family/members';
import { memberPathSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const DELETE = guarded({ params: memberPathSchema }, async ({ params, actor }) => {
  const r = await removeMember(actor, params.username);
  return { user: r.user, changed: r.changed, serversStopped: r.serversStopped, serverStopError: r.serverStopError };
});
