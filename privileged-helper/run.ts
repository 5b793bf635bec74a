// Running system tools: absolute path, argument array, clean environment,
// never a shell, always a timeout.
import { spawnSync } from 'node:child_process';
import { busy, systemError } from './errors';

export const CHILD_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
});

/**
 * Spawn option for every child that runs code of a less trusted account (the
 * hub account, a kid's pip): its own session, so it has no controlling terminal.
 * Without it, a helper started by a person at a terminal hands that terminal to
 * the child, which can open /dev/tty and push keystrokes (TIOCSTI) into the
 * person's shell after the helper exits. (Node's spawnSync honours `detached`;
 * its types only list it for spawn.)
 */
export const NEW_SESSION: { detached: true } = Object.freeze({ detached: true });

/** Debian (bookworm, merged /usr) paths. gpasswd lives in /usr/bin there. */
export const TOOLS = {
  gpasswd: '/usr/bin/gpasswd',
  useradd: '/usr/sbin/useradd',
  userdel: '/usr/sbin/userdel',
  chpasswd: '/usr/sbin/chpasswd',
  logger: '/usr/bin/logger',
} as const;

export interface ToolResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, ms));
}

export function runTool(
  path: string,
  args: readonly string[],
  opts: { input?: Buffer; timeoutMs?: number } = {},
): ToolResult {
  const r = spawnSync(path, [...args], {
    env: { ...CHILD_ENV } as NodeJS.ProcessEnv,
    cwd: '/',
    ...(opts.input ? { input: opts.input, stdio: ['pipe', 'pipe', 'pipe'] as const } : { stdio: ['ignore', 'pipe', 'pipe'] as const }),
    timeout: opts.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 1024 * 1024,
    shell: false,
    windowsHide: true,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') {
    throw systemError(`cannot run ${path}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
  }
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout?.toString('utf8') ?? '',
    stderr: r.stderr?.toString('utf8') ?? '',
    timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT',
  };
}

/** shadow-utils' words for "someone else holds the lock on /etc/passwd, /etc/group, ...". */
export const SHADOW_LOCK_RE = /cannot lock|unable to lock|try again later/i;

export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.at(-1) ?? '').slice(0, 300);
}

/**
 * Run a shadow-utils tool; when it fails because the account files are locked
 * by someone else, retry until waitMs has passed since the first try, then
 * throw busy. Other failures are returned for the caller to judge.
 */
export function runShadowTool(
  path: string,
  args: readonly string[],
  opts: { input?: Buffer; waitMs?: number; retryDelayMs?: number } = {},
): ToolResult {
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  for (;;) {
    const r = runTool(path, args, { input: opts.input });
    if (r.timedOut) throw systemError(`${path} did not finish in time`);
    if (r.status === 0 || !SHADOW_LOCK_RE.test(r.stderr)) return r;
    if (Date.now() >= deadline) {
      throw busy(`the account files are locked by another program (${lastLine(r.stderr)}); try again later`);
    }
    sleepMs(Math.min(opts.retryDelayMs ?? 250, Math.max(0, deadline - Date.now())));
  }
}

/** Throw system_error with the tool's last stderr line unless it succeeded. */
export function expectSuccess(what: string, r: ToolResult): void {
  if (r.status === 0) return;
  const how = r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
  throw systemError(`${what} failed (${how}): ${lastLine(r.stderr) || 'no message'}`);
}
