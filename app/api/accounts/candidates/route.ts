// GET: human accounts that are not members of jupyterhub yet (protected accounts are not offered).
import { guardedRead } from '@/lib/guard';
import { listCandidates } from '@/lib/members';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({}, () => ({ candidates: listCandidates() }));
