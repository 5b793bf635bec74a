// What every command gets: the parsed arguments, who called, for whom, the config.
import type { CommandSpec, ParsedArgs } from './args';
import type { HelperConfig } from './policy';
import type { AgentEnd } from './run';

export interface Caller {
  readonly uid: number;
  readonly name: string;
  /** The panel's service account (jupyterhub-panel), as opposed to a person at a terminal. */
  readonly isPanel: boolean;
}

export interface CommandContext {
  readonly args: ParsedArgs;
  readonly caller: Caller;
  /** The person the change is done for; null for read-only commands. */
  readonly actor: string | null;
  readonly config: HelperConfig;
  /** Present when the command's spec says readsPassword. */
  readonly password: Buffer | null;
  progress(p: unknown): void;
  /**
   * Long commands (install-packages): check the state under the lock, then
   * release it so other commands are not held up for minutes. No-op when no
   * lock is held.
   */
  releaseLock(): void;
  /** Long commands: aborts when the caller cancels or goes away (the panel closes its side of the socket; Ctrl-C at a terminal). */
  cancelSignal(): AbortSignal;
  /** Bytes for the caller as they are: the agent's output (run.ts runAgent). */
  output(chunk: Buffer): void;
}

/** Fields of the final {"ok":true,...} line. */
export type CommandResult = Record<string, unknown>;

/** A command the agent answered: its lines went to the caller as they were; root knows only how it ended. */
export interface AgentAnswered {
  readonly agentEnd: AgentEnd;
}

export interface Command {
  readonly spec: CommandSpec;
  run(ctx: CommandContext): CommandResult | AgentAnswered | Promise<CommandResult | AgentAnswered>;
}
