import 'server-only';
// Sessions of signed-in parents. The cookie holds 32 random bytes (base64url);
// the database holds only their SHA-256, so a copy of panel.db opens no session.
// A login always makes a new id (a planted cookie is never upgraded), sessions
// end after sessionIdleSeconds without a request or sessionMaxSeconds after login,
// logout deletes the row, and every lookup re-checks that the parent is still in
// jupyterhub_adm (SECURITY-CASES.md 16-18).
import crypto from 'node:crypto';
import { audit } from '../store/audit';
import { ADMIN_GROUP, BASE_PATH, SESSION_COOKIE } from '../constants';
import { db } from '../store/db';
import { settings } from '../settings';
import { getAccount, isGroupMember } from '../accounts/unix-accounts';

export interface Session {
  username: string;
  /** From the account's GECOS field; the user name when empty. */
  fullName: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** SHA-256 of the token; identifies the row (never the token itself). */
  idHash: string;
}

export type SessionLookup =
  | { status: 'ok'; session: Session }
  | { status: 'none' } // no cookie, malformed, unknown, timed out or logged out
  | { status: 'revoked'; username: string }; // the parent left jupyterhub_adm (or the account is gone)

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

interface Row {
  id_hash: string;
  username: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

function fullNameOf(username: string): string {
  return getAccount(username)?.fullName.trim() || username;
}

/** Starts a session for a parent who just passed PAM. Returns the cookie value. */
export function createSession(username: string, meta: { clientAddress?: string; userAgent?: string; replacing?: string | null } = {}, now = Date.now()): { token: string; session: Session } {
  const { sessionMaxSeconds } = settings();
  const token = newToken();
  const idHash = hashToken(token);
  const expiresAt = now + sessionMaxSeconds * 1000;
  const conn = db();
  conn.transaction(() => {
    // Whatever cookie came with the login request is dead from now on.
    if (meta.replacing && TOKEN_RE.test(meta.replacing)) conn.prepare('DELETE FROM sessions WHERE id_hash = ?').run(hashToken(meta.replacing));
    conn.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
    conn
      .prepare(
        `INSERT INTO sessions (id_hash, username, created_at, last_seen_at, expires_at, client_address, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(idHash, username, now, now, expiresAt, meta.clientAddress ?? null, meta.userAgent?.slice(0, 256) ?? null);
  })();
  return { token, session: { username, fullName: fullNameOf(username), createdAt: now, lastSeenAt: now, expiresAt, idHash } };
}

/**
 * The session behind a cookie value, with the idle and absolute timeouts and the
 * membership re-check applied. Touches last_seen_at. Deletes what it refuses.
 */
export function lookupSession(token: string | null | undefined, now = Date.now()): SessionLookup {
  if (!token || !TOKEN_RE.test(token)) return { status: 'none' };
  const conn = db();
  const idHash = hashToken(token);
  const row = sessionRow(idHash);
  if (!row) return { status: 'none' };
  const absoluteEnd = absoluteEndOf(row);
  if (!isLive(row, now)) {
    conn.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
    return { status: 'none' };
  }
  if (!isGroupMember(row.username, ADMIN_GROUP)) {
    // A parent removed from jupyterhub_adm (SECURITY-CASES 18): out at the next click, and every other session of theirs with it.
    conn.prepare('DELETE FROM sessions WHERE username = ?').run(row.username);
    return { status: 'revoked', username: row.username };
  }
  conn.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, idHash);
  return {
    status: 'ok',
    session: {
      username: row.username,
      fullName: fullNameOf(row.username),
      createdAt: row.created_at,
      lastSeenAt: now,
      expiresAt: absoluteEnd,
      idHash,
    },
  };
}

/**
 * Whose live session a Cookie header carries, looked up read-only. For a request
 * the guard refuses before its session check (another page's Origin, or none):
 * such a request must neither keep the session alive (a forging page would
 * otherwise hold off the idle timeout) nor end it; it only names the parent
 * in the audit row. Null when no cookie is a live session.
 */
export function sessionOwnerOf(cookieHeader: string | null | undefined, now = Date.now()): string | null {
  for (const token of tokensFromCookieHeader(cookieHeader)) {
    if (!TOKEN_RE.test(token)) continue;
    const row = sessionRow(hashToken(token));
    if (row && isLive(row, now)) return row.username;
  }
  return null;
}

function sessionRow(idHash: string): Row | undefined {
  return db().prepare('SELECT id_hash, username, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = ?').get(idHash) as Row | undefined;
}

/** A session ends at its absolute end (the row's own, or the configured maximum), whichever comes first. */
function absoluteEndOf(row: Row): number {
  return Math.min(row.expires_at, row.created_at + settings().sessionMaxSeconds * 1000);
}

/** Before its absolute end and its idle end: the one rule both lookups apply. */
function isLive(row: Row, now: number): boolean {
  return now < absoluteEndOf(row) && now < row.last_seen_at + settings().sessionIdleSeconds * 1000;
}

/** Logout: the row is gone, so the cookie is worthless even if it was copied. */
export function deleteSession(token: string | null | undefined): boolean {
  if (!token || !TOKEN_RE.test(token)) return false;
  return db().prepare('DELETE FROM sessions WHERE id_hash = ?').run(hashToken(token)).changes > 0;
}

// --- the cookie ---------------------------------------------------------------

/** Attributes of the session cookie (ARCHITECTURE.md): no Domain, so host-only. */
export function sessionCookieAttributes(): { path: string; httpOnly: true; sameSite: 'strict'; secure: boolean } {
  return { path: BASE_PATH, httpOnly: true, sameSite: 'strict', secure: !settings().insecureHttp };
}

/** Set-Cookie value for a new session. A browser-session cookie: the server enforces the timeouts. */
export function sessionSetCookie(token: string): string {
  const a = sessionCookieAttributes();
  return [`${SESSION_COOKIE}=${token}`, `Path=${a.path}`, 'HttpOnly', 'SameSite=Strict', ...(a.secure ? ['Secure'] : [])].join('; ');
}

/** Set-Cookie value that removes the session cookie. */
export function clearSessionCookie(): string {
  const a = sessionCookieAttributes();
  return [`${SESSION_COOKIE}=`, `Path=${a.path}`, 'Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'HttpOnly', 'SameSite=Strict', ...(a.secure ? ['Secure'] : [])].join('; ');
}

/** Every jh4f_session value in a Cookie header (a cookie set with a longer path by someone else can come first). */
export function tokensFromCookieHeader(header: string | null | undefined): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === SESSION_COOKIE) out.push(part.slice(eq + 1).trim());
  }
  return out.slice(0, 4);
}

/**
 * The session of a request from its Cookie header. A parent who was removed from
 * jupyterhub_adm loses every session at once, and that is audited.
 */
export function resolveSession(cookieHeader: string | null | undefined, clientAddress?: string): SessionLookup {
  let result: SessionLookup = { status: 'none' };
  for (const token of tokensFromCookieHeader(cookieHeader)) {
    const found = lookupSession(token);
    if (found.status === 'ok') return found;
    if (found.status === 'revoked') {
      audit.record({
        actor: found.username,
        action: 'logout',
        target: found.username,
        outcome: 'ok',
        detail: { reason: 'removed_from_admin_group', group: ADMIN_GROUP },
        clientAddress: clientAddress ?? null,
      });
      result = found;
    }
  }
  return result;
}
