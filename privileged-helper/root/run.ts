// The helper's one way to run a child: absolute path, argument array, clean
// environment, never a shell, always a timeout. runTool for root's own short
// tools (shadow-utils, flock, logger), runRootJob for its long ones (the family
// hub's restart), runAgent for everything that is not root's business, started
// with the ids of the account it belongs to. All three are spawned and awaited,
// never spawnSync: the helper's service is one process, and a child it waited on
// synchronously would hold up every other request (cancels too).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { busy, systemError } from '../common/errors';
import { CHILD_ENV, lastLine, NEW_SESSION, type ToolResult } from '../common/process';

export { CHILD_ENV, lastLine, NEW_SESSION, type ToolResult } from '../common/process';

/** Debian (bookworm, merged /usr) paths. gpasswd lives in /usr/bin there. */
export const TOOLS = {
  gpasswd: '/usr/bin/gpasswd',
  useradd: '/usr/sbin/useradd',
  userdel: '/usr/sbin/userdel',
  chpasswd: '/usr/sbin/chpasswd',
  logger: '/usr/bin/logger',
  runuser: '/usr/sbin/runuser',
  env: '/usr/bin/env',
} as const;

/** The pause between two tries of a bounded wait: ms, or what is left until the deadline. Never blocks. */
export function pauseBeforeRetry(deadline: number, ms: number): Promise<void> {
  return sleep(Math.min(ms, Math.max(0, deadline - Date.now())));
}

/** What runTool keeps of each of a tool's output streams; more is a failure, as spawnSync's maxBuffer was. */
const TOOL_OUTPUT_MAX = 1024 * 1024;
/** After a tool has ended, how long its output pipes may stay open (held by something it started). */
const TOOL_DRAIN_MS = 1000;

/** A tool that cannot start, or whose spawn call itself throws: system_error. */
function cannotRun(path: string, e: unknown): Error {
  return systemError(`cannot run ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'tool_missing', { tool: path });
}

/**
 * Root's short tools: the tool's own stdin input (else none), its output kept up
 * to 1 MiB a stream (more: system_error), killed (SIGKILL) at the timeout, which
 * is then `timedOut`. passFd: a descriptor of ours the tool gets as its fd 3
 * (flock on the lock file). Rejects with system_error when it cannot start.
 */
export function runTool(path: string, args: readonly string[], opts: { input?: Buffer; timeoutMs?: number; passFd?: number } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(path, [...args], {
        env: { ...CHILD_ENV } as NodeJS.ProcessEnv,
        cwd: '/',
        stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(opts.passFd !== undefined ? [opts.passFd] : [])],
        shell: false,
        windowsHide: true,
      });
    } catch (e) {
      reject(cannotRun(path, e));
      return;
    }
    const out: Buffer[][] = [[], []];
    const size = [0, 0];
    let failure: Error | null = null;
    let timedOut = false;
    const kill = () => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    };
    [child.stdout!, child.stderr!].forEach((stream, i) => {
      stream.on('data', (chunk: Buffer) => {
        size[i]! += chunk.length;
        if (size[i]! > TOOL_OUTPUT_MAX) {
          failure ??= systemError(`${path} wrote more than ${TOOL_OUTPUT_MAX} bytes`);
          kill();
          return;
        }
        out[i]!.push(chunk);
      });
    });
    if (opts.input) {
      child.stdin!.on('error', () => undefined); // the tool may end without reading it
      child.stdin!.end(opts.input);
    }
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs ?? 30_000);
    let drain: NodeJS.Timeout | undefined;
    let exit: { status: number | null; signal: NodeJS.Signals | null } | null = null;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(drain);
      child.stdout!.destroy();
      child.stderr!.destroy();
      if (failure) return reject(failure);
      resolve({
        status: exit?.status ?? null,
        signal: exit?.signal ?? null,
        stdout: Buffer.concat(out[0]!).toString('utf8'),
        stderr: Buffer.concat(out[1]!).toString('utf8'),
        timedOut,
      });
    };
    child.on('error', (e) => {
      failure ??= cannotRun(path, e);
      finish();
    });
    child.on('exit', (status, signal) => {
      exit = { status, signal };
      drain = setTimeout(finish, TOOL_DRAIN_MS);
    });
    child.on('close', finish);
  });
}

/** shadow-utils' words for "someone else holds the lock on /etc/passwd, /etc/group, ...". */
export const SHADOW_LOCK_RE = /cannot lock|unable to lock|try again later/i;

/**
 * Run a shadow-utils tool; when it fails because the account files are locked
 * by someone else, retry until waitMs has passed since the first try, then
 * throw busy. Other failures are returned for the caller to judge. It sleeps
 * between tries without blocking: the helper's service answers other requests.
 */
export async function runShadowTool(path: string, args: readonly string[], opts: { input?: Buffer; waitMs?: number; retryDelayMs?: number } = {}): Promise<ToolResult> {
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  for (;;) {
    const r = await runTool(path, args, { input: opts.input });
    if (r.timedOut) throw systemError(`${path} did not finish in time`, 'tool_timed_out', { tool: path });
    if (r.status === 0 || !SHADOW_LOCK_RE.test(r.stderr)) return r;
    if (Date.now() >= deadline) {
      throw busy(`the account files are locked by another program (${lastLine(r.stderr)}); try again later`, 'account_files_locked');
    }
    await pauseBeforeRetry(deadline, opts.retryDelayMs ?? 250);
  }
}

/** Throw system_error with the tool's last stderr line unless it succeeded. */
export function expectSuccess(what: string, r: ToolResult): void {
  if (r.status === 0) return;
  const how = r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
  throw systemError(`${what} failed (${how}): ${lastLine(r.stderr) || 'no message'}`, 'tool_failed', { what, how });
}

// ---- root's long jobs ------------------------------------------------------------------

/** After a cancel or the time limit, how long a job's process group has to end after SIGTERM before SIGKILL. */
const JOB_GRACE_MS = 5000;
/** Where a job's output line is cut (the rest of that line is dropped). */
const JOB_LINE_MAX = 4096;

export interface RootJobOptions {
  /** Each line of the job's stdout or stderr as it comes, without its line end, cut at maxLineBytes. */
  onLine?(line: string, stream: 'stdout' | 'stderr'): void;
  /** Aborted: the job's process group gets SIGTERM, then SIGKILL after graceMs. */
  cancel?: AbortSignal;
  /** Then the same as a cancel. */
  timeoutMs: number;
  graceMs?: number;
  maxLineBytes?: number;
  /** Fixed values of the command's own (apt's DEBIAN_FRONTEND) over the clean environment; never the caller's. */
  env?: Readonly<Record<string, string>>;
}

/**
 * How a job ended: on its own (`exited`: its exit code, or the signal that ended
 * it), or stopped by us (`cancelled`, `timed-out`: then every process of its group
 * has ended, or had SIGKILL at least a second before this was answered).
 */
export interface RootJobEnd {
  readonly end: 'exited' | 'cancelled' | 'timed-out';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Cuts a stream into lines as it comes, each at most max bytes (the rest of a longer line is dropped). */
function lineSplitter(max: number, emit: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let pending = Buffer.alloc(0);
  let cut = false; // the current line was already passed on, cut at max: drop until its end
  return {
    push(chunk) {
      let data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a)) {
        if (!cut) emit(data.subarray(0, Math.min(nl, max)).toString('utf8'));
        cut = false;
        data = data.subarray(nl + 1);
      }
      if (!cut && data.length >= max) {
        emit(data.subarray(0, max).toString('utf8'));
        cut = true;
      }
      pending = cut ? Buffer.alloc(0) : Buffer.from(data);
    },
    end() {
      if (!cut && pending.length) emit(pending.toString('utf8'));
      pending = Buffer.alloc(0);
    },
  };
}

/**
 * Whether any process of the process group pgid still runs. One that has ended
 * but was not yet collected by its reaper (an orphan's is pid 1, which may be
 * slow to) is a zombie that kill(2) still finds: those have ended.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

/**
 * A long root tool (the family hub's restart; apt next), streamed and cancellable:
 * spawned like runTool (absolute path, argument array, CHILD_ENV, cwd /, never a
 * shell, stdin none) but in its own session and process group, so a cancel or the
 * time limit reaches everything it started there (SIGTERM to the group, SIGKILL
 * graceMs later), and answered once that group has ended. A job that ends on its
 * own is answered once its output pipes close (or a second after it exited: what
 * it started in the background, a daemon, is left running and is not waited for).
 * Rejects with system_error when it cannot start.
 */
export function runRootJob(path: string, args: readonly string[], o: RootJobOptions): Promise<RootJobEnd> {
  const graceMs = o.graceMs ?? JOB_GRACE_MS;
  const max = o.maxLineBytes ?? JOB_LINE_MAX;
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(path, [...args], {
        env: { ...CHILD_ENV, ...o.env } as NodeJS.ProcessEnv,
        cwd: '/',
        stdio: ['ignore', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
        ...NEW_SESSION, // its own group: one kill reaches its children too
      });
    } catch (e) {
      reject(cannotRun(path, e));
      return;
    }
    const pgid = child.pid;
    const splitters = (['stdout', 'stderr'] as const).map((name) => {
      const split = lineSplitter(max, (line) => o.onLine?.(line, name));
      child[name]!.on('data', (chunk: Buffer) => split.push(chunk));
      return split;
    });
    let stoppedAs: 'cancelled' | 'timed-out' | null = null;
    let killedAt = 0;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let closed = false;
    let exitedAt = 0;
    let done = false;
    const signalGroup = (sig: NodeJS.Signals) => {
      if (pgid === undefined) return;
      try {
        process.kill(-pgid, sig);
      } catch {
        /* the group has ended */
      }
    };
    const timers: NodeJS.Timeout[] = [];
    const stop = (why: 'cancelled' | 'timed-out') => {
      if (stoppedAs || done) return;
      stoppedAs = why;
      signalGroup('SIGTERM');
      timers.push(
        setTimeout(() => {
          killedAt = Date.now();
          signalGroup('SIGKILL');
        }, graceMs),
      );
    };
    const onCancel = () => stop('cancelled');
    timers.push(setTimeout(() => stop('timed-out'), o.timeoutMs));
    if (o.cancel?.aborted) onCancel();
    else o.cancel?.addEventListener('abort', onCancel, { once: true });

    let poll: NodeJS.Timeout | undefined;
    // Checked when the job's first process exits, when its pipes close, then every 50 ms.
    const settle = () => {
      clearTimeout(poll);
      if (done || !exit) return;
      const now = Date.now();
      // Stopped by us: answered once the whole group has ended, or a second after
      // its SIGKILL (a process in the kernel's uninterruptible sleep is not waited for).
      // Ended on its own: once its pipes close, or a second after it exited.
      const wait = stoppedAs ? pgid !== undefined && groupAlive(pgid) && !(killedAt > 0 && now - killedAt >= 1000) : !closed && now - exitedAt < 1000;
      if (wait) poll = setTimeout(settle, 50);
      else finish();
    };
    function finish(failure?: Error) {
      if (done) return;
      done = true;
      clearTimeout(poll);
      for (const t of timers) clearTimeout(t);
      o.cancel?.removeEventListener('abort', onCancel);
      child.stdout!.destroy();
      child.stderr!.destroy();
      for (const s of splitters) s.end();
      if (failure) return reject(failure);
      resolve({ end: stoppedAs ?? 'exited', exitCode: exit?.code ?? null, signal: exit?.signal ?? null });
    }
    child.on('error', (e) => finish(cannotRun(path, e)));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      exitedAt = Date.now();
      settle();
    });
    child.on('close', () => {
      closed = true;
      settle();
    });
  });
}

// ---- the agent: the helper's work that needs no root ----------------------------------

export const AGENT_PATH = '/usr/libexec/jupyterhub-panel/helper-agent';
/** After the agent has ended (or was killed), how long its last output is still passed on. */
const DRAIN_MS = 1000;
/** After a cancel, how long the agent has to end its own job before it is killed. */
const CANCEL_GRACE_MS = 10_000;
/** How much of the agent's stderr is kept (its end): for the message of a crash only. */
const STDERR_TAIL_BYTES = 2048;

export interface AgentAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface AgentOptions {
  as: AgentAccount;
  /**
   * Through runuser: the account's groups and PAM limits (a kid's pip; the seed
   * hub's start, which needs the groups cron gives it). Otherwise only its uid and
   * gid, no supplementary groups (libuv drops them): reading the hub's files.
   */
  runuser?: boolean;
  /** The agent's whole environment (default: CHILD_ENV with HOME, USER, LOGNAME). */
  env?: Record<string, string>;
  /** Written to the agent's stdin, which is then closed; without it stdin stays open until the cancel. */
  input?: string;
  cancel?: AbortSignal;
  timeoutMs: number;
  /** Where the agent's output goes, byte for byte (the caller's socket or terminal); absent: nowhere. */
  output?(chunk: Buffer): void;
}

/** The agent's command line; through runuser: `runuser -u NAME -- env -i ENV... node AGENT ARGV` (never a shell). Pure. */
export function agentCommand(argv: readonly string[], as: AgentAccount, env: Record<string, string>, runuser: boolean, node = process.execPath, agentPath = AGENT_PATH): string[] {
  const agent = [node, agentPath, ...argv];
  return runuser ? [TOOLS.runuser, '-u', as.name, '--', TOOLS.env, '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...agent] : agent;
}

/** The line of a crash report that says what went wrong: its last "...Error..." line, else its last line. Pure. */
export function lastWords(text: string): string {
  return (
    lastLine(
      text
        .split('\n')
        .filter((l) => /^[A-Za-z]*Error\b/.test(l))
        .join('\n'),
    ) || lastLine(text)
  );
}

/**
 * How the agent ended: its exit code, or why there is none. `said` is the error
 * line of its stderr's end (lastWords: a crash's "TypeError: ...", runuser's
 * complaint): the account's own words, for the message of a failure, never for
 * a decision.
 */
export type AgentEnd = ({ exitCode: number } | { exitCode: null; why: string }) & { said: string };

/**
 * Run the agent (agent/main.ts) as an account. Root reads nothing it writes: its
 * output is that account's data and goes to the caller as it is (the panel
 * validates what it uses); root learns only how it ended, and keeps the end of
 * its stderr for the message when that is a failure. Bounded in time; a
 * cancel ends its stdin, then it is killed if it does not end. Never waits on a
 * pipe the account's processes hold. (agentPath: another program, for the tests.)
 */
export function runAgent(argv: readonly string[], o: AgentOptions, agentPath = AGENT_PATH): Promise<AgentEnd> {
  const env = o.env ?? { ...CHILD_ENV, HOME: o.as.home, USER: o.as.name, LOGNAME: o.as.name };
  const [cmd, ...args] = agentCommand(argv, o.as, env, o.runuser === true, process.execPath, agentPath);
  return new Promise((resolve) => {
    const child = spawn(cmd!, args, {
      env: (o.runuser ? { ...CHILD_ENV } : env) as NodeJS.ProcessEnv,
      cwd: '/',
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(o.runuser ? {} : { uid: o.as.uid, gid: o.as.gid }),
      ...NEW_SESSION, // the account's code gets no terminal (TIOCSTI), and one group to kill
    });
    child.stdout.on('data', (chunk: Buffer) => o.output?.(chunk));
    let stderrTail = Buffer.alloc(0);
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = Buffer.concat([stderrTail, chunk]).subarray(-STDERR_TAIL_BYTES);
    });
    child.stdin.on('error', () => undefined); // the agent may end without reading it
    if (o.input !== undefined) child.stdin.end(o.input);
    let why: string | null = null;
    const kill = (reason: string) => {
      why ??= reason;
      for (const target of [-child.pid!, child.pid!]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    };
    const deadline = setTimeout(() => kill(`did not finish within ${Math.round(o.timeoutMs / 1000)} s`), o.timeoutMs);
    let graceTimer: NodeJS.Timeout | undefined;
    const onCancel = () => {
      child.stdin.end(); // the agent's cancel: it ends its job and answers
      graceTimer = setTimeout(() => kill('cancelled (the agent did not end in time)'), CANCEL_GRACE_MS);
    };
    if (o.cancel?.aborted) onCancel();
    else o.cancel?.addEventListener('abort', onCancel, { once: true });
    let exitCode: number | null = null;
    child.on('error', (e) => {
      why ??= `cannot start the agent: ${(e as NodeJS.ErrnoException).code ?? e.message}`;
      finish();
    });
    child.on('close', () => finish()); // stdout at its end
    child.on('exit', (code, signal) => {
      exitCode = code;
      if (code === null) why ??= `ended by ${signal}`;
      setTimeout(finish, DRAIN_MS); // or not: whoever holds it is not waited for
    });
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(graceTimer);
      o.cancel?.removeEventListener('abort', onCancel);
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdin.destroy();
      const said = lastWords(stderrTail.toString('utf8'));
      resolve(why === null && exitCode !== null ? { exitCode, said } : { exitCode: null, why: `the helper agent as ${o.as.name} ${why ?? 'ended without an exit code'}`, said });
    }
  });
}
