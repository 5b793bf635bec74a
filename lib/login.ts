import 'server-only';
// The login and logout use cases (POST and DELETE /api/session). Throttle, PAM,
// the panel's own membership check, a new session, and an audit row for every
// outcome, with the client address.
import { audit } from './audit';
import { ADMIN_GROUP } from './constants';
import { PublicError } from './errors';
import { authenticate, PamBusyError } from './pam';
import { createSession, deleteSession, type Session } from './session';
import { throttle } from './throttle';
import { isGroupMember } from './unix-accounts';

/** Retry-After for a login refused because too many PAM checks were running. */
export const PAM_BUSY_RETRY_SECONDS = 2;

export interface LoginRequest {
  username: string;
  password: string;
  clientAddress: string;
  userAgent?: string;
  /** Session cookies that came with the request: they are never reused, only deleted. */
  presentedTokens?: string[];
}

export interface LoginResult {
  token: string;
  session: Session;
}

export async function login(req: LoginRequest): Promise<LoginResult> {
  const { username, clientAddress } = req;
  const base = { target: username, clientAddress };

  const verdict = throttle.check(username, clientAddress);
  if (verdict.blocked) {
    audit.record({ ...base, actor: null, action: 'login_throttled', outcome: 'refused', detail: { scope: verdict.scope, retryAfterSeconds: verdict.retryAfterSeconds } });
    throw new PublicError('too_many_attempts', { retryAfterSeconds: verdict.retryAfterSeconds });
  }

  let result;
  try {
    result = await authenticate({ username, password: req.password, remoteHost: clientAddress });
  } catch (error) {
    if (error instanceof PamBusyError) {
      audit.record({ ...base, actor: null, action: 'login_throttled', outcome: 'refused', detail: { scope: 'pam_busy', reason: error.reason, retryAfterSeconds: PAM_BUSY_RETRY_SECONDS } });
      throw new PublicError('too_many_attempts', { retryAfterSeconds: PAM_BUSY_RETRY_SECONDS });
    }
    audit.record({ ...base, actor: null, action: 'login_failed', outcome: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw new PublicError('auth_unavailable', { cause: error });
  }

  const refuse = (code: 'invalid_credentials' | 'not_family_admin' | 'account_unavailable' | 'invalid_input', detail: Record<string, unknown>): never => {
    const next = throttle.failure(username, clientAddress);
    audit.record({
      ...base,
      actor: null,
      action: 'login_failed',
      outcome: code === 'invalid_credentials' ? 'failed' : 'refused',
      detail: { reason: code, ...detail, ...(next.blocked ? { throttledForSeconds: next.retryAfterSeconds } : {}) },
    });
    throw new PublicError(code);
  };

  switch (result.outcome) {
    case 'ok':
      break;
    case 'invalid_input':
      return refuse('invalid_input', { pamCalled: false });
    case 'invalid_credentials':
      return refuse('invalid_credentials', { pamCode: result.pamCode });
    case 'not_family_admin':
      return refuse('not_family_admin', { pamCode: result.pamCode, checkedBy: 'pam' });
    case 'account_unavailable':
      return refuse('account_unavailable', { pamCode: result.pamCode, why: result.reason });
    default:
      audit.record({ ...base, actor: null, action: 'login_failed', outcome: 'failed', detail: { pamCode: result.pamCode }, error: `PAM error ${String(result.pamCode)}` });
      throw new PublicError('auth_unavailable', { cause: new Error(`PAM answered code ${String(result.pamCode)} for ${username}`) });
  }

  // PAM's account phase admits only jupyterhub_adm; the panel checks again on its own.
  if (!isGroupMember(username, ADMIN_GROUP)) return refuse('not_family_admin', { pamCode: result.pamCode, checkedBy: 'panel' });

  throttle.success(username);
  for (const token of req.presentedTokens ?? []) deleteSession(token);
  const created = createSession(username, { clientAddress, userAgent: req.userAgent });
  audit.record({ ...base, actor: username, action: 'login', outcome: 'ok' });
  return created;
}

export function logout(session: Session | null, tokens: string[], clientAddress: string): void {
  let ended = false;
  for (const token of tokens) ended = deleteSession(token) || ended;
  if (session || ended) {
    audit.record({ actor: session?.username ?? null, action: 'logout', target: session?.username ?? null, outcome: 'ok', clientAddress });
  }
}

/** Audits a login whose input failed the schema (SECURITY-CASES.md 5): no PAM call was made. */
export function loginInputRefused(body: unknown, fields: Record<string, string>, clientAddress: string): void {
  const raw = body && typeof body === 'object' ? (body as { username?: unknown }).username : undefined;
  const target = typeof raw === 'string' ? raw.slice(0, 64) : null;
  audit.record({ actor: null, action: 'login_failed', target, outcome: 'refused', detail: { reason: 'invalid_input', fields, pamCalled: false }, clientAddress });
  // A flood of malformed logins counts against the address like any other failure.
  throttle.failure(null, clientAddress);
}
