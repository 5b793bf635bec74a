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
// Bounded and cancellable at every step (pip list, pip install, pip list): each
// runs through runAsAccount() (run-as-account.ts), which ends the step's whole
// job -- pip and whatever the kid's code started, even a daemon that left pip's
// session and holds its pipes -- when the step's time is up (2 min for a list;
// all steps together 30 min, so the panel, waiting 32, always gets the answer)
// or when the caller cancels (caller-cancel.ts: SIGTERM,
// SIGHUP or SIGINT from a person at a terminal; the stdin pipe reaching
// end-of-file, which is the panel's cancel since it cannot signal a root process;
// the helper's parent going away). No step waits on a pipe the kid's processes
// hold. A cancel answers system_error "cancelled: ...".
import { readSystemState, type Account } from '../accounts';
import { detectHubKind, isFamilyKind } from '../../lib/hub-kind';
import type { Command, CommandContext } from '../context';
import { HelperFailure, refused, systemError } from '../errors';
import { MEMBERS_GROUP } from '../policy';
import { runAsAccount, runuserArgv, type RunAsAccountResult } from '../run-as-account';
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

export const INSTALL_TOOLS = { python3: '/usr/bin/python3' } as const;
/** All of one install-packages run (lib/jobs.ts waits 32 min for the helper). */
export const INSTALL_TIMEOUT_MS = 30 * 60_000;
/** One pip list (a few seconds normally). */
export const LIST_TIMEOUT_MS = 2 * 60_000;
/** pip list --format=json of a big user site is some 100 KB; more is refused, never cut. */
const LIST_MAX_BYTES = 4 * 1024 * 1024;
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

const pipArgv = (pipArgs: readonly string[]) => [INSTALL_TOOLS.python3, '-m', 'pip', ...pipArgs];

/** runuser -u USER -- env -i ...ENV python3 -m pip ARGS: an argument array, never a shell. */
export function asUser(account: Account, pipArgs: readonly string[]): string[] {
  return runuserArgv(account, userEnvironment(account), pipArgv(pipArgs));
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

/** The last lines of a step's output, cleaned. */
class Tail {
  readonly lines: string[] = [];
  push(line: string): string {
    const clean = cleanLine(line);
    if (clean.trim()) {
      this.lines.push(clean);
      if (this.lines.length > TAIL_LINES) this.lines.shift();
    }
    return clean;
  }
}

/** The common ends of a step: cancelled, out of time, not started. Returns normally when the program ran to its end. */
function checkEnded(what: string, r: RunAsAccountResult, tail: Tail): void {
  if (r.cancelled) throw new PipFailure(`cancelled: ${r.stopped}`, tail.lines);
  if (r.stopped !== null) throw new PipFailure(`${what} ${r.stopped}`, tail.lines);
  if (r.spawnError) throw systemError(`cannot run ${what}: ${r.spawnError}`);
}

/** The time a step may take: its own limit, and what is left of the whole run's. */
function stepTime(deadline: number, ownLimitMs = Infinity): number {
  return Math.max(1, Math.min(ownLimitMs, deadline - Date.now()));
}

async function pipList(account: Account, signal: AbortSignal, deadline: number): Promise<Record<string, string>> {
  const tail = new Tail();
  const what = `pip list as ${account.name}`;
  const r = await runAsAccount(account, pipArgv(['list', '--user', '--format=json']), {
    env: userEnvironment(account),
    signal,
    timeoutMs: stepTime(deadline, LIST_TIMEOUT_MS),
    keepStdoutBytes: LIST_MAX_BYTES,
    onLine: (line, stream) => {
      if (stream === 'stderr') tail.push(line);
    },
  });
  checkEnded(what, r, tail);
  if (r.exitCode !== 0) {
    throw systemError(`${what} failed (exit ${r.exitCode ?? r.signal}): ${tail.lines.at(-1) ?? ''}`);
  }
  if (r.stdoutOverflow) throw systemError(`${what} printed more than ${LIST_MAX_BYTES} bytes`);
  return parsePipList(r.stdout);
}

async function pipInstall(ctx: CommandContext, account: Account, args: readonly string[], signal: AbortSignal, deadline: number): Promise<void> {
  const tail = new Tail();
  const r = await runAsAccount(account, pipArgv(args), {
    env: userEnvironment(account),
    signal,
    timeoutMs: stepTime(deadline),
    onLine: (raw) => {
      const line = tail.push(raw);
      if (!line.trim()) return;
      ctx.progress({ log: line });
      for (const p of progressFromPipLine(line)) ctx.progress(p);
    },
  });
  checkEnded(`pip install as ${account.name}`, r, tail);
  if (r.exitCode !== 0) {
    const how = r.signal ? `was ended by ${r.signal}` : `exited ${r.exitCode}`;
    const last = tail.lines.filter((l) => /^ERROR:/.test(l.trim())).at(-1) ?? tail.lines.at(-1) ?? '';
    throw new PipFailure(`pip install as ${account.name} ${how}: ${last.trim()}`.slice(0, 600), tail.lines);
  }
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
    // The family hub's servers come from Debian's packages: nothing is needed by
    // default, only the extra packages a family lists in packages.json. A seed hub
    // installs Jupyter itself at the first spawn; this does it ahead of time.
    const defaults = isFamilyKind(detectHubKind()) ? [] : defaultPackages(hubVersion());
    const config: PackagesConfig = loadPackagesConfig(defaults);
    ctx.releaseLock();

    const caller = ctx.watchCancel();
    const deadline = Date.now() + INSTALL_TIMEOUT_MS;
    let result: { changed: boolean; installed: Record<string, string>; skipped: string[] };
    try {
      const before = await pipList(account, caller.signal, deadline);
      const requested = config.packages.map(requirementName);
      const todo = config.packages.filter((req) => !alreadySatisfied(req, before));
      const skipped = config.packages.filter((req) => !todo.includes(req)).map(requirementName);
      for (const name of skipped) ctx.progress({ phase: 'done', package: name, version: before[name], alreadyInstalled: true });

      let changed = false;
      if (todo.length > 0) {
        const args = ['install', '--user', '--progress-bar', 'off', '--no-input', '--no-warn-script-location', ...pipIndexArgs(config), '--', ...todo];
        await pipInstall(ctx, account, args, caller.signal, deadline);
        changed = true;
      }

      const after = await pipList(account, caller.signal, deadline);
      const installed: Record<string, string> = {};
      for (const name of requested) if (after[name] !== undefined) installed[name] = after[name]!;
      const missing = requested.filter((n) => installed[n] === undefined);
      if (missing.length > 0) throw new PipFailure(`pip finished but ${missing.join(', ')} is not installed for ${user}`, []);
      result = { changed, installed, skipped };
    } finally {
      caller.dispose();
    }
    ctx.progress({ phase: 'done', package: null });
    return {
      changed: result.changed,
      user,
      installed: result.installed,
      skipped: result.skipped,
      ...(config.ignoredReason ? { configIgnored: config.ignoredReason } : {}),
    };
  },
};
