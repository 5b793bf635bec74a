// The helper's unprivileged part, bundled to dist/helper/agent.js and installed as
// /usr/libexec/jupyterhub-panel/helper-agent (root:root 0755). The root helper
// does the checks that need root (names, protected accounts, the actor, the lock),
// then starts this with the ids of the account the work belongs to, never as root:
//   hub-status [--log-lines N]   as the seed hub's account, or the panel's for the family hub
//   restart-hub | connect-hub    as the seed hub's account (connect-hub: the new token on stdin)
//   disk-use HOME                as the member (uid and gid): du over their home, 10 s at most
//   packages-installed HOME      as the member (uid and gid): the Jupyter entry points in
//                                ~/.local/bin; exit 0 when they are there, 1 when not
//   make-home-private HOME       as the member (uid and gid): the home folder itself 0700
//   install-packages             as the kid (runuser), pip's lines passed on unparsed;
//                                stdin reaching its end is the cancel
// It answers as the helper does over its socket (JSON lines: progress, then the
// last line with the contract's exit code, which is also its own); the root part
// passes the lines on to the caller unread, as data of the account it ran as, and
// looks at the exit code only (run.ts runAgent).
import { HelperFailure, systemError, usage } from '../common/errors';
import { emitProgress, writeLine } from '../common/output';
import { hubStatus } from './hub-status';
import { restartSeedHub } from './restart-hub';
import { connectSeedHub } from './connect-hub';
import { installPackages } from './install-packages';
import { diskUse } from './disk-use';
import { packagesInstalledCommand } from './packages-installed';
import { makeHomePrivate } from './make-home-private';

type AgentCommand = (args: readonly string[], progress: (p: unknown) => void) => Record<string, unknown> | Promise<Record<string, unknown>>;

const COMMANDS: Record<string, AgentCommand> = {
  'hub-status': hubStatus,
  'restart-hub': restartSeedHub,
  'connect-hub': connectSeedHub,
  'install-packages': installPackages,
  'disk-use': diskUse,
  'packages-installed': packagesInstalledCommand,
  'make-home-private': makeHomePrivate,
};

async function main(argv: readonly string[]): Promise<number> {
  try {
    if (process.geteuid?.() === 0) throw systemError('the helper agent never runs as root');
    const command = COMMANDS[argv[0] ?? ''];
    if (!command) throw usage(`the helper agent has no command ${JSON.stringify(argv[0] ?? '')}`);
    const result = await command(argv.slice(1), emitProgress);
    // Root reads none of these lines, only the exit code: packages-installed says
    // "not installed" with 1 (outside the contract's codes, which are errors).
    const exitCode = argv[0] === 'packages-installed' && result.installed !== true ? 1 : 0;
    writeLine({ ok: true, ...result, exitCode });
    return exitCode;
  } catch (e) {
    const f = e instanceof HelperFailure ? e : systemError(`unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    writeLine({ ...f.line(), exitCode: f.exitCode });
    return f.exitCode;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
