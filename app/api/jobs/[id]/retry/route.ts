// POST: retry a failed, cancelled or interrupted install: 202 {jobId} of a NEW
// job linked to the old one (retryOf); the old one stays as it ended.
import { guarded, json } from '@/lib/http/guard';
import { retryJob } from '@/lib/jobs';
import { jobPathSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: jobPathSchema }, ({ params, actor }) => {
  const job = retryJob(actor, params.id);
  return json({ jobId: job.id, job }, { status: 202 });
});
