// Pure knowledge about how the family's JupyterHub runs, shared by the root
// helper (privileged-helper/root/commands/hub-*.ts) and the panel (lib/hub/checks.ts):
// which processes are the hub and its proxy, the crontab line that starts it,
// `screen -ls` output, and the marked block of the hub config that connect-hub
// writes. No I/O, so both sides and the unit tests can use it.
// The one file of the panel's service name and scopes; system/hub/panel-service.json,
// which the set-up installs for the hub's config, is a link to it.
import panelService from './panel-service.json';

export { HUB_ACCOUNT } from './names';
export const CRONTAB_MARKER = '#jupyterhub-service#';
export const SCREEN_SESSION = 'jupyterhub_serve';
/** The panel's name and scopes as a hub service: one file, also read by the family hub's config. */
export const PANEL_SERVICE_NAME: string = panelService.name;
export const BLOCK_BEGIN = '# BEGIN jupyterhub-panel (managed by jupyterhub4family panel)';
export const BLOCK_END = '# END jupyterhub-panel';
/** What the panel asks the hub for: read the hub, read users and their servers (with last activity), start/stop servers. */
export const PANEL_SCOPES: readonly string[] = panelService.scopes;
import { TOKEN_RE } from './hub-token';
import { parsePasswd } from './account-files';

export { PANEL_HUB_CERT_COPY, PANEL_HUB_TOKEN_FILE, TOKEN_RE } from './hub-token';

export type HubProcessKind = 'hub' | 'proxy';

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}

/**
 * Classify a process by its argv (/proc/PID/cmdline split at NUL). The hub is
 * `[python3] /usr/bin/jupyterhub ...` (an argument whose base name is exactly
 * `jupyterhub`, so `jupyterhub-singleuser` servers are not the hub); the proxy
 * is `node .../configurable-http-proxy ...`. Only the first two words count, so
 * an editor with `jupyterhub` as a file argument is not taken for the hub.
 */
export function classifyCmdline(argv: readonly string[]): HubProcessKind | null {
  for (const word of argv.slice(0, 2)) {
    const base = basename(word);
    if (base === 'jupyterhub') return 'hub';
    if (base === 'configurable-http-proxy') return 'proxy';
  }
  return null;
}

/** /proc/PID/cmdline content -> argv. */
export function splitCmdline(raw: string): string[] {
  return raw.split('\0').filter((w, i, all) => !(w === '' && i === all.length - 1));
}

/** The real uid from /proc/PID/status ("Uid:\treal\teffective\t..."), or null. */
export function uidFromStatus(status: string): number | null {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m ? Number(m[1]) : null;
}

/** The uid and home of an account in /etc/passwd text (the shared parser), or null. */
export function uidFromPasswd(passwd: string, name: string): { uid: number; home: string } | null {
  const account = parsePasswd(passwd).get(name);
  return account ? { uid: account.uid, home: account.home } : null;
}

export interface CrontabEntry {
  /** The whole line as in the crontab. */
  line: string;
  /** The schedule: five fields or an @word. */
  schedule: string;
  /** The command cron hands to /bin/sh, with the marker comment removed. */
  command: string;
}

/**
 * The line of `crontab -l` output marked `#jupyterhub-service#` (not commented
 * out), split into schedule and command. Null when there is none.
 */
export function findServiceCrontabLine(crontab: string): CrontabEntry | null {
  for (const raw of crontab.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || !line.includes(CRONTAB_MARKER)) continue;
    // Environment assignments (NAME=value) are not jobs.
    if (/^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) continue;
    const words = line.split(/\s+/);
    const scheduleWords = line.startsWith('@') ? 1 : 5;
    if (words.length <= scheduleWords) continue;
    const schedule = words.slice(0, scheduleWords).join(' ');
    let rest = line;
    for (let i = 0; i < scheduleWords; i++) rest = rest.replace(/^\S+\s+/, '');
    const command = rest.replace(CRONTAB_MARKER, '').trim();
    if (!command) continue;
    return { line, schedule, command };
  }
  return null;
}

/**
 * Can the crontab command be run the way cron runs it? Cron turns an unescaped
 * `%` into a newline and feeds the rest to stdin; the helper does not imitate that.
 */
export function crontabCommandProblem(command: string): string | null {
  if (/(^|[^\\])%/.test(command)) return 'the crontab command uses %, which the panel cannot reproduce';
  if (command.length > 4096) return 'the crontab command is too long';
  return null;
}

export interface ScreenSession {
  pid: number;
  name: string;
  state: string;
}

/** Sessions in `screen -ls` output ("\t12345.jupyterhub_serve\t(Detached)"). */
export function parseScreenLs(output: string): ScreenSession[] {
  const out: ScreenSession[] = [];
  for (const line of output.split('\n')) {
    const m = /^\s+(\d+)\.(\S+)\s+(?:\([^)]*\)\s+)?\(([^)]+)\)/.exec(line);
    if (m) out.push({ pid: Number(m[1]), name: m[2]!, state: m[3]! });
  }
  return out;
}

/** The marked block connect-hub puts into jupyterhub_config.py. The token is checked, never quoted blindly. */
export function renderPanelBlock(token: string): string {
  if (!TOKEN_RE.test(token)) throw new Error('the token must be 64 hex digits');
  const scopes = PANEL_SCOPES.map((s) => `'${s}'`).join(', ');
  return [
    BLOCK_BEGIN,
    '# The family panel reads the hub state and stops servers with this service token.',
    '# connect-hub rewrites these lines; changes made here are lost.',
    `_jh4f_service = {'name': '${PANEL_SERVICE_NAME}', 'api_token': '${token}'}`,
    `_jh4f_role = {'name': '${PANEL_SERVICE_NAME}', 'scopes': [${scopes}], 'services': ['${PANEL_SERVICE_NAME}']}`,
    'for _jh4f_key, _jh4f_item in (("services", _jh4f_service), ("load_roles", _jh4f_role)):',
    '    _jh4f_list = c.JupyterHub[_jh4f_key]',
    '    if isinstance(_jh4f_list, list):',
    `        c.JupyterHub[_jh4f_key] = [x for x in _jh4f_list if not (isinstance(x, dict) and x.get('name') == '${PANEL_SERVICE_NAME}')] + [_jh4f_item]`,
    '    else:  # not set yet, or only appended to: a traitlets LazyConfigValue',
    '        _jh4f_list.append(_jh4f_item)',
    'del _jh4f_service, _jh4f_role, _jh4f_key, _jh4f_item, _jh4f_list',
    BLOCK_END,
  ].join('\n');
}

export interface BlockReplacement {
  text: string;
  /** Whether a block was there before (and was replaced). */
  replaced: boolean;
}

/**
 * Put the block into the config text: replace an existing marked block (from
 * BEGIN to END, both lines included), else append it at the end, so it wins over
 * earlier settings. A BEGIN without END is refused rather than guessed at.
 */
export function replacePanelBlock(config: string, block: string): BlockReplacement {
  const lines = config.split('\n');
  const begin = lines.findIndex((l) => l.trim() === BLOCK_BEGIN);
  if (begin !== -1) {
    const endRel = lines.slice(begin + 1).findIndex((l) => l.trim() === BLOCK_END);
    if (endRel === -1) throw new Error(`the hub config has "${BLOCK_BEGIN}" without "${BLOCK_END}"`);
    const end = begin + 1 + endRel;
    const next = [...lines.slice(0, begin), ...block.split('\n'), ...lines.slice(end + 1)];
    return { text: next.join('\n'), replaced: true };
  }
  const base = config.length === 0 || config.endsWith('\n') ? config : `${config}\n`;
  return { text: `${base}\n${block}\n`, replaced: false };
}

/** The token inside a marked block, if any (hub-status reports whether the panel is connected). */
export function tokenInBlock(config: string): string | null {
  const lines = config.split('\n');
  const begin = lines.findIndex((l) => l.trim() === BLOCK_BEGIN);
  if (begin === -1) return null;
  for (const line of lines.slice(begin + 1)) {
    if (line.trim() === BLOCK_END) break;
    const m = /'api_token': '([0-9a-f]{64})'/.exec(line);
    if (m) return m[1]!;
  }
  return null;
}
