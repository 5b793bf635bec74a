// Running the kid's pip in the agent (which already runs as the kid):
// cancellable, bounded, and every process it starts ended with it. One entry
// point: runJob().
//
// The program runs the account's own code (pip runs the kid's site-packages: a
// .pth file is executed at every Python start), so it may fork daemons, leave
// its process group and session, keep our output pipes open, ignore SIGTERM or
// hang. Hence:
// - it is spawned (not spawnSync), so a cancel or the time limit can act at any
//   moment; both end the job (SIGTERM, then SIGKILL after KILL_GRACE_MS);
// - nothing waits on the output pipes: when the program itself has ended (or
//   was ended), whatever of its job is left is killed, output already written
//   is read for at most DRAIN_MS, then our ends of the pipes are closed;
// - "its job" is found by Job below: the session and process group the program
//   starts in (it is spawned detached, so it leads both), plus any process of the
//   account that still holds one of the job's output pipes (found in /proc/*/fd by
//   the pipes' inodes, which is how a daemon that called setsid() is caught). All
//   of them are the kid's own processes, which the agent, being the kid, may
//   signal and look at; root is not needed for any of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** After SIGTERM, how long the job has before SIGKILL. */
export const KILL_GRACE_MS = 2_000;
/** After the program has ended and its leftovers are killed, how long buffered output is still read. */
export const DRAIN_MS = 1_000;
/** SIGKILL rounds for a job that keeps forking, and the pause between them. */
const KILL_ROUNDS = 20;
const KILL_ROUND_PAUSE_MS = 50;
/** A line longer than this is passed on in pieces (pip's lines are short). */
const MAX_PENDING = 64 * 1024;

export interface RunJobOptions {
  /** The caller's cancel: aborting ends the job; its reason is reported in `stopped`. */
  readonly signal: AbortSignal;
  /** The longest the program may run; then it is ended as by a cancel. */
  readonly timeoutMs: number;
  /** Each line of output (stdout and stderr), as it comes; \r also ends a line. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Keep up to this many bytes of stdout in the result (for output that is parsed, like pip list's JSON). */
  readonly keepStdoutBytes?: number;
}

export interface RunJobResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the job was ended before the program finished: the cancel's reason or the time limit; null when it ended by itself. */
  readonly stopped: string | null;
  /** True when the cancel (not the time limit) stopped it. */
  readonly cancelled: boolean;
  readonly stdout: string;
  /** stdout was longer than keepStdoutBytes (the rest was dropped). */
  readonly stdoutOverflow: boolean;
  /** Processes of the job still running after the program had ended, which were killed. */
  readonly leftBehind: number;
  /** The program could not be started (errno code), or null. */
  readonly spawnError: string | null;
}

// ---- /proc: which processes belong to a job (pure parts are unit-tested) ---------------

export interface ProcFacts {
  readonly pid: number;
  /** Real uid (the first field of Uid: in /proc/PID/status). */
  readonly ruid: number;
  readonly pgrp: number;
  readonly session: number;
  /** One letter: R, S, D, T, Z, ... */
  readonly state: string;
  /** Inodes of the pipes and sockets among its open fds ("socket:[123]" -> "socket:123"). */
  readonly fds: readonly string[];
}

export interface JobIdentity {
  readonly uid: number;
  /** Process group and session id of the job (the spawned runuser's pid). */
  readonly pgid: number;
  readonly sid: number;
  /** The job's output pipes, as fdTarget() names them. */
  readonly pipes: ReadonlySet<string>;
}

/** State, process group and session from /proc/PID/stat (the command name may hold spaces and parentheses). Pure. */
export function parseStat(text: string): { state: string; pgrp: number; session: number } | null {
  const close = text.lastIndexOf(')');
  if (close === -1) return null;
  const f = text.slice(close + 2).split(' ');
  // After "pid (comm) ": state ppid pgrp session ...
  const pgrp = Number(f[2]);
  const session = Number(f[3]);
  if (!f[0] || !Number.isInteger(pgrp) || !Number.isInteger(session)) return null;
  return { state: f[0], pgrp, session };
}

/** The real uid from /proc/PID/status. Pure. */
export function realUid(status: string): number | null {
  const m = /^Uid:\s+(\d+)\s/m.exec(status);
  return m ? Number(m[1]) : null;
}

/** "pipe:[123]" / "socket:[123]" (a readlink of /proc/PID/fd/N) -> "pipe:123"; anything else: null. Pure. */
export function fdTarget(link: string): string | null {
  const m = /^(pipe|socket):\[(\d+)\]$/.exec(link);
  return m ? `${m[1]}:${m[2]}` : null;
}

/** The processes of a /proc snapshot that belong to the job and may be signalled one by one. Pure. */
export function jobMembers(procs: readonly ProcFacts[], job: JobIdentity, self = process.pid): number[] {
  return procs
    .filter((p) => p.pid !== self && p.ruid === job.uid && p.state !== 'Z' && (p.pgrp === job.pgid || p.session === job.sid || p.fds.some((f) => job.pipes.has(f))))
    .map((p) => p.pid);
}

/** The live processes of one account, from /proc (fds only read for those). */
function snapshot(uid: number): ProcFacts[] {
  const out: ProcFacts[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (realUid(readFileSync(`/proc/${name}/status`, 'utf8')) !== uid) continue;
      const stat = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (!stat) continue;
      const fds: string[] = [];
      for (const fd of readdirSync(`/proc/${name}/fd`)) {
        try {
          const t = fdTarget(readlinkSync(`/proc/${name}/fd/${fd}`));
          if (t) fds.push(t);
        } catch {
          /* closed meanwhile */
        }
      }
      out.push({ pid: Number(name), ruid: uid, ...stat, fds });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function kill(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // gone already
  }
}

/** One run's processes (see the top of this file; the place for a systemd scope). */
class Job {
  private readonly id: JobIdentity;
  constructor(child: ChildProcess, uid: number) {
    const pid = child.pid!;
    // The program's fds 1 and 2 are the job's ends of the pipes. Read now, before
    // the account's code (a .pth) can have forked.
    const pipes = new Set<string>();
    for (const fd of [1, 2]) {
      try {
        const t = fdTarget(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (t) pipes.add(t);
      } catch {
        /* it ended at once: session and group still identify what is left */
      }
    }
    this.id = { uid, pgid: pid, sid: pid, pipes };
  }

  members(): number[] {
    return jobMembers(snapshot(this.id.uid), this.id);
  }

  /** Send sig to the whole job. */
  signal(sig: NodeJS.Signals): void {
    kill(-this.id.pgid, sig);
    for (const pid of this.members()) kill(pid, sig);
  }

  /** SIGKILL until none is left (bounded). Returns how many processes were found still there. */
  async kill(): Promise<number> {
    const seen = new Set<number>();
    for (let round = 0; round < KILL_ROUNDS; round++) {
      kill(-this.id.pgid, 'SIGKILL');
      const left = this.members();
      if (left.length === 0) break;
      for (const pid of left) {
        seen.add(pid);
        kill(pid, 'SIGKILL');
      }
      await pause(KILL_ROUND_PAUSE_MS);
    }
    return seen.size;
  }
}

function reasonText(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (typeof r === 'string') return r;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  return 'cancelled';
}

/**
 * Run argv (an absolute path and its arguments) with this agent's environment
 * (the kid's clean one). Resolves when the program has ended and nothing of its
 * job is left (or could be reached); never rejects.
 */
export function runJob(argv: readonly string[], opts: RunJobOptions): Promise<RunJobResult> {
  const base = { exitCode: null, signal: null, stdout: '', stdoutOverflow: false, leftBehind: 0, spawnError: null };
  if (opts.signal.aborted) return Promise.resolve({ ...base, stopped: reasonText(opts.signal), cancelled: true });

  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: process.env,
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own session and process group: no controlling terminal for the
      // account's code (TIOCSTI), and one group to signal.
      detached: true,
      shell: false,
    });
    const job = child.pid !== undefined ? new Job(child, process.getuid!()) : null;

    let stopped: string | null = null;
    let cancelled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let spawnError: string | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    let ending = false;
    const keep = opts.keepStdoutBytes ?? 0;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let overflow = false;

    const stop = (why: string, byCancel: boolean) => {
      if (stopped !== null || ending) return;
      stopped = why;
      cancelled = byCancel;
      job?.signal('SIGTERM');
      killTimer = setTimeout(() => void job?.kill(), KILL_GRACE_MS);
    };
    const limit = opts.timeoutMs >= 120_000 ? `${Math.round(opts.timeoutMs / 60_000)} minutes` : `${Math.round(opts.timeoutMs / 1000)} s`;
    const deadline = setTimeout(() => stop(`did not finish within ${limit}`, false), opts.timeoutMs);
    const onAbort = () => stop(reasonText(opts.signal), true);
    opts.signal.addEventListener('abort', onAbort, { once: true });

    const streams = [
      { stream: child.stdout!, name: 'stdout' as const, pending: '', ended: false, decoder: new StringDecoder('utf8') },
      { stream: child.stderr!, name: 'stderr' as const, pending: '', ended: false, decoder: new StringDecoder('utf8') },
    ];
    let drained: (() => void) | null = null;
    for (const s of streams) {
      const flush = (all: boolean) => {
        let nl: number;
        while ((nl = s.pending.search(/[\r\n]/)) !== -1) {
          const line = s.pending.slice(0, nl);
          s.pending = s.pending.slice(nl + 1);
          if (line) opts.onLine?.(line, s.name);
        }
        if (all || s.pending.length > MAX_PENDING) {
          if (s.pending) opts.onLine?.(s.pending, s.name);
          s.pending = '';
        }
      };
      s.stream.on('data', (chunk: Buffer) => {
        if (s.name === 'stdout' && keep > 0) {
          if (keptBytes + chunk.length <= keep) {
            kept.push(chunk);
            keptBytes += chunk.length;
          } else overflow = true;
        }
        s.pending += s.decoder.write(chunk);
        flush(false);
      });
      const done = () => {
        if (s.ended) return;
        s.ended = true;
        s.pending += s.decoder.end();
        flush(true);
        if (streams.every((x) => x.ended)) drained?.();
      };
      s.stream.on('end', done);
      s.stream.on('close', done);
      s.stream.on('error', done);
    }

    const finish = async () => {
      if (ending) return;
      ending = true;
      clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      opts.signal.removeEventListener('abort', onAbort);
      // The program has ended: anything of its job still running was left behind.
      const leftBehind = job ? await job.kill() : 0;
      // Output already written is still in the pipes; read it, but wait for no one.
      if (!streams.every((s) => s.ended)) {
        await new Promise<void>((r) => {
          const giveUp = setTimeout(r, DRAIN_MS);
          drained = () => {
            clearTimeout(giveUp);
            r();
          };
        });
      }
      for (const s of streams) s.stream.destroy();
      resolve({
        exitCode,
        signal: exitSignal,
        stopped,
        cancelled,
        stdout: Buffer.concat(kept).toString('utf8'),
        stdoutOverflow: overflow,
        leftBehind,
        spawnError,
      });
    };

    child.on('error', (e) => {
      spawnError = (e as NodeJS.ErrnoException).code ?? e.message;
      if (child.pid === undefined) void finish();
    });
    child.on('exit', (code, sig) => {
      exitCode = code;
      exitSignal = sig;
      void finish();
    });
  });
}
