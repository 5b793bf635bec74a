// POST: start installing the configured Jupyter packages for a member, as that
// member (helper install-packages, in the background): 202 {jobId}. An install
// already queued or running for the member is returned (202, existing: true).
import { guarded, json } from '@/lib/guard';
import { startInstall } from '@/lib/jobs';
import { jobCall } from '@/lib/jobs-http';
import { memberPathSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: memberPathSchema }, ({ params, session, clientAddress, locale }) =>
  jobCall(locale, () => {
    const { job, existing } = startInstall({ username: session.username, clientAddress }, params.username);
    return json({ jobId: job.id, existing, job }, { status: 202 });
  }),
);
