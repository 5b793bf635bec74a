import 'server-only';
// Pages that need a signed-in parent: the session from the request's cookie, or
// a redirect to the login page (/panel). The same resolveSession() the guard uses.
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { CLIENT_ADDRESS_HEADER } from './constants';
import { resolveSession, type Session } from './session';

export async function requirePageSession(): Promise<Session> {
  const h = await headers();
  const found = resolveSession(h.get('cookie'), h.get(CLIENT_ADDRESS_HEADER) ?? undefined);
  if (found.status !== 'ok') redirect('/');
  return found.session;
}

/** The hub address a kid types, on the host name the parent reached the panel with. */
export async function hubAddressForRequest(): Promise<string> {
  const h = await headers();
  const host = (h.get('host') ?? '127.0.0.1').trim();
  // Strip the port (IPv6 literals keep their brackets).
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return `https://${/^[A-Za-z0-9.\-[\]:]+$/.test(name) ? name : '127.0.0.1'}:8000/`;
}
