import 'server-only';
// Which hub and proxy processes run, as the dashboard's process checks see them,
// for each kind of hub (lib/shared/hub-kind.ts):
// - family-systemd: the panel sees no other account's processes (ProtectProc=
//   invisible), so the hub is its unit's main process and the proxy is whatever
//   answers on the proxy's API port;
// - family-background: root's processes, from the one /proc scan
//   (lib/shared/hub-processes.ts); root's namespace links are closed to the panel,
//   and the family hub is this pid namespace's, which is what counts;
// - seed: the hub account's processes from the scan, or the helper's (root) list
//   when the panel could not see which network namespace they are in.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { FAMILY_HUB_PID_FILE, FAMILY_HUB_UNIT, type HubKind } from '../shared/hub-kind';
import { scanHubProcesses, type HubProcess } from '../shared/hub-processes';
import type { HubStatusFacts } from './hub-status';

/** The family hub's proxy API (system/hub/jupyterhub_config.py). */
export const PROXY_API_PORT = 8001;

/** `systemctl show` of the hub's unit, as the panel account (no root needed). */
export function unitFacts(timeoutMs: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/systemctl',
      ['show', FAMILY_HUB_UNIT, '--property=ActiveState,SubState,MainPID'],
      { timeout: timeoutMs, env: { PATH: '/usr/bin:/bin', LANG: 'C' } as unknown as NodeJS.ProcessEnv },
      (error, stdout) => {
        if (error) return reject(error);
        const out: Record<string, string> = {};
        for (const line of stdout.split('\n')) {
          const eq = line.indexOf('=');
          if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
        }
        resolve(out);
      },
    );
  });
}

function proxyApiAnswers(timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port: PROXY_API_PORT, timeout: Math.min(timeoutMs, 1000) });
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/** The family hub under systemd: its unit's main process, and the proxy (pid 0: unknown) if its API port answers. */
async function unitProcesses(timeoutMs: number): Promise<HubProcess[]> {
  const out: HubProcess[] = [];
  const u = await unitFacts(timeoutMs).catch(() => ({}) as Record<string, string>);
  const pid = Number(u.MainPID ?? 0);
  if (u.ActiveState === 'active' && pid > 0) out.push({ pid, kind: 'hub', stopped: false });
  if (await proxyApiAnswers(timeoutMs)) out.push({ pid: 0, kind: 'proxy', stopped: false });
  return out;
}

/** The hub's processes for the kind of hub; `uid` is the account the hub runs as. */
export async function hubProcessesOf(kind: Exclude<HubKind, 'none'>, uid: number, status: Promise<HubStatusFacts>, timeoutMs: number): Promise<HubProcess[]> {
  if (kind === 'family-systemd') return unitProcesses(timeoutMs);
  const own = scanHubProcesses(uid);
  if (!own.unverified || kind === 'family-background') return own.processes;
  try {
    const s = await status;
    if (Array.isArray(s.processes)) return s.processes;
  } catch {
    /* the helper failed: take the unverified list */
  }
  return own.processes;
}

/** The background hub's pid (root's pid file), when that process is the hub. */
export async function backgroundHubPid(procs: Promise<HubProcess[]>): Promise<number | null> {
  let text: string;
  try {
    text = await fs.promises.readFile(FAMILY_HUB_PID_FILE, 'utf8');
  } catch {
    return null;
  }
  const pid = /^\d{1,10}\s*$/.test(text) ? Number(text.trim()) : null;
  return pid !== null && (await procs).some((p) => p.pid === pid && p.kind === 'hub') ? pid : null;
}
