// POST: "Install updates now": the machine's pending updates of the saved mode
// (security only, or all), upgraded by the helper's upgrade-system in the
// background: 202 {jobId}, followed like any job (GET /api/jobs/{id}/events). An
// upgrade already queued or running is returned (202, existing: true). Updates
// set to off: 409 conflict, audited as refused.
import { guarded, json } from '@/lib/http/guard';
import { startUpgrade } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

export const POST = guarded({}, ({ actor }) => {
  const { job, existing } = startUpgrade(actor);
  return json({ jobId: job.id, existing, job }, { status: 202 });
});
