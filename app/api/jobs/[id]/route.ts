// GET: one install job (state, progress summary, pip's last lines, versions).
import { guardedRead } from '@/lib/guard';
import { getJob, JobError } from '@/lib/jobs';
import { jobCall } from '@/lib/jobs-http';
import { jobPathSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({ params: jobPathSchema }, ({ params, locale }) =>
  jobCall(locale, () => {
    const job = getJob(params.id);
    if (!job) throw new JobError('not_found');
    return { job };
  }),
);
