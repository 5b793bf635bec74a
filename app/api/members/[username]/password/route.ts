// POST {password}: reset a kid's password (unprotected members who are not parents; the helper decides).
import { familyCall } from '@/lib/family-http';
import { guarded } from '@/lib/guard';
import { resetPassword } from '@/lib/members';
import { memberPathSchema, setPasswordSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ params: memberPathSchema, body: setPasswordSchema }, ({ params, input, session, clientAddress, locale }) =>
  familyCall(locale, async () => {
    const r = await resetPassword({ username: session.username, clientAddress }, params.username, input.password);
    return { user: r.user, changed: r.changed };
  }),
);
