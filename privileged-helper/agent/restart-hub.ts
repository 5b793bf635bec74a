// restart-hub for a seed hub, run by the agent as the hub account (the root part
// checked the actor under its lock and started this with the account's ids and
// groups, as cron would). Stops the hub the way it runs (the screen session
// jupyterhub_serve, the hub and proxy processes) and starts it the way its crontab
// does: the command of the line marked #jupyterhub-service#, run by /bin/sh with
// cron's environment: exactly what cron runs every minute for this account.
// Returns the hub's certificate (PEM) for the root part to pin a copy of.
import { crontabCommandProblem } from '../../lib/shared/hub-facts';
import { conflict, systemError } from '../common/errors';
import { sleepMs } from '../common/process';
import { HUB_TOOLS, crontabFacts, hubAccount, hubPaths, hubProcesses, readAsHub, run, screenFacts, signal, waitGone, type HubAccount } from './hub';

const STOP_WAIT_MS = 10_000;
const KILL_WAIT_MS = 3_000;
const START_WAIT_MS = 15_000;

/** Cron's environment for the account's jobs. */
export function cronEnvironment(account: HubAccount): Record<string, string> {
  return { HOME: account.home, LOGNAME: account.name, USER: account.name, SHELL: HUB_TOOLS.sh, PATH: '/usr/bin:/bin', LANG: 'C' };
}

/** The hub's certificate as text (the root part checks it is one before pinning it), or null. */
export function certPem(account: HubAccount): string | null {
  return readAsHub(account, hubPaths(account).cert).text;
}

export function restartSeedHub(_args: readonly string[], progress: (p: unknown) => void): Record<string, unknown> {
  const account = hubAccount();
  // Know how to start it before stopping anything.
  const cron = crontabFacts(account);
  if (!cron.entry) throw conflict(`cannot restart the hub: ${cron.problem ?? 'no crontab line'}`, 'hub_cannot_restart');
  const problem = crontabCommandProblem(cron.entry.command);
  if (problem) throw conflict(`cannot restart the hub: ${problem}`, 'hub_cannot_restart');

  // Stop: the screen session first (it ends its window), then every hub and
  // proxy process of the account. SIGCONT so a stopped (hanging) hub sees SIGTERM.
  const before = hubProcesses(account);
  progress({ step: 'stop', pids: before.map((p) => p.pid) });
  for (const s of screenFacts().sessions) {
    if (!/dead/i.test(s.state)) run(HUB_TOOLS.screen, ['-S', `${s.pid}.${s.name}`, '-X', 'quit'], { timeoutMs: 5000 });
  }
  for (const p of hubProcesses(account)) {
    signal(p.pid, 'SIGTERM');
    signal(p.pid, 'SIGCONT');
  }
  let left = waitGone(
    hubProcesses(account).map((p) => p.pid),
    STOP_WAIT_MS,
  );
  for (const pid of left) signal(pid, 'SIGKILL');
  left = waitGone(left, KILL_WAIT_MS);
  if (left.length > 0) throw systemError(`the hub processes ${left.join(', ')} did not end`);
  run(HUB_TOOLS.screen, ['-wipe'], { timeoutMs: 5000 }); // forget dead sessions, else the start script may think it runs

  // Start as cron would.
  progress({ step: 'start' });
  const start = run(HUB_TOOLS.sh, ['-c', cron.entry.command], { env: cronEnvironment(account), cwd: account.home, ignoreOutput: true, timeoutMs: 30_000 });
  if (start.error || start.timedOut) throw systemError(`starting the hub failed: ${start.error ?? 'did not return in time'}`);
  const deadline = Date.now() + START_WAIT_MS;
  let hub = hubProcesses(account).find((p) => p.kind === 'hub');
  while (!hub && Date.now() < deadline) {
    sleepMs(200);
    hub = hubProcesses(account).find((p) => p.kind === 'hub');
  }
  if (!hub) {
    throw systemError(`the crontab command exited ${start.status ?? 'by a signal'} but no hub process started within ${START_WAIT_MS / 1000} s; see ~${account.name}/bootstrap.log`);
  }
  return { changed: true, stopped: before.map((p) => p.pid), hubPid: hub.pid, command: cron.entry.command, certPem: certPem(account) };
}
