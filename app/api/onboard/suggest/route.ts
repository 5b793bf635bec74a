// GET ?fullName=: a free username made from the full name, and a passphrase suggestion.
import { guardedRead } from '@/lib/guard';
import { suggestions } from '@/lib/members';
import { suggestQuerySchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({ query: suggestQuerySchema }, ({ input }) => suggestions(input.fullName));
