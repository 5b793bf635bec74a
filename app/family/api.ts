// Browser-side calls to the panel's JSON API (same origin, the session cookie
// goes along; the guard checks Origin and content type).

export interface ApiFailure {
  error: string;
  message: string;
  step?: string;
  accountExists?: boolean;
}

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; failure: ApiFailure };

export async function api<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  const init: RequestInit = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(`/panel${path}`, init);
  } catch {
    return { ok: false, status: 0, failure: { error: 'network', message: '' } };
  }
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status === 401) {
    // The session ended: back to the login page.
    window.location.assign('/panel/');
  }
  if (response.ok) return { ok: true, status: response.status, data: data as T };
  return {
    ok: false,
    status: response.status,
    failure: {
      error: typeof data.error === 'string' ? data.error : 'internal',
      message: typeof data.message === 'string' ? data.message : '',
      ...(typeof data.step === 'string' ? { step: data.step } : {}),
      ...(typeof data.accountExists === 'boolean' ? { accountExists: data.accountExists } : {}),
    },
  };
}

export function familyNotice(notice: string, user: string): string {
  return `/panel/family?notice=${encodeURIComponent(notice)}&user=${encodeURIComponent(user)}`;
}
