// GET: one install job (state, progress summary, pip's last lines, versions).
import { guardedRead } from '@/lib/guard';
import { getJob, jobNotFound } from '@/lib/jobs';
import { jobPathSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({ params: jobPathSchema }, ({ params }) => {
  const job = getJob(params.id);
  if (!job) throw jobNotFound();
  return { job };
});
