// install-packages, run by the agent as the kid from the start: the root part
// checked the kid (exists, unprotected, member of jupyterhub) and the actor under
// its lock, released the lock, and started this through runuser with the kid's
// clean environment (run.ts runAgent). Here, with the kid's rights only:
// `python3 -m pip install --user` of the packages configured in
// /etc/jupyterhub-panel/packages.json (default: jupyterhub==<hub version>,
// jupyterlab, notebook; nothing by default for the family hub, whose servers come
// from Debian's packages) -- what the hub's spawn wrapper does at the first spawn,
// done ahead of time. Progress lines while pip runs:
//   {"progress":{"log":"<one line of pip's output>"}}   (phases: lib/jobs/pip-output.ts, in the panel)
//   {"progress":{"phase":"done","package":..,"alreadyInstalled":true}} for what pip list shows already there
// and at the end {"ok":true,"changed":..,"installed":{name:version},"skipped":[..]}.
// pip failing: {"ok":false,"error":"system_error","message":..,"tail":[last 20 lines]}.
//
// Bounded and cancellable at every step (pip list, pip install, pip list): each
// runs through runJob() (run-as-account.ts), which ends the step's whole job --
// pip and whatever the kid's code started, even a daemon that left pip's session
// and holds its pipes -- when the step's time is up (2 min for a list; all steps
// together 30 min, so the panel, waiting 32, always gets the answer) or when the
// caller cancels: the root part ends this agent's stdin (the panel's cancel, or a
// person's Ctrl-C at the terminal), or SIGTERM/SIGHUP/SIGINT reach it. No step
// waits on a pipe the kid's processes hold. A cancel answers system_error
// "cancelled: ...".
import { userInfo } from 'node:os';
import { detectHubKind, isFamilyKind } from '../../lib/shared/hub-kind';
import { HelperFailure, systemError } from '../common/errors';
import { runJob, type RunJobResult } from './run-as-account';
import { alreadySatisfied, cleanLine, defaultPackages, hubVersion, loadPackagesConfig, parsePipList, pipIndexArgs, requirementName, type PackagesConfig } from './packages';

export const INSTALL_TOOLS = { python3: '/usr/bin/python3' } as const;
/** All of one install-packages run (lib/jobs/ waits 32 min for the helper). */
export const INSTALL_TIMEOUT_MS = 30 * 60_000;
/** One pip list (a few seconds normally). */
export const LIST_TIMEOUT_MS = 2 * 60_000;
/** pip list --format=json of a big user site is some 100 KB; more is refused, never cut. */
const LIST_MAX_BYTES = 4 * 1024 * 1024;
const TAIL_LINES = 20;

const pipArgv = (pipArgs: readonly string[]) => [INSTALL_TOOLS.python3, '-m', 'pip', ...pipArgs];

interface Kid {
  name: string;
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
function checkEnded(what: string, r: RunJobResult, tail: Tail): void {
  if (r.cancelled) throw new PipFailure(`cancelled: ${r.stopped}`, tail.lines);
  if (r.stopped !== null) throw new PipFailure(`${what} ${r.stopped}`, tail.lines);
  if (r.spawnError) throw systemError(`cannot run ${what}: ${r.spawnError}`);
}

/** The time a step may take: its own limit, and what is left of the whole run's. */
function stepTime(deadline: number, ownLimitMs = Infinity): number {
  return Math.max(1, Math.min(ownLimitMs, deadline - Date.now()));
}

async function pipList(account: Kid, signal: AbortSignal, deadline: number): Promise<Record<string, string>> {
  const tail = new Tail();
  const what = `pip list as ${account.name}`;
  const r = await runJob(pipArgv(['list', '--user', '--format=json']), {
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

async function pipInstall(progress: (p: unknown) => void, account: Kid, args: readonly string[], signal: AbortSignal, deadline: number): Promise<void> {
  const tail = new Tail();
  const r = await runJob(pipArgv(args), {
    signal,
    timeoutMs: stepTime(deadline),
    onLine: (raw) => {
      const line = tail.push(raw);
      if (!line.trim()) return;
      progress({ log: line });
    },
  });
  checkEnded(`pip install as ${account.name}`, r, tail);
  if (r.exitCode !== 0) {
    const how = r.signal ? `was ended by ${r.signal}` : `exited ${r.exitCode}`;
    const last = tail.lines.filter((l) => /^ERROR:/.test(l.trim())).at(-1) ?? tail.lines.at(-1) ?? '';
    throw new PipFailure(`pip install as ${account.name} ${how}: ${last.trim()}`.slice(0, 600), tail.lines);
  }
}

/** The caller's cancel: this agent's stdin ending (the root part's signal), or a signal. */
function watchCancel(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const cancel = (why: string) => {
    if (!controller.signal.aborted) controller.abort(why);
  };
  const onSignal = (sig: NodeJS.Signals) => cancel(`the helper got ${sig}`);
  const onEnd = () => cancel('cancelled by the caller (its pipe closed)');
  for (const s of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(s, onSignal);
  process.stdin
    .on('end', onEnd)
    .on('error', onEnd)
    .on('data', () => undefined)
    .resume();
  return {
    signal: controller.signal,
    dispose() {
      for (const s of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(s, onSignal);
      process.stdin.off('end', onEnd).off('error', onEnd).pause();
      process.stdin.destroy();
    },
  };
}

export async function installPackages(_args: readonly string[], progress: (p: unknown) => void): Promise<Record<string, unknown>> {
  const account: Kid = { name: userInfo().username };
  const user = account.name;
  const defaults = isFamilyKind(detectHubKind()) ? [] : defaultPackages(hubVersion());
  const config: PackagesConfig = loadPackagesConfig(defaults);
  const caller = watchCancel();
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  let result: { changed: boolean; installed: Record<string, string>; skipped: string[] };
  try {
    const before = await pipList(account, caller.signal, deadline);
    const requested = config.packages.map(requirementName);
    const todo = config.packages.filter((req) => !alreadySatisfied(req, before));
    const skipped = config.packages.filter((req) => !todo.includes(req)).map(requirementName);
    for (const name of skipped) progress({ phase: 'done', package: name, version: before[name], alreadyInstalled: true });

    let changed = false;
    if (todo.length > 0) {
      const args = ['install', '--user', '--progress-bar', 'off', '--no-input', '--no-warn-script-location', ...pipIndexArgs(config), '--', ...todo];
      await pipInstall(progress, account, args, caller.signal, deadline);
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
  progress({ phase: 'done', package: null });
  return {
    changed: result.changed,
    user,
    installed: result.installed,
    skipped: result.skipped,
    ...(config.ignoredReason ? { configIgnored: config.ignoredReason } : {}),
  };
}
