// The one /proc scan for the hub's processes, for the panel (lib/hub/processes.ts,
// as the panel account) and the root helper (privileged-helper/agent/hub.ts: which
// processes restart-hub may signal). Node built-ins only: the helper bundles it.
// Synchronous because the helper is; /proc is in memory, and the panel runs it at
// most once per health report (kept for a few seconds, lib/hub/report-cache.ts).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { classifyCmdline, splitCmdline, uidFromStatus, type HubProcessKind } from './hub-facts';

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

/** What the scan reads of /proc; tests give a stand-in. The paths stay literal: Next's output tracing follows them. */
export interface ProcReader {
  pids(): string[];
  status(pid: string): string;
  cmdline(pid: string): string;
  /** The target of ns/net ('self' for this process), or null when it cannot be read. */
  netNamespace(pid: string): string | null;
}

const realProc: ProcReader = {
  pids: () => readdirSync('/proc'),
  status: (pid) => readFileSync(`/proc/${pid}/status`, 'utf8'),
  cmdline: (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8'),
  netNamespace(pid) {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      return null;
    }
  },
};

/**
 * Processes of `uid` that are the hub or its proxy, in this network namespace: a
 * hub in a container or another sandbox, even under the same uid, is not the hub
 * on this machine's 127.0.0.1:8000 and is never signalled. Zombies are left out.
 */
export function scanHubProcesses(uid: number, proc: ProcReader = realProc): HubProcessScan {
  const processes: HubProcess[] = [];
  let unverified = false;
  const ownNet = proc.netNamespace('self');
  for (const name of proc.pids()) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = proc.status(name);
      if (uidFromStatus(status) !== uid) continue;
      const kind = classifyCmdline(splitCmdline(proc.cmdline(name)));
      if (!kind) continue;
      const state = /^State:\s+(\S)/m.exec(status)?.[1] ?? '';
      if (state === 'Z') continue;
      const net = proc.netNamespace(name);
      if (net === null) unverified = true;
      else if (ownNet !== null && net !== ownNet) continue;
      processes.push({ pid: Number(name), kind, stopped: state === 'T' });
    } catch {
      /* gone meanwhile, or not readable */
    }
  }
  return { processes: processes.sort((a, b) => a.pid - b.pid), unverified };
}
