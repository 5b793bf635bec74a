// POST {}: close a member's home folder to group and others (the helper's
// make-home-private, run as the member on the folder itself). Audited as
// home_private; a parent, a protected account or a non-member is refused.
import { z } from 'zod';
import { guarded } from '@/lib/http/guard';
import { makeHomePrivate } from '@/lib/family/members';
import { memberPathSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: memberPathSchema, body: z.strictObject({}) }, async ({ params, actor }) => {
  const r = await makeHomePrivate(actor, params.username);
  return { user: r.user, before: r.before, after: r.after };
});
