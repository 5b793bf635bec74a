// GET ?limit=&before=&target=: the audit log, newest first; nextBefore pages on.
import { audit } from '@/lib/store/audit';
import { guardedRead } from '@/lib/http/guard';
import { familyAuditQuerySchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({ query: familyAuditQuerySchema }, ({ input }) => {
  const entries = audit.list({ limit: input.limit, before: input.before, target: input.target || undefined });
  const last = entries.at(-1);
  return { entries, nextBefore: entries.length === input.limit && last ? last.id : null };
});
