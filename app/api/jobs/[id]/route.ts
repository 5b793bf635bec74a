// GET: one install job (state, progress summary, pip's last lines, versions).
import { guardedRead } from '@/lib/http/guard';
import { getJob, jobNotFound } from '@/lib/jobs';
import { jobPathSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({ params: jobPathSchema }, ({ params }) => {
  const job = getJob(params.id);
  if (!job) throw jobNotFound();
  return { job };
});
