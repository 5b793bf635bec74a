// Exact argv shape checking. Pure: no I/O, unit-tested in test/unit/helper-args.test.ts.
import { usage } from '../common/errors';

// The shapes themselves are the one list of commands, lib/shared/commands.ts.
export { ACTOR_OPTION, commandSpec, type CommandSpec } from '../../lib/shared/commands';
import { ACTOR_OPTION, type CommandSpec } from '../../lib/shared/commands';

export interface ParsedArgs {
  readonly command: string;
  readonly positionals: readonly string[];
  /** Option name (with dashes) -> value. */
  readonly options: Readonly<Record<string, string>>;
}

export function usageText(specs: ReadonlyMap<string, CommandSpec>): string {
  return 'usage: helper ' + [...specs.values()].map((s) => s.synopsis).join(' | helper ');
}

/**
 * Parse argv (without node and script path). Shape: COMMAND, then exactly the
 * command's positionals at fixed places (so a user name "-G" or "--help" is an
 * operand and later refused as invalid_name, never taken as an option), then
 * "--option VALUE" pairs, each known to the command and given at most once.
 * Anything else is a usage error.
 */
export function parseArgv(argv: readonly string[], specs: ReadonlyMap<string, CommandSpec>): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw usage(`no command given; ${usageText(specs)}`);
  const spec = specs.get(command);
  if (!spec) throw usage(`unknown command ${JSON.stringify(command.slice(0, 64))}; ${usageText(specs)}`);

  if (rest.length < spec.positionals.length) {
    throw usage(`${command} needs ${spec.positionals.map((p) => p.toUpperCase()).join(' ')}; usage: helper ${spec.synopsis}`);
  }
  const positionals = rest.slice(0, spec.positionals.length);
  const allowed = new Set(spec.mutating ? [...spec.options, ACTOR_OPTION] : spec.options);
  const options: Record<string, string> = Object.create(null);
  const tail = rest.slice(spec.positionals.length);
  for (let i = 0; i < tail.length; i += 2) {
    const opt = tail[i]!;
    if (!allowed.has(opt)) {
      const what = opt.startsWith('-') ? 'unknown option' : 'extra argument';
      throw usage(`${what} ${JSON.stringify(opt.slice(0, 64))} for ${command}; usage: helper ${spec.synopsis}`);
    }
    if (opt in options) throw usage(`option ${opt} given twice`);
    const value = tail[i + 1];
    if (value === undefined) throw usage(`option ${opt} needs a value`);
    options[opt] = value;
  }
  return { command, positionals, options };
}
