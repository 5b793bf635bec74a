import 'server-only';
// The login and logout use cases (POST and DELETE /api/session). Per-client slot,
// throttle (counted when the attempt starts), PAM, the panel's own membership
// check, a new session, and an audit row for every outcome, with the client
// address. A login with a device cookie that verified for its name is a trusted
// attempt (device-cookie.ts): counted for that device alone; its audit rows say
// so. docs/ARCHITECTURE.md "Login throttling" has the model and its numbers.
import { audit } from '../store/audit';
import { ADMIN_GROUP } from '../constants';
import { PublicError } from '../errors/errors';
import { KeyedSlots } from './limiter';
import { authenticate, PAM_PRIORITY, PamBusyError } from './pam';
import { createSession, deleteSession, type Session } from './session';
import { signDeviceCookie } from './device-cookie';
import { addressKey, throttle, type Attempt } from './throttle';
import { isGroupMember } from '../accounts/unix-accounts';

/** Retry-After for a login refused because too many PAM checks were waiting. */
export const PAM_BUSY_RETRY_SECONDS = 2;
/** Logins one client may have open at once, from the start until the answer is sent. */
export const PENDING_PER_ADDRESS = 2;

/**
 * A failed login is answered no sooner than this after it started: pam_unix's own
 * ~2 s delay is off (`nodelay`, it held a thread), this one is a timer. With
 * PENDING_PER_ADDRESS it limits one client to two guesses a second before any
 * counter blocks it, and every failure (unknown name, wrong password, locked,
 * not a parent) takes the same time, whatever PAM took.
 */
export const timing = { failureAnswerMs: 1000 };

// Kept on globalThis: one set of slots per process even if Next.js loads this module twice.
const SLOTS_KEY = Symbol.for('jh4f.login-slots');
const g = globalThis as { [SLOTS_KEY]?: KeyedSlots };
export function loginSlots(): KeyedSlots {
  return (g[SLOTS_KEY] ??= new KeyedSlots(PENDING_PER_ADDRESS));
}

export interface LoginRequest {
  username: string;
  password: string;
  clientAddress: string;
  userAgent?: string;
  /** Session cookies that came with the request: they are never reused, only deleted. */
  presentedTokens?: string[];
  /** The nonce of a device cookie that verified for this username (trustedDeviceOf), if one came. */
  device?: string | null;
}

export interface LoginResult {
  token: string;
  session: Session;
  /** A new device cookie value for this parent (a fresh nonce at every login). */
  deviceCookie: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function login(req: LoginRequest): Promise<LoginResult> {
  const { username, clientAddress } = req;
  const started = Date.now();
  const base = { target: username, clientAddress };
  const throttled = (detail: Record<string, unknown>, retryAfterSeconds: number): never => {
    audit.record({ ...base, actor: null, action: 'login_throttled', outcome: 'refused', detail: { ...detail, retryAfterSeconds } });
    throw new PublicError('too_many_attempts', { retryAfterSeconds });
  };

  // One client cannot have more than two logins in flight: the rest of a burst
  // from one address is refused at once, never queued for PAM.
  const release = loginSlots().tryAcquire(addressKey(clientAddress));
  if (!release) return throttled({ scope: 'address_busy' }, Math.ceil(timing.failureAnswerMs / 1000));
  try {
    return await attempt(req, base, started, throttled);
  } finally {
    release();
  }
}

async function attempt(
  req: LoginRequest,
  base: { target: string; clientAddress: string },
  started: number,
  throttled: (detail: Record<string, unknown>, retryAfterSeconds: number) => never,
): Promise<LoginResult> {
  const { username, clientAddress } = req;
  const gate = throttle.begin(username, clientAddress, started, req.device);
  if (!gate.admitted) return throttled({ scope: gate.scope }, gate.retryAfterSeconds);
  const counted: Attempt = gate.attempt;
  // Whether this attempt was held to its device's counter only; never the nonce itself.
  const trust = counted.device ? { trustedDevice: true } : {};

  let result;
  try {
    result = await authenticate({
      username,
      password: req.password,
      remoteHost: clientAddress,
      priority: counted.failing ? PAM_PRIORITY.failing : PAM_PRIORITY.normal,
    });
  } catch (error) {
    throttle.cancelled(counted); // no password was checked
    if (error instanceof PamBusyError) return throttled({ scope: 'pam_busy', reason: error.reason, ...trust }, PAM_BUSY_RETRY_SECONDS);
    audit.record({ ...base, actor: null, action: 'login_failed', outcome: 'failed', detail: trust, error: error instanceof Error ? error.message : String(error) });
    throw new PublicError('auth_unavailable', { cause: error });
  }

  // Counted already when it started; a failure is answered after the same delay.
  const refuse = async (code: 'invalid_credentials' | 'not_family_admin' | 'account_unavailable' | 'invalid_input', detail: Record<string, unknown>): Promise<never> => {
    const blocks = Object.keys(counted.blocks).length ? { blocks: counted.blocks } : {};
    audit.record({
      ...base,
      actor: null,
      action: 'login_failed',
      outcome: code === 'invalid_credentials' ? 'failed' : 'refused',
      detail: { reason: code, ...detail, ...blocks, ...trust },
    });
    const wait = started + timing.failureAnswerMs - Date.now();
    if (wait > 0) await sleep(wait);
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
      throttle.cancelled(counted);
      audit.record({ ...base, actor: null, action: 'login_failed', outcome: 'failed', detail: { pamCode: result.pamCode, ...trust }, error: `PAM error ${String(result.pamCode)}` });
      throw new PublicError('auth_unavailable', { cause: new Error(`PAM answered code ${String(result.pamCode)} for ${username}`) });
  }

  // PAM's account phase admits only jupyterhub_adm; the panel checks again on its own.
  if (!isGroupMember(username, ADMIN_GROUP)) return refuse('not_family_admin', { pamCode: result.pamCode, checkedBy: 'panel' });

  throttle.succeeded(counted);
  for (const token of req.presentedTokens ?? []) deleteSession(token);
  const created = createSession(username, { clientAddress, userAgent: req.userAgent });
  audit.record({ ...base, actor: username, action: 'login', outcome: 'ok', ...(counted.device ? { detail: trust } : {}) });
  return { ...created, deviceCookie: signDeviceCookie(username) };
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
  throttle.malformed(clientAddress);
}
