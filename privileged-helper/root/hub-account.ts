// The root part's few hub facts: which account the agent runs as for the hub, the
// family hub's restart where no systemd runs (family-hub: that hub is root's; under
// systemd the panel restarts jupyterhub.service itself), and writing the root-owned
// files the panel reads (its token; the hours). Everything else about the hub is the
// agent's (agent/), with the hub account's or the panel's rights.
import { closeSync, constants, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { FAMILY_HUB_CTL, FAMILY_HUB_PID_FILE, SEED_HUB_ACCOUNT } from '../../lib/shared/hub-kind';
import { readSystemState } from './accounts';
import { systemError } from '../common/errors';
import type { AgentAccount } from './run';
import { runRootJob } from './run';

/** An account from /etc/passwd, in the shape runAgent takes; null when there is none. */
export function agentAccount(name: string): AgentAccount | null {
  const a = readSystemState().user(name);
  return a && a.home.startsWith('/') ? { name: a.name, uid: a.uid, gid: a.gid, home: a.home } : null;
}

export function requireHubAccount(): AgentAccount {
  const a = agentAccount(SEED_HUB_ACCOUNT);
  if (!a) throw systemError(`there is no account ${SEED_HUB_ACCOUNT}: JupyterHub is not installed here`);
  return a;
}

/** Write a root-owned file atomically with the given owner and mode (in a root-owned directory). */
export function writeRootFile(path: string, content: string, uid: number, gid: number, mode: number): void {
  const tmp = `${path}.new`;
  try {
    unlinkSync(tmp);
  } catch {
    /* not there */
  }
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    fchownSync(fd, uid, gid);
    fchmodSync(fd, mode);
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The background family hub's pid, from root's own /run/jupyterhub4family. */
function familyHubPid(): number | null {
  let text = '';
  try {
    text = readFileSync(FAMILY_HUB_PID_FILE, 'utf8');
  } catch {
    /* none */
  }
  const pid = /^\d{1,10}\s*$/.test(text) ? Number(text.trim()) : 0;
  return pid > 0 ? pid : null;
}

/**
 * restart-hub for the family hub where no systemd runs: family-hub restart (that
 * hub is root's), a root job of up to 90 s, awaited so the helper answers other
 * requests meanwhile; its time limit ends the script's whole group (its sleeps
 * and curls), never the hub it starts, which has a session of its own. The
 * caller's cancel is not passed on: a restart stopped half-way leaves no hub,
 * and the panel's own timeout (60 s, shorter than the restart's 90) closes the
 * connection, which would cancel it.
 */
export async function restartFamilyHub(): Promise<{ stopped: number[]; hubPid: number | null; how: string }> {
  const before = familyHubPid();
  let said = '';
  const r = await runRootJob(FAMILY_HUB_CTL, ['restart'], {
    timeoutMs: 90_000,
    onLine: (line, stream) => {
      if (stream === 'stderr' && line.trim() !== '') said = line.trim().slice(0, 300);
    },
  });
  const how = `${FAMILY_HUB_CTL} restart`;
  if (r.end !== 'exited' || r.exitCode !== 0) {
    throw systemError(`${how} failed: ${said || (r.end === 'timed-out' ? 'did not finish in time' : r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`)}`);
  }
  return { stopped: before ? [before] : [], hubPid: familyHubPid(), how };
}
