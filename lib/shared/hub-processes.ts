// The one /proc scan for the hub's processes, for the panel (lib/hub/processes.ts,
// as the panel account) and the root helper (privileged-helper/agent/hub.ts: which
// processes restart-hub may signal). Node built-ins only: the helper bundles it.
// Synchronous because the helper is; /proc is in memory, and the panel runs it at
// most once per health report (kept for a few seconds, lib/hub-health.ts).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { classifyCmdline, splitCmdline, uidFromStatus, type HubProcessKind } from '../hub-facts';

export interface HubProcess {
  pid: number;
  kind: HubProcessKind;
  /** Stopped (SIGSTOP): it holds its ports but answers nothing. */
  stopped: boolean;
}

export interface HubProcessScan {
  processes: HubProcess[];
  /**
   * Some process's network namespace could not be read (another account's, as
   * the panel account sees root's): it is listed (unknown counts as ours), but it
   * may belong to another sandbox; the panel then prefers the helper's list.
   */
  unverified: boolean;
}

function netNamespace(pid: number | 'self', proc: string): string | null {
  try {
    return readlinkSync(`${proc}/${pid}/ns/net`);
  } catch {
    return null;
  }
}

/**
 * Processes of `uid` that are the hub or its proxy, in this network namespace: a
 * hub in a container or another sandbox, even under the same uid, is not the hub
 * on this machine's 127.0.0.1:8000 and is never signalled. Zombies are left out.
 * `proc` is /proc except in tests.
 */
export function scanHubProcesses(uid: number, proc = '/proc'): HubProcessScan {
  const processes: HubProcess[] = [];
  let unverified = false;
  const ownNet = netNamespace('self', proc);
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`${proc}/${name}/status`, 'utf8');
      if (uidFromStatus(status) !== uid) continue;
      const kind = classifyCmdline(splitCmdline(readFileSync(`${proc}/${name}/cmdline`, 'utf8')));
      if (!kind) continue;
      const state = /^State:\s+(\S)/m.exec(status)?.[1] ?? '';
      if (state === 'Z') continue;
      const net = netNamespace(Number(name), proc);
      if (net === null) unverified = true;
      else if (ownNet !== null && net !== ownNet) continue;
      processes.push({ pid: Number(name), kind, stopped: state === 'T' });
    } catch {
      /* gone meanwhile, or not readable */
    }
  }
  return { processes: processes.sort((a, b) => a.pid - b.pid), unverified };
}
