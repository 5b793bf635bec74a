// The request checks of lib/guard.ts that need no I/O: Origin / Fetch metadata
// and content type. Pure, so they are unit-tested directly (SECURITY-CASES.md 15).
import { PublicError } from './errors';

export interface OriginHeaders {
  origin: string | null;
  host: string | null;
  secFetchSite: string | null;
}

/**
 * A state-changing request must not come from another page. Refused (403):
 * an Origin that is not exactly `${scheme}://${Host}` (the hub on port 8000 of
 * the same host is another origin, though the same "site"), `Origin: null`
 * (sandboxed frames, data: URLs, some redirects), and Fetch metadata saying
 * cross-site or same-site. No Origin at all is a non-browser client (curl,
 * tests): it still needs the session cookie, which only the browser holds.
 */
export function checkOrigin(h: OriginHeaders, scheme: 'https' | 'http'): PublicError | null {
  const site = h.secFetchSite?.trim().toLowerCase();
  if (site && site !== 'same-origin' && site !== 'none') return new PublicError('forbidden_origin');
  if (h.origin === null) return null;
  const origin = h.origin.trim().toLowerCase();
  if (!origin || origin === 'null') return new PublicError('forbidden_origin');
  const host = h.host?.trim().toLowerCase();
  if (!host || origin !== `${scheme}://${host}`) return new PublicError('forbidden_origin');
  return null;
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string | null): string | null {
  if (!contentType) return null;
  return contentType.split(';')[0]!.trim().toLowerCase() || null;
}

/**
 * Bodies must be JSON, declared as such: a form or `text/plain` POST (which a
 * foreign page can send without a CORS preflight) is refused with 415, even if
 * its text happens to be JSON. POST/PUT/PATCH always need the header; DELETE
 * only when it carries a body.
 */
export function checkContentType(method: string, contentType: string | null, contentLength: string | null): PublicError | null {
  const m = method.toUpperCase();
  const length = contentLength === null ? 0 : Number(contentLength);
  const needsJson = METHODS_WITH_BODY.has(m) || (m === 'DELETE' && length > 0);
  if (!needsJson) return null;
  return mediaType(contentType) === 'application/json' ? null : new PublicError('unsupported_media_type');
}

/** Parses a JSON body; an empty body is `undefined`. Throws PublicError invalid_input. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PublicError('invalid_input', { fields: { _: 'invalid_json' } });
  }
}
