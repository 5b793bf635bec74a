// GET: the family (members of jupyterhub, with hub state when connected), read
// without root. Without parameters: every member, as it always was; `q` searches
// usernames and full names, `page` / `pageSize` page the result (with `total`,
// `pages`). POST {username}: add an existing account. ARCHITECTURE.md "HTTP API".
import { guarded, guardedRead } from '@/lib/http/guard';
import { addMember, listFamily } from '@/lib/family/members';
import { FAMILY_PAGE_SIZE, familyQuerySchema, memberTargetBodySchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({ query: familyQuerySchema }, async ({ input }) => {
  const paged = input.page !== undefined || input.pageSize !== undefined;
  const family = await listFamily({ q: input.q, ...(paged ? { page: input.page ?? 1, pageSize: input.pageSize ?? FAMILY_PAGE_SIZE } : {}) });
  return family as unknown as Record<string, unknown>;
});

export const POST = guarded({ body: memberTargetBodySchema }, async ({ input, actor }) => {
  const r = await addMember(actor, input.username);
  return { user: r.user, changed: r.changed };
});
