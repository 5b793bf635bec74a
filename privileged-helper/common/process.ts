// How the helper's two parts start a child: absolute path, argument array, clean
// environment, never a shell, always a timeout. The constants and types are
// shared by root (root/run.ts) and the agent (agent/). The blocking runToolSync
// and sleepMs are the agent's alone (one short process per request, it may
// block): root's service is one process for every request, so root code awaits
// its children (root/run.ts) and never imports these two.
import { spawnSync } from 'node:child_process';
import { systemError } from './errors';

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

export function runToolSync(path: string, args: readonly string[], opts: { input?: Buffer; timeoutMs?: number; passFd?: number } = {}): ToolResult {
  const r = spawnSync(path, [...args], {
    env: { ...CHILD_ENV } as NodeJS.ProcessEnv,
    cwd: '/',
    // passFd: a descriptor of ours the tool gets as its fd 3 (flock on the lock file).
    stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(opts.passFd !== undefined ? [opts.passFd] : [])],
    ...(opts.input ? { input: opts.input } : {}),
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

export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.at(-1) ?? '').slice(0, 300);
}
