// POST: cancel a queued or running install (409 when it has ended already).
import { guarded } from '@/lib/http/guard';
import { cancelJob } from '@/lib/jobs';
import { jobPathSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: jobPathSchema }, ({ params, actor }) => ({ job: cancelJob(actor, params.id) }));
