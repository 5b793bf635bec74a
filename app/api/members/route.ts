// GET: the family (members of jupyterhub, with hub state when connected).
// POST {username}: add an existing account. ARCHITECTURE.md "HTTP API".
import { familyCall } from '@/lib/family-http';
import { guarded, guardedRead } from '@/lib/guard';
import { addMember, listFamily } from '@/lib/members';
import { memberTargetBodySchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({}, async () => (await listFamily()) as unknown as Record<string, unknown>);

export const POST = guarded({ body: memberTargetBodySchema }, ({ input, session, clientAddress, locale }) =>
  familyCall(locale, async () => {
    const r = await addMember({ username: session.username, clientAddress }, input.username);
    return { user: r.user, changed: r.changed };
  }),
);
