import 'server-only';
// Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies";
// docs/ARCHITECTURE.md "Login throttling"). A browser in which a parent signed in
// carries a cookie signed by the panel for that parent. Her next login with it is
// counted on that device alone, so someone failing at her address (a kid at the
// family computer) never locks her out. The cookie opens nothing by itself: it
// only changes which throttle counter an attempt with a password is held to.
//
//   name   jh4f_device_<username>   one per parent: two parents can share a browser
//   value  v1.<nonce>.<mac>         nonce: 16 random bytes, base64url
//                                   mac: base64url HMAC-SHA256(key, "jh4f-device\0" + username + "\0" + nonce)
//
// Stateless: the panel keeps no list of cookies, only the key (panel.db
// panel_keys, 32 random bytes made on first use). Anything that does not verify
// is ignored as if absent, never an error.
import crypto from 'node:crypto';
import { db, type Db } from '../store/db';
import { isValidUsername } from '../shared/username-rule';
import { sessionCookieAttributes } from './session';

export const DEVICE_COOKIE_PREFIX = 'jh4f_device_';
/** 180 days: a family computer is used for years, a parent signs in now and then. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 24 * 60 * 60;
const VERSION = 'v1';
const KEY_NAME = 'device_cookie_hmac';
const NONCE_RE = /^[A-Za-z0-9_-]{22}$/; // 16 bytes
const MAC_RE = /^[A-Za-z0-9_-]{43}$/; // 32 bytes

export function deviceCookieName(username: string): string {
  return `${DEVICE_COOKIE_PREFIX}${username}`;
}

// The key is read once per connection (tests swap connections; production has one).
const keys = new WeakMap<Db, Buffer>();

/** The HMAC key, made once (INSERT OR IGNORE: whichever write came first is the key). */
export function deviceKey(): Buffer {
  const conn = db();
  let key = keys.get(conn);
  if (!key) {
    conn.prepare('INSERT OR IGNORE INTO panel_keys (name, value, created_at) VALUES (?, ?, ?)').run(KEY_NAME, crypto.randomBytes(32), Date.now());
    key = conn.prepare('SELECT value FROM panel_keys WHERE name = ?').pluck().get(KEY_NAME) as Buffer;
    keys.set(conn, key);
  }
  return key;
}

function mac(key: Buffer, username: string, nonce: string): string {
  return crypto.createHmac('sha256', key).update(`jh4f-device\0${username}\0${nonce}`, 'utf8').digest('base64url');
}

/** A new device cookie value for a parent (a fresh nonce each time). */
export function signDeviceCookie(username: string, key: Buffer = deviceKey()): string {
  const nonce = crypto.randomBytes(16).toString('base64url');
  return `${VERSION}.${nonce}.${mac(key, username, nonce)}`;
}

/**
 * The nonce of a device cookie value when it is ours for this name: the right
 * version, shape and signature. Null for anything else (another name, another
 * key, a changed character, another version). The mac is compared as text in
 * constant time: its last base64url character carries 2 unused bits, so
 * comparing the decoded bytes would accept a changed character there.
 */
export function verifyDeviceCookie(username: string, value: string, key: Buffer = deviceKey()): string | null {
  const parts = value.split('.');
  if (parts.length !== 3) return null;
  const [version, nonce, presented] = parts as [string, string, string];
  if (version !== VERSION || !NONCE_RE.test(nonce) || !MAC_RE.test(presented)) return null;
  const expected = mac(key, username, nonce);
  return crypto.timingSafeEqual(Buffer.from(expected, 'ascii'), Buffer.from(presented, 'ascii')) ? nonce : null;
}

/**
 * The device (its nonce) of a login for this name, from the request's Cookie
 * header: the first jh4f_device_<name> value that verifies, else null. A
 * cookie under another name is never looked at.
 */
export function trustedDeviceOf(cookieHeader: string | null | undefined, username: string, key?: Buffer): string | null {
  if (!cookieHeader || !isValidUsername(username)) return null;
  const name = deviceCookieName(username);
  let seen = 0;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    // A few values at most (another path can set the same name); more are not read.
    if (++seen > 4) break;
    const nonce = verifyDeviceCookie(username, part.slice(eq + 1).trim(), key ?? deviceKey());
    if (nonce) return nonce;
  }
  return null;
}

/**
 * Set-Cookie for a parent's device cookie: the session cookie's attributes
 * (host-only, Path=/panel, HttpOnly, SameSite=Strict, Secure), and a Max-Age,
 * since it must outlive the browser session. Logout leaves it: that is its point.
 */
export function deviceSetCookie(username: string, value: string): string {
  const a = sessionCookieAttributes();
  return [`${deviceCookieName(username)}=${value}`, `Path=${a.path}`, `Max-Age=${DEVICE_COOKIE_MAX_AGE_SECONDS}`, 'HttpOnly', 'SameSite=Strict', ...(a.secure ? ['Secure'] : [])].join('; ');
}
