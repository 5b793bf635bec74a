// restart-hub --actor NAME: the family hub through its unit or family-hub
// (privileged-helper/family-hub.ts). A seed hub: stops the hub the way it runs (the screen session
// jupyterhub_serve of the hub account, the hub and proxy processes) and starts
// it the way its crontab does: the command of the line marked
// #jupyterhub-service#, run by /bin/sh as the hub account with cron's
// environment. The shell runs with the hub account's rights only, exactly what
// cron runs every minute for that account; root never interprets that line.
import { crontabCommandProblem } from '../../lib/hub-facts';
import { detectHubKind, isFamilyKind } from '../../lib/hub-kind';
import { restartFamilyHub } from '../family-hub';
import type { Command } from '../context';
import { conflict, systemError } from '../errors';
import {
  HUB_TOOLS,
  crontabFacts,
  hubProcesses,
  requireHubAccount,
  run,
  screenFacts,
  signal,
  waitGone,
  type HubAccount,
} from '../hub';
import { sleepMs } from '../run';
import { copyHubCertificate } from './connect-hub';

const STOP_WAIT_MS = 10_000;
const KILL_WAIT_MS = 3_000;
const START_WAIT_MS = 15_000;

function screenAsHub(account: HubAccount, args: string[]) {
  return run(HUB_TOOLS.runuser, ['-u', account.name, '--', HUB_TOOLS.screen, ...args], { timeoutMs: 5000 });
}

/** Cron's environment for the account's jobs. */
export function cronEnvironment(account: HubAccount): Record<string, string> {
  return { HOME: account.home, LOGNAME: account.name, USER: account.name, SHELL: HUB_TOOLS.sh, PATH: '/usr/bin:/bin', LANG: 'C' };
}

export const restartHub: Command = {
  spec: {
    name: 'restart-hub',
    positionals: [],
    options: [],
    mutating: true,
    readsPassword: false,
    synopsis: 'restart-hub --actor NAME',
  },
  run(ctx) {
    const kind = detectHubKind();
    if (isFamilyKind(kind)) {
      ctx.progress({ step: 'restart', how: kind });
      return { changed: true, ...restartFamilyHub(kind) };
    }
    const account = requireHubAccount();
    // Know how to start it before stopping anything.
    const cron = crontabFacts(account);
    if (!cron.entry) throw conflict(`cannot restart the hub: ${cron.problem ?? 'no crontab line'}`);
    const problem = crontabCommandProblem(cron.entry.command);
    if (problem) throw conflict(`cannot restart the hub: ${problem}`);

    // Stop: the screen session first (it ends its window), then every hub and
    // proxy process of the account. SIGCONT so a stopped (hanging) hub sees SIGTERM.
    const before = hubProcesses(account);
    ctx.progress({ step: 'stop', pids: before.map((p) => p.pid) });
    for (const s of screenFacts(account).sessions) {
      if (!/dead/i.test(s.state)) screenAsHub(account, ['-S', `${s.pid}.${s.name}`, '-X', 'quit']);
    }
    for (const p of hubProcesses(account)) {
      signal(p.pid, 'SIGTERM');
      signal(p.pid, 'SIGCONT');
    }
    let left = waitGone(hubProcesses(account).map((p) => p.pid), STOP_WAIT_MS);
    for (const pid of left) signal(pid, 'SIGKILL');
    left = waitGone(left, KILL_WAIT_MS);
    if (left.length > 0) throw systemError(`the hub processes ${left.join(', ')} did not end`);
    screenAsHub(account, ['-wipe']); // forget dead sessions, else the start script may think it runs

    // Start as cron would.
    ctx.progress({ step: 'start' });
    const start = run(HUB_TOOLS.runuser, ['-u', account.name, '--', HUB_TOOLS.sh, '-c', cron.entry.command], {
      env: cronEnvironment(account),
      cwd: account.home,
      ignoreOutput: true,
      timeoutMs: 30_000,
    });
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
    // The certificate may have been renewed; keep the panel's pinned copy current.
    try {
      copyHubCertificate(account);
    } catch {
      /* the restart itself worked; the dashboard reports a certificate mismatch */
    }
    return { changed: true, stopped: before.map((p) => p.pid), hubPid: hub.pid, command: cron.entry.command };
  },
};
