// GET: human accounts that are not members of jupyterhub yet (protected accounts
// are not offered). Without `q`: every one, as before; with `q`: the first `limit`
// whose username or full name matches, and how many match in all.
import { guardedRead } from '@/lib/http/guard';
import { findCandidates, listCandidates } from '@/lib/family/members';
import { candidateQuerySchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({ query: candidateQuerySchema }, ({ input }) => (input.q === undefined ? { candidates: listCandidates() } : { ...findCandidates(input.q, input.limit) }));
