// POST: cancel a queued or running install (409 when it has ended already).
import { guarded } from '@/lib/guard';
import { cancelJob } from '@/lib/jobs';
import { jobCall } from '@/lib/jobs-http';
import { jobPathSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: jobPathSchema }, ({ params, session, clientAddress, locale }) =>
  jobCall(locale, () => ({ job: cancelJob({ username: session.username, clientAddress }, params.id) })),
);
