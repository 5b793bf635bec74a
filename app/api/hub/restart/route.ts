// POST: restart-hub through the helper (stop the screen session and the hub's
// processes, start it the way its crontab does). Audited as hub_restart.
import { guarded } from '@/lib/http/guard';
import { restartHub } from '@/lib/hub/hub-actions';

export const dynamic = 'force-dynamic';

export const POST = guarded({}, async ({ actor }) => {
  const r = await restartHub(actor);
  return { restarted: true, hubPid: typeof r.hubPid === 'number' ? r.hubPid : null };
});
