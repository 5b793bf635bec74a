// The root helper's fixed steps and dispatch (entry: main.ts). Two ways in, one
// path after them (execute): the panel's requests over the helper's socket
// (serve.ts; the socket's owner and mode are the gate), and one command per
// process for a person at a terminal, through pkexec (polkit is the gate).
// See README.md for the contract.
import { readSystemState } from './accounts';
import { parseArgv, type ParsedArgs, ACTOR_OPTION } from './args';
import { COMMANDS, COMMAND_SPECS } from './commands/index';
import { FULL_NAME_OPTION } from './commands/create-user';
import type { AgentAnswered, Caller, CommandContext, CommandResult } from './context';
import { EXIT_CODES, HelperFailure, invalidName, refused, systemError, usage } from '../common/errors';
import { acquireLock, type LockHandle } from './lock';
import { emitProgress, writeBytes, writeLine } from '../common/output';
import { readPasswordFromStdin } from './password';
import { ADMIN_GROUP, loadConfig, PANEL_ACCOUNT } from './policy';
import { CHILD_ENV } from './run';
import { logChange } from './syslog';
import { fullNameProblem, usernameProblem } from '../../lib/shared/username-rule';

/** Step 1: drop everything the caller put into the environment. */
export function clearEnvironment(): void {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, CHILD_ENV);
}

/** Parse PKEXEC_UID (set by pkexec); absent: the real uid (root at a shell). Pure. */
export function callerUid(pkexecUid: string | undefined, realUid: number): number {
  if (pkexecUid === undefined) return realUid;
  if (!/^\d{1,10}$/.test(pkexecUid)) throw systemError('PKEXEC_UID is not a number');
  return Number(pkexecUid);
}

/** Names are checked before any system call: user operand, --actor, --full-name. */
function validateNames(args: ParsedArgs): void {
  const spec = COMMAND_SPECS.get(args.command)!;
  spec.positionals.forEach((kind, i) => {
    if (kind !== 'user') return;
    const problem = usernameProblem(args.positionals[i]);
    if (problem) throw invalidName(problem);
  });
  const actor = args.options[ACTOR_OPTION];
  if (actor !== undefined) {
    const problem = usernameProblem(actor);
    if (problem) throw invalidName(`--actor: ${problem}`, 'invalid_actor');
  }
  const fullName = args.options[FULL_NAME_OPTION];
  if (fullName !== undefined) {
    const problem = fullNameProblem(fullName);
    if (problem) throw invalidName(problem, 'invalid_full_name');
  }
}

export function resolveCaller(uid: number): Caller {
  const account = readSystemState().userByUid(uid);
  if (!account) throw systemError(`the calling uid ${uid} has no account in /etc/passwd`);
  return { uid, name: account.name, isPanel: account.name === PANEL_ACCOUNT };
}

/**
 * The actor of a mutating command. The panel names the logged-in parent with
 * --actor; a person at a terminal is the actor and may only name themselves.
 * Shape problems are usage errors; "not allowed" is protected_account (403).
 */
export function actorFor(caller: Caller, actorOption: string | undefined): string {
  if (caller.isPanel) {
    if (actorOption === undefined) throw usage(`${PANEL_ACCOUNT} must name the acting parent with ${ACTOR_OPTION}`, 'actor_missing');
    return actorOption;
  }
  if (actorOption !== undefined && actorOption !== caller.name) {
    throw refused(`refused: ${ACTOR_OPTION} ${actorOption} is not the calling user ${caller.name}`, 'actor_not_caller', { actor: actorOption, caller: caller.name });
  }
  return caller.name;
}

/** Under the lock: a panel-named actor must be a family admin right now. */
function checkActorIsAdmin(caller: Caller, actor: string): void {
  if (!caller.isPanel) return;
  const state = readSystemState();
  if (!state.user(actor)) throw refused(`refused: the actor ${actor} has no account`, 'actor_unknown', { actor });
  if (!state.isInGroup(actor, ADMIN_GROUP)) {
    throw refused(`refused: the actor ${actor} is not a family admin (member of ${ADMIN_GROUP})`, 'actor_not_admin', { actor, group: ADMIN_GROUP });
  }
}

/** How one request talks to its caller: a terminal's stdio, or the panel's socket. */
export interface RequestIo {
  progress(p: unknown): void;
  /** The password line (stdin, or the request's "stdin" field); throws usage when it is bad. */
  readPassword(): Buffer | Promise<Buffer>;
  /** For long commands: aborted when the caller cancels or goes away. */
  cancelSignal(): AbortSignal;
  /** Bytes as they are (the agent's lines). */
  output(chunk: Buffer): void;
}

/** What a request ends with: the contract's exit code and the last JSON line (null: the agent's last line was it). */
export interface Outcome {
  exitCode: number;
  line: Record<string, unknown> | null;
}

const CONTRACT_EXITS = new Set<number>([0, ...Object.values(EXIT_CODES)]);

function isAgentAnswered(r: CommandResult | AgentAnswered): r is AgentAnswered {
  return 'agentEnd' in r && typeof r.agentEnd === 'object' && r.agentEnd !== null;
}

/**
 * The fixed steps after the environment is clean: root check, exact argv shape,
 * names before any system call, the caller and the actor, the password, the lock
 * for mutating commands (with the actor re-checked under it), the command, syslog.
 */
export async function execute(argv: readonly string[], callerOf: () => Caller, io: RequestIo, uidForLog: string): Promise<Outcome> {
  const commandName = argv[0];
  const spec = commandName !== undefined ? COMMAND_SPECS.get(commandName) : undefined;
  const log: Record<string, string | number | boolean | null | undefined> = {
    command: spec?.name,
    target: undefined,
    actor: undefined,
    caller: undefined,
    uid: uidForLog,
  };
  const held: { lock: LockHandle | null } = { lock: null };
  // Whether what the agent wrote ends a line: root's own last line must start one.
  let lineOpen = false;
  const output = (chunk: Buffer) => {
    if (chunk.length === 0) return;
    io.output(chunk);
    lineOpen = chunk[chunk.length - 1] !== 0x0a;
  };
  try {
    if (process.geteuid?.() !== 0) {
      throw systemError('the helper must run as root; call it through pkexec /usr/libexec/jupyterhub-panel/helper');
    }
    const args = parseArgv(argv, COMMAND_SPECS);
    const command = COMMANDS.get(args.command)!;
    const rawTarget = args.positionals[0];
    log.target = rawTarget === undefined || usernameProblem(rawTarget) === null ? rawTarget : '(invalid name)';
    validateNames(args);

    const caller = callerOf();
    log.caller = caller.name;
    const config = loadConfig();
    let actor: string | null = null;
    if (command.spec.mutating) {
      actor = actorFor(caller, args.options[ACTOR_OPTION]);
      log.actor = actor;
    }
    const password = command.spec.readsPassword ? await io.readPassword() : null;

    let result;
    try {
      if (command.spec.mutating) {
        held.lock = await acquireLock();
        checkActorIsAdmin(caller, actor!);
      }
      const releaseLock = () => {
        held.lock?.release();
        held.lock = null;
      };
      const ctx: CommandContext = { args, caller, actor, config, password, progress: (p) => io.progress(p), releaseLock, cancelSignal: () => io.cancelSignal(), output };
      result = await command.run(ctx);
    } finally {
      password?.fill(0);
      held.lock?.release();
      held.lock = null;
    }
    if (isAgentAnswered(result)) {
      const end = result.agentEnd;
      const said = end.said === '' ? '' : ` (it said: ${end.said})`;
      if (end.exitCode === null) throw systemError(`${end.why}${said}`);
      if (!CONTRACT_EXITS.has(end.exitCode)) throw systemError(`the helper agent exited with ${end.exitCode}${said}`);
      const failed = end.exitCode === EXIT_CODES.busy || end.exitCode === EXIT_CODES.system_error;
      if (spec?.mutating) await logChange({ ...log, result: end.exitCode === 0 ? 'ok' : failed ? 'failed' : 'refused', agentExit: end.exitCode });
      return { exitCode: end.exitCode, line: null };
    }
    if (spec?.mutating) await logChange({ ...log, result: 'ok', changed: result.changed as boolean | undefined });
    return { exitCode: 0, line: { ok: true, ...result } };
  } catch (e) {
    held.lock?.release();
    if (lineOpen) io.output(Buffer.from('\n'));
    const failure = e instanceof HelperFailure ? e : systemError(`unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    if (spec?.mutating) {
      const outcome = failure.code === 'busy' || failure.code === 'system_error' ? 'failed' : 'refused';
      await logChange({ ...log, result: outcome, error: failure.code, message: failure.message });
    }
    return { exitCode: failure.exitCode, line: failure.line() };
  }
}

/**
 * A person at a terminal cancels a long command with Ctrl-C (SIGINT), by closing
 * the terminal (SIGHUP), or with SIGTERM. Watched only once a long command asks,
 * so these signals end the short ones as usual.
 */
function terminalCancel(): AbortSignal {
  const controller = new AbortController();
  for (const s of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(s, () => controller.abort(`cancelled: the helper got ${s}`));
  return controller.signal;
}

/** One command in this process: a person at a terminal (through pkexec), or root at a shell. */
export async function main(argv: readonly string[]): Promise<number> {
  const pkexecUid = process.env.PKEXEC_UID; // read before the environment goes
  clearEnvironment();
  process.umask(0o022);
  const io: RequestIo = { progress: emitProgress, readPassword: readPasswordFromStdin, cancelSignal: terminalCancel, output: writeBytes };
  const outcome = await execute(argv, () => resolveCaller(callerUid(pkexecUid, process.getuid!())), io, pkexecUid ?? String(process.getuid?.() ?? ''));
  if (outcome.line) writeLine(outcome.line);
  return outcome.exitCode;
}
