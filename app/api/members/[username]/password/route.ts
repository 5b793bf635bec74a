// POST {password}: reset a kid's password (unprotected members who are not parents; the helper decides).
import { guarded } from '@/lib/http/guard';
import { resetPassword } from '@/lib/family/members';
import { memberPathSchema, setPasswordSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: memberPathSchema, body: setPasswordSchema }, async ({ params, input, actor }) => {
  const r = await resetPassword(actor, params.username, input.password);
  return { user: r.user, changed: r.changed };
});
