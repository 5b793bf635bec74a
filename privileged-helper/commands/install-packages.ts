// install-packages USER --actor NAME: as USER (never as root), with a clean
// environment, `python3 -m pip install --user` of the packages configured in
// /etc/jupyterhub-panel/packages.json (default: jupyterhub==<hub version>,
// jupyterlab, notebook) -- what the hub's spawn wrapper does at the first spawn,
// done ahead of time. Progress lines while pip runs:
//   {"progress":{"phase":"collecting"|"downloading"|"installing"|"done","package":..,"bytes"?:..}}
//   {"progress":{"log":"<one line of pip's output>"}}
// and at the end {"ok":true,"changed":..,"installed":{name:version},"skipped":[..]}.
// pip failing: {"ok":false,"error":"system_error","message":..,"tail":[last 20 lines]}.
//
// The state checks (exists, unprotected, member of jupyterhub; actor is a parent)
// run under the helper lock; the lock is then released, so a long install does
// not hold up add-member and friends.
//
// Bounded and cancellable: pip runs in its own process group; the helper stops
// it (SIGTERM, then SIGKILL after 5 s) when 30 minutes have passed, when it gets
// SIGTERM/SIGHUP/SIGINT (a person at a terminal), when its stdin is a pipe and
// that pipe reaches end-of-file (the panel's cancel: it closes the pipe; it
// cannot signal a root process), or when its parent goes away (the panel killed:
// the pipe closes too, and process.ppid changes). Then it answers system_error
// with "cancelled: ...".
import { spawn, spawnSync } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { readSystemState, type Account } from '../accounts';
import type { Command, CommandContext } from '../context';
import { HelperFailure, refused, systemError } from '../errors';
import { MEMBERS_GROUP } from '../policy';
import { CHILD_ENV, NEW_SESSION } from '../run';
import {
  alreadySatisfied,
  cleanLine,
  defaultPackages,
  hubVersion,
  loadPackagesConfig,
  parsePipList,
  pipIndexArgs,
  progressFromPipLine,
  requirementName,
  type PackagesConfig,
} from '../packages';
import { requireMembersGroup, requireUnprotectedAccount, target } from './common';

export const INSTALL_TOOLS = { runuser: '/usr/sbin/runuser', env: '/usr/bin/env', python3: '/usr/bin/python3' } as const;
export const INSTALL_TIMEOUT_MS = 30 * 60_000;
const LIST_TIMEOUT_MS = 120_000;
const KILL_GRACE_MS = 5_000;
/** After pip has exited, how long its output pipes may stay open (held by something it started). */
export const DRAIN_GRACE_MS = 3_000;
const TAIL_LINES = 20;

/** The user's clean environment (what the spawn wrapper's pip sees, no more). */
export function userEnvironment(account: Account): string[] {
  return [
    `HOME=${account.home}`,
    `USER=${account.name}`,
    `LOGNAME=${account.name}`,
    'PATH=/usr/local/bin:/usr/bin:/bin',
    'LANG=C.UTF-8',
    'PIP_BREAK_SYSTEM_PACKAGES=1',
    'PIP_DISABLE_PIP_VERSION_CHECK=1',
  ];
}

/** runuser -u USER -- env -i ...ENV python3 -m pip ARGS: an argument array, never a shell. */
export function asUser(account: Account, pipArgs: readonly string[]): string[] {
  return ['-u', account.name, '--', INSTALL_TOOLS.env, '-i', ...userEnvironment(account), INSTALL_TOOLS.python3, '-m', 'pip', ...pipArgs];
}

function pipList(account: Account): Record<string, string> {
  const r = spawnSync(INSTALL_TOOLS.runuser, asUser(account, ['list', '--user', '--format=json']), {
    env: { ...CHILD_ENV } as NodeJS.ProcessEnv,
    cwd: '/',
    stdio: ['ignore', 'pipe', 'pipe'],
    // The kid's Python starts here (and runs their site-packages): no terminal for it.
    ...NEW_SESSION,
    timeout: LIST_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 4 * 1024 * 1024,
    shell: false,
  });
  if (r.error || r.status !== 0) {
    const why = r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : `exit ${r.status ?? r.signal}`;
    throw systemError(`pip list as ${account.name} failed (${why}): ${cleanLine(r.stderr?.toString('utf8').trim().split('\n').at(-1) ?? '')}`);
  }
  return parsePipList(r.stdout.toString('utf8'));
}

/** A failure that carries pip's last lines (the "tail" of the error line). */
class PipFailure extends HelperFailure {
  readonly tail: string[];
  constructor(message: string, tail: string[]) {
    super('system_error', message);
    this.tail = tail;
    this.details = { tail };
  }
}

interface PipRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  cancelled: string | null;
  tail: string[];
}

function stdinIsPipe(): boolean {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

/** Runs pip as the user, streaming progress; resolves when pip has ended (and its group is gone or killed). */
function runPip(ctx: CommandContext, account: Account, args: readonly string[]): Promise<PipRun> {
  return new Promise((resolve) => {
    const tail: string[] = [];
    let cancelled: string | null = null;
    const child = spawn(INSTALL_TOOLS.runuser, asUser(account, args), {
      env: { ...CHILD_ENV } as NodeJS.ProcessEnv,
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a cancel reaches pip and anything it starts
      shell: false,
    });
    const parentPid = process.ppid;
    let killTimer: NodeJS.Timeout | null = null;
    const stop = (why: string) => {
      if (cancelled !== null) return;
      cancelled = why;
      const group = child.pid;
      if (group === undefined) return;
      try {
        process.kill(-group, 'SIGTERM');
      } catch {
        /* gone already */
      }
      killTimer = setTimeout(() => {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, KILL_GRACE_MS);
    };
    const deadline = setTimeout(() => stop(`pip did not finish within ${INSTALL_TIMEOUT_MS / 60_000} minutes`), INSTALL_TIMEOUT_MS);
    const parentWatch = setInterval(() => {
      if (process.ppid !== parentPid) stop('the calling process went away');
    }, 500);
    const onSignal = (sig: NodeJS.Signals) => stop(`the helper got ${sig}`);
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
    for (const s of signals) process.on(s, onSignal);
    const watchStdin = stdinIsPipe();
    const onStdinEnd = () => stop('cancelled by the caller (its pipe closed)');
    if (watchStdin) {
      process.stdin.on('end', onStdinEnd);
      process.stdin.on('error', onStdinEnd);
      process.stdin.on('data', () => {
        /* nothing is expected; reading keeps the end visible */
      });
      process.stdin.resume();
    }

    const onLine = (raw: string) => {
      const line = cleanLine(raw);
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      ctx.progress({ log: line });
      for (const p of progressFromPipLine(line)) ctx.progress(p);
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.search(/[\r\n]/)) !== -1) {
          onLine(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
        if (pending.length > 64 * 1024) pending = pending.slice(-4096);
      });
      stream.on('end', () => {
        if (pending) onLine(pending);
        pending = '';
      });
    }
    let spawnError: string | null = null;
    child.on('error', (e) => {
      spawnError = (e as NodeJS.ErrnoException).code ?? e.message;
    });
    // 'close' waits for the output pipes too. Code the user controls (a .pth file
    // in their site-packages) can start a process that leaves pip's process group
    // (setsid) and keeps the pipes open: then neither the deadline nor a cancel
    // would ever end this command. Once pip itself has exited, stop reading.
    let drainTimer: NodeJS.Timeout | null = null;
    child.on('exit', () => {
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, DRAIN_GRACE_MS);
    });
    child.on('close', (exitCode, signal) => {
      if (drainTimer) clearTimeout(drainTimer);
      clearTimeout(deadline);
      clearInterval(parentWatch);
      if (killTimer) clearTimeout(killTimer);
      for (const s of signals) process.off(s, onSignal);
      if (watchStdin) {
        process.stdin.off('end', onStdinEnd);
        process.stdin.pause();
        process.stdin.destroy();
      }
      // Anything pip left behind in its group goes too.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* none left */
        }
      }
      if (spawnError) tail.push(`cannot run ${INSTALL_TOOLS.runuser}: ${spawnError}`);
      resolve({ exitCode, signal, cancelled, tail });
    });
  });
}

export const installPackages: Command = {
  spec: {
    name: 'install-packages',
    positionals: ['user'],
    options: [],
    mutating: true,
    readsPassword: false,
    synopsis: 'install-packages USER --actor NAME',
  },
  async run(ctx) {
    const user = target(ctx);
    // Under the lock: the target is an unprotected member of jupyterhub.
    const state = readSystemState();
    requireMembersGroup(state);
    const account = requireUnprotectedAccount(ctx, state, user);
    if (!state.isSupplementaryMember(user, MEMBERS_GROUP)) {
      throw refused(`refused: ${user} is not a member of ${MEMBERS_GROUP}; packages are only installed for family members`);
    }
    if (!account.home.startsWith('/') || account.home === '/') throw systemError(`${user} has no usable home directory`);
    const config: PackagesConfig = loadPackagesConfig(defaultPackages(hubVersion()));
    ctx.releaseLock();

    const before = pipList(account);
    const requested = config.packages.map(requirementName);
    const todo = config.packages.filter((req) => !alreadySatisfied(req, before));
    const skipped = config.packages.filter((req) => !todo.includes(req)).map(requirementName);
    for (const name of skipped) ctx.progress({ phase: 'done', package: name, version: before[name], alreadyInstalled: true });

    let changed = false;
    if (todo.length > 0) {
      const args = ['install', '--user', '--progress-bar', 'off', '--no-input', '--no-warn-script-location', ...pipIndexArgs(config), '--', ...todo];
      const run = await runPip(ctx, account, args);
      if (run.cancelled !== null) throw new PipFailure(`cancelled: ${run.cancelled}`, run.tail);
      if (run.exitCode !== 0) {
        const how = run.signal ? `was ended by ${run.signal}` : `exited ${run.exitCode}`;
        const last = run.tail.filter((l) => /^ERROR:/.test(l.trim())).at(-1) ?? run.tail.at(-1) ?? '';
        throw new PipFailure(`pip install as ${user} ${how}: ${last.trim()}`.slice(0, 600), run.tail);
      }
      changed = true;
    }

    const after = pipList(account);
    const installed: Record<string, string> = {};
    for (const name of requested) if (after[name] !== undefined) installed[name] = after[name]!;
    const missing = requested.filter((n) => installed[n] === undefined);
    if (missing.length > 0) throw new PipFailure(`pip finished but ${missing.join(', ')} is not installed for ${user}`, []);
    ctx.progress({ phase: 'done', package: null });
    return {
      changed,
      user,
      installed,
      skipped,
      ...(config.ignoredReason ? { configIgnored: config.ignoredReason } : {}),
    };
  },
};
