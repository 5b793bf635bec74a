// The one list of the root helper's commands and their synopses (docs/ARCHITECTURE.md
// "Helper command contract"). The root helper reads its argv shapes from it
// (privileged-helper/root/commands/index.ts, args.ts `parseArgv`), the panel its
// typed calls (lib/helper/commands.ts), so a name or a shape cannot differ between
// them. Pure data and one pure function: it is bundled into the root helper, so it
// imports nothing outside lib/shared.

export const ACTOR_OPTION = '--actor';

/** The shape of one command's arguments, read from its synopsis. */
export interface CommandSpec {
  readonly name: string;
  /** Names of the positional operands, in order; each is required. */
  readonly positionals: readonly string[];
  /** Options besides --actor, each taking exactly one value: '--full-name'. */
  readonly options: readonly string[];
  /** Changes the system: takes --actor, runs under the lock, goes to syslog. */
  readonly mutating: boolean;
  /** Reads one password line from stdin before taking the lock. */
  readonly readsPassword: boolean;
  /** One line for the usage text. */
  readonly synopsis: string;
}

/**
 * Each command's one-line synopsis, in the order of the usage text. `USER` words
 * are the operands (user names), `--option` words the options; `--actor` makes
 * the command mutating; "(password" says it reads one from stdin.
 */
export const HELPER_SYNOPSES = Object.freeze({
  'list-members': 'list-members',
  'add-member': 'add-member USER --actor NAME',
  'remove-member': 'remove-member USER --actor NAME',
  'create-user': 'create-user USER [--full-name TEXT] --actor NAME  (password: one line on stdin)',
  'set-password': 'set-password USER --actor NAME  (password: one line on stdin)',
  'hub-status': 'hub-status [--log-lines N]',
  'restart-hub': 'restart-hub --actor NAME',
  'connect-hub': 'connect-hub --actor NAME',
  'install-packages': 'install-packages USER --actor NAME',
  'disk-use': 'disk-use USER',
  'set-hours': 'set-hours USER --hours always|{"mon":["16:00-20:00"],...} --actor NAME',
  'make-home-private': 'make-home-private USER --actor NAME',
  'set-updates': 'set-updates --mode security|all|off --actor NAME',
  'set-limits': 'set-limits --for kids|parents|kid:NAME [--memory-mib N|default] [--cpu-weight N|default] --actor NAME',
  'upgrade-system': 'upgrade-system --mode security|all --actor NAME',
} as const);

export type HelperCommand = keyof typeof HELPER_SYNOPSES;

export const HELPER_COMMANDS = Object.freeze(Object.keys(HELPER_SYNOPSES) as HelperCommand[]);

/** A command's shape, read from its one-line synopsis so the two cannot disagree. Pure. */
export function commandSpec(synopsis: string): CommandSpec {
  const [name = '', ...words] = synopsis.split(' ');
  const options = words.map((w) => /^\[?(--[a-z-]+)$/.exec(w)?.[1]).filter((o): o is string => o !== undefined);
  return {
    name,
    positionals: words.filter((w) => w === 'USER').map(() => 'user'),
    options: options.filter((o) => o !== ACTOR_OPTION),
    mutating: options.includes(ACTOR_OPTION),
    readsPassword: synopsis.includes('(password'),
    synopsis,
  };
}

export const HELPER_COMMAND_SPECS: Readonly<Record<HelperCommand, CommandSpec>> = Object.freeze(
  Object.fromEntries(HELPER_COMMANDS.map((name) => [name, commandSpec(HELPER_SYNOPSES[name])])) as Record<HelperCommand, CommandSpec>,
);
