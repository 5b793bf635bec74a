// The family hub (Debian's JupyterHub with our configuration, lib/shared/hub-kind.ts):
// its facts for hub-status, read by the agent as the panel's account: the unit
// through systemd, the certificate, the pid file and the log are readable there
// (a file that is not, such as the key, shows as its problem). Its restart is
// restart-hub's in the root part (systemctl, or family-hub without systemd).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { PANEL_HUB_TOKEN_FILE, TOKEN_RE } from '../../lib/shared/hub-facts';
import { FAMILY_HUB_CERT, FAMILY_HUB_CONFIG, FAMILY_HUB_CTL, FAMILY_HUB_KEY, FAMILY_HUB_LOG, FAMILY_HUB_PID_FILE, FAMILY_HUB_UNIT, type HubKind } from '../../lib/shared/hub-kind';
import { certFacts, hubProcesses, keyFacts, lastLines, type HubAccount } from './hub';
import { lastLine, runToolSync as runTool } from '../common/process';

const SYSTEMCTL = '/usr/bin/systemctl';
const JOURNALCTL = '/usr/bin/journalctl';
/** The hub runs as root: its processes are root's. */
const ROOT: HubAccount = { name: 'root', uid: 0, gid: 0, home: '/root' };

/** A root-owned file's text (at most maxBytes from its end), or null when missing. Never waits on a FIFO. */
function readRootFile(path: string, maxBytes: number): { text: string | null; offset: number; problem: string | null } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { text: null, offset: 0, problem: code === 'ENOENT' ? null : `${path}: ${code}` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { text: null, offset: 0, problem: `${path} is not a regular file` };
    const start = Math.max(0, st.size - maxBytes);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return { text: buf.subarray(0, got).toString('utf8'), offset: start, problem: null };
  } finally {
    closeSync(fd);
  }
}

function systemdFacts(): Record<string, string> {
  const r = runTool(SYSTEMCTL, ['show', FAMILY_HUB_UNIT, '--property=ActiveState,SubState,MainPID,NRestarts,ActiveEnterTimestamp'], { timeoutMs: 3000 });
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).slice(0, 200);
  }
  return out;
}

function backgroundPid(): number | null {
  const r = readRootFile(FAMILY_HUB_PID_FILE, 32);
  const pid = r.text && /^\d{1,10}\s*$/.test(r.text) ? Number(r.text.trim()) : null;
  return pid !== null && hubProcesses(ROOT).some((p) => p.pid === pid && p.kind === 'hub') ? pid : null;
}

function panelTokenValid(): boolean {
  return TOKEN_RE.test(readRootFile(PANEL_HUB_TOKEN_FILE, 256).text?.trim() ?? '');
}

function logLinesOf(kind: HubKind, lines: number): { path: string; exists: boolean; lines: string[]; problem: string | null } {
  if (kind === 'family-systemd') {
    const r = runTool(JOURNALCTL, ['--unit', FAMILY_HUB_UNIT, '--lines', String(lines), '--output', 'short-iso', '--no-pager', '--quiet'], { timeoutMs: 5000 });
    if (r.status !== 0) return { path: `journalctl -u ${FAMILY_HUB_UNIT}`, exists: false, lines: [], problem: lastLine(r.stderr) || `exit ${r.status}` };
    return { path: `journalctl -u ${FAMILY_HUB_UNIT}`, exists: true, lines: lastLines(r.stdout, lines, false), problem: null };
  }
  const file = readRootFile(FAMILY_HUB_LOG, Math.max(1, lines) * 4096);
  if (file.text === null) return { path: FAMILY_HUB_LOG, exists: false, lines: [], problem: file.problem };
  return { path: FAMILY_HUB_LOG, exists: true, lines: lastLines(file.text, lines, file.offset > 0), problem: null };
}

/** hub-status for the family hub. */
export function familyHubStatus(kind: 'family-systemd' | 'family-background', logLines: number): Record<string, unknown> {
  const certRead = readRootFile(FAMILY_HUB_CERT, 64 * 1024);
  const keyRead = readRootFile(FAMILY_HUB_KEY, 64 * 1024);
  const { facts: cert, cert: x509 } = certFacts(FAMILY_HUB_CERT, certRead.text, certRead.problem);
  const key = keyFacts(FAMILY_HUB_KEY, keyRead.text, keyRead.problem, x509);
  const result: Record<string, unknown> = {
    installed: true,
    kind,
    account: null,
    service: kind === 'family-systemd' ? { manager: 'systemd', unit: FAMILY_HUB_UNIT, ...systemdFacts() } : { manager: 'background', control: FAMILY_HUB_CTL, pid: backgroundPid() },
    processes: hubProcesses(ROOT),
    cert,
    key,
    config: { path: FAMILY_HUB_CONFIG, exists: true, problem: null, panelBlock: true },
    // The family hub is set up with the panel's token: nothing to connect.
    panel: { tokenFile: PANEL_HUB_TOKEN_FILE, tokenFileExists: panelTokenValid(), connected: panelTokenValid() },
  };
  if (logLines > 0) result.log = logLinesOf(kind, logLines);
  return result;
}
