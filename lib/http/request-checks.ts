// The request checks of lib/http/guard.ts that need no I/O: Origin / Fetch metadata
// and content type, Host. Pure, so they are unit-tested directly (SECURITY-CASES.md 15, 33).
import { PublicError } from '../errors/errors';

export interface OriginHeaders {
  origin: string | null;
  secFetchSite: string | null;
}

/** The panel's own origins and Host values, from its configuration (lib/http/panel-origins.ts). */
export interface OwnOrigins {
  /** Serialized origins, lower case. */
  origins: ReadonlySet<string>;
  /** `hostname:port` with the port always written out (443 for https), lower case. */
  hosts: ReadonlySet<string>;
}

/**
 * How much a request must say about where it came from. `signed-in`: a change
 * made with a parent's session cookie (lib/http/guard.ts `guarded`), which must
 * show it came from the panel's own page. `public`: the login and logout, which
 * carry no parent's authority a forged request could borrow.
 */
export type OriginRule = 'signed-in' | 'public';

/**
 * A state-changing request must not come from another page. Refused (403): an
 * Origin that is not one of the panel's own origins, which come from its
 * configuration and never from the request (a page at evil.example that the
 * browser reaches through DNS rebinding sends `Host: evil.example` too; the hub
 * on port 8000 of the same host is another origin, though the same "site");
 * `Origin: null` (sandboxed frames, data: URLs, some redirects); Fetch metadata
 * saying cross-site or same-site.
 *
 * No Origin at all: a signed-in change needs `Sec-Fetch-Site: same-origin`
 * instead (a browser that leaves Origin out still says that), else it is refused
 * with the reason `origin_missing`. The session cookie alone proves nothing
 * about which page sent the request, and "none" (typed into the address bar)
 * is no page of the panel either. A public mutation without Origin passes (curl,
 * tests): the login needs the password, which a forged request does not have,
 * and the logout can do no more than end a session.
 */
export function checkOrigin(h: OriginHeaders, own: OwnOrigins, rule: OriginRule): PublicError | null {
  const site = h.secFetchSite?.trim().toLowerCase();
  if (site && site !== 'same-origin' && site !== 'none') return new PublicError('forbidden_origin');
  if (h.origin === null) {
    if (rule === 'public' || site === 'same-origin') return null;
    return new PublicError('forbidden_origin', { reason: 'origin_missing' });
  }
  const origin = h.origin.trim().toLowerCase();
  if (!origin || origin === 'null' || !own.origins.has(origin)) return new PublicError('forbidden_origin');
  return null;
}

/**
 * Every API request must be addressed to one of the panel's own names (421
 * otherwise). A browser that reaches the panel under a foreign name (DNS
 * rebinding: evil.example resolving to the panel's address) sends that name as
 * Host; such a page would be "same-origin" with itself and could read the
 * panel's answers. A missing Host (HTTP/1.0) is refused as well.
 */
export function checkHost(host: string | null, own: OwnOrigins): PublicError | null {
  const h = host?.trim().toLowerCase() ?? '';
  if (!/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/.test(h)) return new PublicError('misdirected_request');
  let url: URL;
  try {
    url = new URL(`x://${h}`); // a scheme without a default port: the port stays as sent; IPv6 is compressed
  } catch {
    return new PublicError('misdirected_request');
  }
  // No port: the scheme's default (443; 80 on the development server).
  const candidates = url.port ? [`${url.hostname}:${url.port}`] : [`${url.hostname}:443`, `${url.hostname}:80`];
  return candidates.some((c) => own.hosts.has(c)) ? null : new PublicError('misdirected_request');
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
