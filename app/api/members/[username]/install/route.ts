// POST: start installing the configured Jupyter packages for a member, as that
// member (helper install-packages, in the background): 202 {jobId}. An install
// already queued or running for the member is returned (202, existing: true).
import { guarded, json } from '@/lib/http/guard';
import { startInstall } from '@/lib/jobs';
import { memberPathSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: memberPathSchema }, ({ params, actor }) => {
  const { job, existing } = startInstall(actor, params.username);
  return json({ jobId: job.id, existing, job }, { status: 202 });
});
