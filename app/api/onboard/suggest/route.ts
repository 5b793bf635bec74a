// GET ?fullName=: a free username made from the full name, and a passphrase suggestion.
import { guardedRead } from '@/lib/http/guard';
import { suggestions } from '@/lib/family/members';
import { suggestQuerySchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({ query: suggestQuerySchema }, ({ input }) => suggestions(input.fullName));
