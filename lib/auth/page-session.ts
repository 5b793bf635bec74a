import 'server-only';
// Pages that need a signed-in parent: the session from the request's cookie, or
// a redirect to the login page (/panel). The same resolveSession() the guard uses.
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { CLIENT_ADDRESS_HEADER } from '../constants';
import { resolveSession, type Session } from './session';

export async function requirePageSession(): Promise<Session> {
  const h = await headers();
  const found = resolveSession(h.get('cookie'), h.get(CLIENT_ADDRESS_HEADER) ?? undefined);
  if (found.status !== 'ok') redirect('/');
  return found.session;
}
