// The one way the browser calls the panel's JSON API (same origin, the session
// cookie goes along; the guard checks Origin and content type). A lost session
// is handled here the same for every caller: back to the login page, which says
// why (a parent who is no longer in jupyterhub_adm sees that there).
import { BASE_PATH } from '@/lib/constants';

export interface ApiFailure {
  /** The API's error code, 'network' when no answer came, 'internal' when the answer had none. */
  error: string;
  message: string;
  step?: string;
  accountExists?: boolean;
  /** Seconds from a Retry-After header (429, 503). */
  retryAfter?: string;
}

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; failure: ApiFailure };

/** The codes with which a guarded route says "no (longer a) session" (lib/http/guard.ts). */
const SESSION_LOST = new Set(['unauthenticated', 'session_ended', 'not_family_admin']);

export interface ApiOptions {
  /** The sign-in request itself: its 401/403 answer the credentials, they are not a lost session. */
  signingIn?: boolean;
}

export async function api<T>(method: string, path: string, body?: unknown, options: ApiOptions = {}): Promise<ApiResult<T>> {
  const init: RequestInit = { method, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(`${BASE_PATH}${path}`, init);
  } catch {
    return { ok: false, status: 0, failure: { error: 'network', message: '' } };
  }
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.ok) return { ok: true, status: response.status, data: data as T };
  const failure: ApiFailure = {
    error: typeof data.error === 'string' ? data.error : 'internal',
    message: typeof data.message === 'string' ? data.message : '',
    ...(typeof data.step === 'string' ? { step: data.step } : {}),
    ...(typeof data.accountExists === 'boolean' ? { accountExists: data.accountExists } : {}),
    ...(response.headers.has('retry-after') ? { retryAfter: response.headers.get('retry-after') ?? '' } : {}),
  };
  if (!options.signingIn && SESSION_LOST.has(failure.error)) {
    // A full load (not the router): the client's cache of signed-in pages goes too.
    window.location.assign(`${BASE_PATH}/`);
  }
  return { ok: false, status: response.status, failure };
}
