import 'server-only';
// The only place the panel talks to PAM: node-linux-pam with the service
// jupyterhub-panel (auth, then the account phase that admits only members of
// jupyterhub_adm), PAM_RHOST set to the client address.
//
// Inputs are checked before PAM sees them: node-linux-pam hands C strings to
// PAM, so a NUL would cut a name or password short. Each PAM call holds a libuv
// pool thread while it runs. The panel's PAM service runs pam_unix with `nodelay`
// (system/pam/jupyterhub-panel), so a wrong password holds it for one hash check
// (~25 ms), not for pam_unix's ~2 s failure delay; the delay a failure's answer
// gets is applied by lib/auth/login.ts with a timer instead. At most two PAM calls run
// at once (the machine has two cores, and the pool's other threads stay free for
// file reads); up to 64 wait at most 3 s, attempts from clients that have been
// failing behind the others, newest first once a burst has built a queue
// (lib/auth/limiter.ts); the rest are refused as busy (429).
//
// Locked and expired accounts (SECURITY-CASES.md 20): through the service's auth
// lines (common-auth's, with nodelay) and common-account both end as PAM_AUTH_ERR, like a wrong password
// (pam_unix refuses any '!' hash; an expired account's PAM_ACCT_EXPIRED is
// turned into pam_deny's PAM_AUTH_ERR). So after PAM_AUTH_ERR the panel looks at
// the account's shadow entry (it is in group shadow for PAM anyway) and, only if
// the account is locked or expired, checks the password against the stored hash
// with the system's crypt(3) (perl, part of every Debian). Only the right password
// of a locked or expired account gets its own answer; a wrong one stays
// invalid_credentials, so the answer reveals nothing to someone guessing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { isValidUsername } from '../shared/username-rule';
import { BoundedLimiter, LimiterBusyError } from './limiter';
import { PASSWORD_MAX_CHARS } from '../http/validation';

export const PAM_SERVICE = 'jupyterhub-panel';

/** Linux-PAM return codes the panel cares about (security/_pam_types.h). */
export const PAM = Object.freeze({
  SUCCESS: 0,
  OPEN_ERR: 1,
  SYMBOL_ERR: 2,
  SERVICE_ERR: 3,
  SYSTEM_ERR: 4,
  BUF_ERR: 5,
  PERM_DENIED: 6,
  AUTH_ERR: 7,
  CRED_INSUFFICIENT: 8,
  AUTHINFO_UNAVAIL: 9,
  USER_UNKNOWN: 10,
  MAXTRIES: 11,
  NEW_AUTHTOK_REQD: 12,
  ACCT_EXPIRED: 13,
  CRED_UNAVAIL: 15,
  CRED_EXPIRED: 16,
  CRED_ERR: 17,
  CONV_ERR: 19,
  AUTHTOK_ERR: 20,
  AUTHTOK_EXPIRED: 27,
});

export type PamOutcome = 'ok' | 'invalid_credentials' | 'not_family_admin' | 'account_unavailable' | 'error';

/** PAM's answer -> the panel's. Pure. */
export function mapPamCode(code: number): PamOutcome {
  switch (code) {
    case PAM.SUCCESS:
      return 'ok';
    // Right password, but the account phase said no: pam_access (or
    // pam_succeed_if) in /etc/pam.d/jupyterhub-panel, i.e. not in jupyterhub_adm.
    case PAM.PERM_DENIED:
      return 'not_family_admin';
    case PAM.AUTH_ERR:
    case PAM.USER_UNKNOWN:
    case PAM.MAXTRIES:
    case PAM.CRED_ERR:
    case PAM.CRED_UNAVAIL:
    case PAM.AUTHTOK_ERR:
      return 'invalid_credentials';
    case PAM.ACCT_EXPIRED:
    case PAM.NEW_AUTHTOK_REQD:
    case PAM.AUTHTOK_EXPIRED:
    case PAM.CRED_EXPIRED:
      return 'account_unavailable';
    // CRED_INSUFFICIENT / AUTHINFO_UNAVAIL: pam_unix could not read the shadow
    // entry (the panel account is not in group shadow?): a set-up fault, logged.
    default:
      return 'error';
  }
}

export type PamFunction = (options: { username: string; password: string; serviceName: string; remoteHost: string }) => Promise<number>;

async function realPam(options: Parameters<PamFunction>[0]): Promise<number> {
  // Loaded on first use, so the build and the unit tests never load the native module.
  type Mod = typeof import('node-linux-pam');
  const mod = (await import('node-linux-pam')) as Mod & { default?: Mod };
  const pamAuthenticatePromise = mod.pamAuthenticatePromise ?? mod.default?.pamAuthenticatePromise;
  try {
    return await pamAuthenticatePromise(options);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw error;
  }
}

export interface ShadowStatus {
  locked: boolean;
  expired: boolean;
  /** The stored hash without lock marks ('!'), or null when there is none to check against. */
  hash: string | null;
}

/** One /etc/shadow line -> its lock and expiry state. Pure. */
export function parseShadowLine(line: string, now = Date.now()): ShadowStatus {
  const f = line.split(':');
  const raw = f[1] ?? '';
  const locked = raw.startsWith('!');
  const hash = raw.replace(/^!+/, '');
  const expire = f[7] ?? '';
  const today = Math.floor(now / 86_400_000);
  const expired = expire !== '' && Number.isInteger(Number(expire)) && Number(expire) >= 0 && today >= Number(expire);
  return { locked, expired, hash: hash && hash.startsWith('$') ? hash : null };
}

const deps = {
  pam: realPam as PamFunction,
  shadowFile: '/etc/shadow',
  verifyHash: cryptMatches,
};

/** Tests: replace PAM, the shadow file and the hash check. */
export function setPamDependenciesForTests(override: Partial<typeof deps> | null): void {
  deps.pam = override?.pam ?? realPam;
  deps.shadowFile = override?.shadowFile ?? '/etc/shadow';
  deps.verifyHash = override?.verifyHash ?? cryptMatches;
}

function shadowStatus(username: string): ShadowStatus | null {
  let text: string;
  try {
    text = fs.readFileSync(/*turbopackIgnore: true*/ deps.shadowFile, 'utf8');
  } catch {
    return null; // not readable: the answer stays invalid_credentials
  }
  const line = text.split('\n').find((l) => l.startsWith(`${username}:`));
  return line ? parseShadowLine(line) : null;
}

const PERL = '/usr/bin/perl';
// Reads "HASH\0PASSWORD" on stdin, prints 1 when crypt(PASSWORD, HASH) eq HASH.
const PERL_CHECK =
  'binmode STDIN; local $/; my $in = <STDIN>; my ($h, $p) = split(/\\0/, $in, 2); ' + 'my $c = crypt($p // "", $h); print((defined $c && length $h && $c eq $h) ? "1" : "0");';

/** crypt(3) of the system (yescrypt, sha512, ...) through perl; false on any trouble. */
function cryptMatches(hash: string, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    let out = '';
    let settled = false;
    const done = (value: boolean) => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    const child = spawn(PERL, ['-e', PERL_CHECK], { env: { LC_ALL: 'C' } as unknown as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'ignore'], timeout: 5000 });
    child.on('error', () => done(false));
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('close', (code) => done(code === 0 && out === '1'));
    child.stdin.on('error', () => done(false));
    child.stdin.end(Buffer.concat([Buffer.from(hash, 'utf8'), Buffer.from([0]), Buffer.from(password, 'utf8')]));
  });
}

/** Two at once; 64 waiting for at most 3 s: ~25 ms a check, so a full queue drains in under a second. */
export const PAM_CONCURRENCY = 2;
export const PAM_QUEUE = 64;
export const PAM_MAX_WAIT_MS = 3000;
/** More waiting than this (~50 ms of checks): newest first (lib/auth/limiter.ts, adaptive LIFO). */
export const PAM_LIFO_ABOVE = 4;

// Kept on globalThis: one limiter per process even if Next.js loads this module twice.
const LIMITER_KEY = Symbol.for('jh4f.pam-limiter');
const g = globalThis as { [LIMITER_KEY]?: BoundedLimiter };
export function pamLimiter(): BoundedLimiter {
  return (g[LIMITER_KEY] ??= new BoundedLimiter(PAM_CONCURRENCY, PAM_QUEUE, PAM_MAX_WAIT_MS, PAM_LIFO_ABOVE));
}

/** Queue priority of a PAM check: clients that have been failing wait behind the others. */
export const PAM_PRIORITY = Object.freeze({ normal: 1, failing: 0 });

export class PamBusyError extends Error {
  constructor(readonly reason: string) {
    super(`PAM busy: ${reason}`);
    this.name = 'PamBusyError';
  }
}

export interface PamResult {
  outcome: PamOutcome | 'invalid_input';
  /** The raw PAM code; absent when PAM was not called. */
  pamCode?: number;
  /** Why account_unavailable: 'locked', 'expired' or the PAM code's name. */
  reason?: string;
}

/** Checks a name and password with PAM. Throws PamBusyError when too many logins run at once. */
export async function authenticate(input: { username: string; password: string; remoteHost: string; priority?: number }): Promise<PamResult> {
  const { username, password } = input;
  if (!isValidUsername(username)) return { outcome: 'invalid_input' };
  if (typeof password !== 'string' || password.length === 0 || password.length > PASSWORD_MAX_CHARS || password.includes('\0')) {
    return { outcome: 'invalid_input' };
  }
  // PAM_RHOST is text for logs (pam_access matches it too): keep it plain.
  const remoteHost = /^[0-9A-Fa-f:.]{1,64}$/.test(input.remoteHost) ? input.remoteHost : '';
  try {
    return await pamLimiter().run(async () => {
      const pamCode = await deps.pam({ username, password, serviceName: PAM_SERVICE, remoteHost });
      const outcome = mapPamCode(pamCode);
      if (outcome === 'account_unavailable') return { outcome, pamCode, reason: `pam_code_${pamCode}` };
      if (outcome !== 'invalid_credentials') return { outcome, pamCode };
      const shadow = shadowStatus(username);
      if (shadow && (shadow.locked || shadow.expired) && shadow.hash && (await deps.verifyHash(shadow.hash, password))) {
        return { outcome: 'account_unavailable', pamCode, reason: shadow.locked ? 'locked' : 'expired' };
      }
      return { outcome, pamCode };
    }, input.priority ?? PAM_PRIORITY.normal);
  } catch (error) {
    if (error instanceof LimiterBusyError) throw new PamBusyError(error.reason);
    throw error;
  }
}
