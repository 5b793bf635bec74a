// POST: connect-hub through the helper (a fresh service token in marked lines of
// the hub config); the hub needs a restart afterwards. Audited as hub_connect.
import { guarded } from '@/lib/http/guard';
import { connectHub } from '@/lib/hub/hub-actions';

export const dynamic = 'force-dynamic';

export const POST = guarded({}, async ({ actor }) => {
  const r = await connectHub(actor);
  return { connected: true, replaced: r.replaced === true, restartNeeded: true };
});
