import 'server-only';
// When each of the family's own services started, as the panel's account sees it:
// - the panel: this process;
// - under systemd, the hub and the helper from their units (`systemctl show`, no
//   root: the panel's unit has ProtectProc=invisible and sees no other process);
// - without systemd, the family hub from its pid file (checked against the
//   process's command line, so a reused pid is not taken for the hub), a seed hub
//   from the /proc scan of its account, the helper from its pid file.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { classifyCmdline } from '../shared/hub-facts';
import { detectHubKind, FAMILY_HUB_PID_FILE, FAMILY_HUB_UNIT, SEED_HUB_ACCOUNT } from '../shared/hub-kind';
import { scanHubProcesses } from '../shared/hub-processes';
import { uidFromPasswd } from '../shared/hub-facts';
import { processCmdline, processStartTime } from './process-start';

export type FamilyService = 'hub' | 'panel' | 'helper';

export type ServiceStart = { service: FamilyService; running: true; startedAt: number } | { service: FamilyService; running: false } | { service: FamilyService; unknown: string };

const HELPER_UNIT = 'jupyterhub-panel-helper.service';
const HELPER_PID_FILE = '/run/jupyterhub4family/helper.pid';
const HELPER_PATH = '/usr/libexec/jupyterhub-panel/helper';

/** Pure: `systemctl show --timestamp=unix -p ActiveState -p ExecMainStartTimestamp` -> the start, or not running. */
export function unitStartFrom(show: string): { running: true; startedAt: number } | { running: false } | null {
  const props = new Map(show.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
  if (props.get('ActiveState') !== 'active') return props.has('ActiveState') ? { running: false } : null;
  const at = /^@(\d+)$/.exec(props.get('ExecMainStartTimestamp') ?? '')?.[1];
  return at === undefined ? null : { running: true, startedAt: Number(at) * 1000 };
}

function unitStart(service: FamilyService, unit: string): Promise<ServiceStart> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/systemctl',
      ['show', unit, '--timestamp=unix', '--property=ActiveState,ExecMainStartTimestamp'],
      { timeout: 5000, env: { PATH: '/usr/bin:/bin', LANG: 'C' } as unknown as NodeJS.ProcessEnv },
      (error, stdout) => {
        const found = error ? null : unitStartFrom(stdout);
        resolve(found ? { service, ...found } : { service, unknown: error ? error.message : `systemctl show ${unit}: no start time` });
      },
    );
  });
}

function pidFromFile(path: string): number | null {
  try {
    const text = fs.readFileSync(path, 'utf8');
    return /^\d{1,10}\s*$/.test(text) ? Number(text.trim()) : null;
  } catch {
    return null;
  }
}

function started(service: FamilyService, pid: number | null): ServiceStart {
  if (pid === null) return { service, running: false };
  const at = processStartTime(pid);
  return at === null ? { service, unknown: `/proc/${pid}/stat could not be read` } : { service, running: true, startedAt: at };
}

function hubStart(): Promise<ServiceStart> | ServiceStart {
  const kind = detectHubKind();
  if (kind === 'none') return { service: 'hub', running: false };
  if (kind === 'family-systemd') return unitStart('hub', FAMILY_HUB_UNIT);
  if (kind === 'family-background') {
    const pid = pidFromFile(FAMILY_HUB_PID_FILE);
    const argv = pid === null ? null : processCmdline(pid);
    return started('hub', argv && classifyCmdline(argv) === 'hub' ? pid : null);
  }
  let passwd = '';
  try {
    passwd = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    /* no account: no seed hub */
  }
  const account = uidFromPasswd(passwd, SEED_HUB_ACCOUNT);
  const hub = account ? scanHubProcesses(account.uid).processes.find((p) => p.kind === 'hub') : undefined;
  return started('hub', hub?.pid ?? null);
}

function helperStart(): Promise<ServiceStart> | ServiceStart {
  if (fs.existsSync('/run/systemd/system')) return unitStart('helper', HELPER_UNIT);
  const pid = pidFromFile(HELPER_PID_FILE);
  const argv = pid === null ? null : processCmdline(pid);
  return started('helper', argv && argv.includes(HELPER_PATH) && argv.includes('--serve') ? pid : null);
}

/** The start of the hub, the panel and the helper (not running: started afresh, so on current code). */
export async function serviceStarts(): Promise<ServiceStart[]> {
  const panel = processStartTime('self');
  return Promise.all([
    hubStart(),
    panel === null ? { service: 'panel' as const, unknown: '/proc/self/stat could not be read' } : { service: 'panel' as const, running: true as const, startedAt: panel },
    helperStart(),
  ]);
}
