// POST: log in. GET: who am I. DELETE: log out (server side).
// ARCHITECTURE.md "HTTP API"; every path goes through lib/http/guard.ts.
import { guardedRead, json, publicMutation } from '@/lib/http/guard';
import { login, loginInputRefused, logout } from '@/lib/auth/login';
import { resolveSession, sessionSetCookie, clearSessionCookie, tokensFromCookieHeader } from '@/lib/auth/session';
import { deviceSetCookie, trustedDeviceOf } from '@/lib/auth/device-cookie';
import { loginSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const POST = publicMutation(
  { body: loginSchema },
  async ({ input, clientAddress, userAgent, request }) => {
    const cookie = request.headers.get('cookie');
    const { token, session, deviceCookie } = await login({
      username: input.username,
      password: input.password,
      clientAddress,
      userAgent,
      presentedTokens: tokensFromCookieHeader(cookie),
      device: trustedDeviceOf(cookie, input.username),
    });
    const res = json({ user: { username: session.username, fullName: session.fullName } }, { headers: { 'set-cookie': sessionSetCookie(token) } });
    // Renewed at every login; the logout below leaves it (docs/ARCHITECTURE.md "Login throttling").
    res.headers.append('set-cookie', deviceSetCookie(session.username, deviceCookie));
    return res;
  },
  { onInvalidInput: (ctx, body, fields) => loginInputRefused(body, fields, ctx.clientAddress) },
);

export const GET = guardedRead({}, ({ session }) => ({
  user: { username: session.username, fullName: session.fullName },
  session: { expiresAt: new Date(session.expiresAt).toISOString() },
}));

// Logging out needs no valid session (an ended one is fine): Origin and content
// type are checked, whatever cookie came is deleted on the server and cleared.
export const DELETE = publicMutation({}, ({ request, clientAddress }) => {
  const cookie = request.headers.get('cookie');
  const found = resolveSession(cookie, clientAddress);
  logout(found.status === 'ok' ? found.session : null, tokensFromCookieHeader(cookie), clientAddress);
  return json({ ok: true }, { headers: { 'set-cookie': clearSessionCookie() } });
});
