// The agent's view of a seed hub (jupyterhub4family 1.0): where its files are, its
// crontab line and screen session, its processes, and its files. Used by
// hub-status.ts, restart-hub.ts and connect-hub.ts in this folder. This runs as the
// hub account itself (the root helper starts the agent with its ids, run.ts
// runAgent), so nothing here can reach a file the hub account could not anyway.
// The reads stay in a bounded child of their own: the account may still put a FIFO
// or a never-answering FUSE file where its files should be, and hub-status must
// answer the dashboard within its deadline.
import { spawnSync } from 'node:child_process';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { scanHubProcesses, type HubProcess } from '../../lib/shared/hub-processes';
import { CRONTAB_MARKER, SCREEN_SESSION, findServiceCrontabLine, parseScreenLs, type CrontabEntry, type ScreenSession } from '../../lib/shared/hub-facts';
import { userInfo } from 'node:os';
import { systemError } from '../common/errors';
import { CHILD_ENV, lastLine, NEW_SESSION, sleepMs } from '../common/process';

export const HUB_TOOLS = {
  crontab: '/usr/bin/crontab',
  screen: '/usr/bin/screen',
  cat: '/usr/bin/cat',
  tail: '/usr/bin/tail',
  sh: '/bin/sh',
} as const;

export interface HubAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface HubPaths {
  config: string;
  cert: string;
  key: string;
  log: string;
}

/** The account this agent runs as: the seed hub's (the root helper chose it). */
export function hubAccount(): HubAccount {
  const me = userInfo();
  return { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir };
}

/** jupyterhub4family's layout under the hub account's home. */
export function hubPaths(account: HubAccount): HubPaths {
  return {
    config: `${account.home}/etc/jupyterhub_config.py`,
    cert: `${account.home}/etc/cert.crt`,
    key: `${account.home}/etc/cert.key`,
    log: `${account.home}/bootstrap.log`,
  };
}

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  error: string | null;
}

/** Run a program (absolute path, argument array, no shell), optionally as the hub account. */
export function run(
  path: string,
  args: readonly string[],
  opts: { as?: HubAccount; input?: Buffer | string; timeoutMs?: number; env?: Record<string, string>; cwd?: string; ignoreOutput?: boolean } = {},
): Ran {
  const r = spawnSync(path, [...args], {
    env: { ...(opts.env ?? CHILD_ENV) } as NodeJS.ProcessEnv,
    cwd: opts.cwd ?? '/',
    stdio: opts.ignoreOutput ? 'ignore' : [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    ...(opts.input !== undefined && !opts.ignoreOutput ? { input: opts.input } : {}),
    ...(opts.as ? { uid: opts.as.uid, gid: opts.as.gid } : {}),
    // Runs the hub account's code (directly or through runuser): no terminal for it.
    ...NEW_SESSION,
    timeout: opts.timeoutMs ?? 10_000,
    killSignal: 'SIGKILL',
    maxBuffer: 4 * 1024 * 1024,
    shell: false,
    windowsHide: true,
  });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout?.toString('utf8') ?? '',
    stderr: r.stderr?.toString('utf8') ?? '',
    timedOut: code === 'ETIMEDOUT',
    error: r.error && code !== 'ETIMEDOUT' ? (code ?? r.error.message) : null,
  };
}

function describeFailure(what: string, r: Ran): string {
  if (r.error) return `${what}: ${r.error}`;
  if (r.timedOut) return `${what}: did not finish in time`;
  return `${what} failed (${r.signal ? `signal ${r.signal}` : `exit ${r.status}`}): ${lastLine(r.stderr) || 'no message'}`;
}

// ---- the hub account's files, read and written as the hub account ---------------------
//
// The hub account may put anything in place of its files: a FIFO (a plain read
// would wait for a writer), a link to a root file, a file of many gigabytes, or
// a FUSE file whose read never returns. So every read happens in a child running
// as the hub account (uid/gid, no supplementary groups: not even the hub
// account's group shadow), which opens with O_NOFOLLOW | O_NONBLOCK, refuses
// what fstat says is not a regular file (a FIFO is opened without waiting and
// never read), reads at most a fixed number of bytes, and is killed when its
// time is up. One child reads all the files one command needs.

/** The most a whole-file read takes (a certificate, a key, the hub config). Larger: refused, never cut. */
export const MAX_HUB_FILE_BYTES = 1024 * 1024;
/** Bytes read from the end of a log per line asked for (lines longer than 2000 characters are cut anyway). */
const TAIL_BYTES_PER_LINE = 4096;
const MAX_LINE_CHARS = 2000;

export interface HubRead {
  path: string;
  /** Read the last this-many lines instead of the whole file. */
  tailLines?: number;
  /** Whole-file reads: the largest file accepted (default MAX_HUB_FILE_BYTES). */
  maxBytes?: number;
}

export interface HubFile {
  /** The content; null when the file does not exist or could not be read (then `problem` says why). */
  text: string | null;
  problem: string | null;
  /** Tail reads: where in the file `text` starts. */
  offset?: number;
}

// Runs as the hub account. argv[1]: JSON [{path, max, tail}]. For each file, in
// order, one header line on stdout, then (for OK) exactly N raw bytes:
//   OK N      |  ERR CODE [SIZE]
// CODE: ENOENT, ELOOP (a link), NOTREG (not a regular file), TOOBIG, or an errno code.
const READ_SCRIPT = `
const fs = require('fs');
const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = fs.constants;
const out = [];
for (const r of JSON.parse(process.argv[1])) {
  let fd;
  try {
    fd = fs.openSync(r.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  } catch (e) {
    out.push(Buffer.from('ERR ' + (e.code || 'EIO') + '\\n'));
    continue;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) { out.push(Buffer.from('ERR NOTREG\\n')); continue; }
    if (!r.tail && st.size > r.max) { out.push(Buffer.from('ERR TOOBIG ' + st.size + '\\n')); continue; }
    const start = r.tail ? Math.max(0, st.size - r.max) : 0;
    const buf = Buffer.alloc(Math.min(st.size - start, r.max));
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    out.push(Buffer.from('OK ' + got + ' ' + start + '\\n'), buf.subarray(0, got));
  } catch (e) {
    out.push(Buffer.from('ERR ' + (e.code || 'EIO') + '\\n'));
  } finally {
    fs.closeSync(fd);
  }
}
const all = Buffer.concat(out);
for (let off = 0; off < all.length; ) off += fs.writeSync(1, all, off);
`;

/** The last `lines` lines of a text; when it was read from the middle of its file (cutAtStart), its first, partial line is dropped. Pure. */
export function lastLines(text: string, lines: number, cutAtStart: boolean): string[] {
  let all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  if (cutAtStart && all.length > 1) all = all.slice(1);
  return all.slice(-lines).map((l) => l.slice(0, MAX_LINE_CHARS));
}

function readProblem(path: string, account: HubAccount, code: string, size: string | undefined, max: number): string {
  switch (code) {
    case 'ELOOP':
      return `${path} is a symbolic link; the helper does not follow links in ${account.name}'s home`;
    case 'NOTREG':
      return `${path} is not a regular file`;
    case 'TOOBIG':
      return `${path} is too large (${size} bytes; at most ${max} are read)`;
    default:
      return `reading ${path} as ${account.name}: ${code}`;
  }
}

/**
 * Read files of the hub account, as the hub account, in one child bounded by
 * timeoutMs (all files together) and by the bytes asked for. A missing file is
 * {text: null, problem: null}.
 */
export function readFilesAsHub(account: HubAccount, reads: readonly HubRead[], timeoutMs = 5000): HubFile[] {
  if (reads.length === 0) return [];
  const plan = reads.map((r) => ({
    path: r.path,
    tail: r.tailLines !== undefined,
    max: r.tailLines !== undefined ? Math.max(1, r.tailLines) * TAIL_BYTES_PER_LINE : (r.maxBytes ?? MAX_HUB_FILE_BYTES),
  }));
  const budget = plan.reduce((n, p) => n + p.max + 64, 0);
  const r = spawnSync(process.execPath, ['-e', READ_SCRIPT, JSON.stringify(plan)], {
    env: { ...CHILD_ENV } as NodeJS.ProcessEnv,
    cwd: '/',
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: account.uid,
    gid: account.gid,
    ...NEW_SESSION,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: budget,
    shell: false,
    windowsHide: true,
  });
  const failed = (why: string): HubFile[] => plan.map((p) => ({ text: null, problem: `reading ${p.path} as ${account.name}: ${why}` }));
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ETIMEDOUT') return failed('did not finish in time');
  if (r.error) return failed(code ?? r.error.message);
  if (r.status !== 0) return failed(`the reader failed (${r.signal ? `signal ${r.signal}` : `exit ${r.status}`}): ${lastLine(r.stderr?.toString('utf8') ?? '') || 'no message'}`);

  // The child runs as the hub account, which could tamper with it: its answer is
  // parsed as untrusted data (headers checked, lengths bounded by the plan).
  const out: HubFile[] = [];
  const buf = r.stdout;
  let off = 0;
  for (const p of plan) {
    const nl = buf.indexOf(0x0a, off);
    const header = nl === -1 ? '' : buf.subarray(off, nl).toString('latin1');
    let m: RegExpExecArray | null;
    if ((m = /^OK (\d+) (\d+)$/.exec(header)) && Number(m[1]) <= p.max && nl + 1 + Number(m[1]) <= buf.length) {
      const text = buf.subarray(nl + 1, nl + 1 + Number(m[1])).toString('utf8');
      off = nl + 1 + Number(m[1]);
      out.push({ text, problem: null, ...(p.tail ? { offset: Number(m[2]) } : {}) });
    } else if ((m = /^ERR ([A-Z]{2,12})(?: (\d{1,20}))?$/.exec(header))) {
      off = nl + 1;
      out.push(m[1] === 'ENOENT' ? { text: null, problem: null } : { text: null, problem: readProblem(p.path, account, m[1]!, m[2], p.max) });
    } else {
      return failed('the reader gave a malformed answer');
    }
  }
  return out;
}

/** A file's content read by the hub account itself; null when it does not exist. */
export function readAsHub(account: HubAccount, path: string, timeoutMs = 5000, maxBytes = MAX_HUB_FILE_BYTES): HubFile {
  return readFilesAsHub(account, [{ path, maxBytes }], timeoutMs)[0]!;
}

/** The lines of a tail read by readFilesAsHub (see tailAsHub). */
export function tailLines(file: HubFile, lines: number): { lines: string[] | null; problem: string | null } {
  if (file.text === null) return { lines: null, problem: file.problem };
  return { lines: lastLines(file.text, lines, (file.offset ?? 0) > 0), problem: null };
}

/** The last lines of a file, read by the hub account (at most lines x 4 KiB from its end). */
export function tailAsHub(account: HubAccount, path: string, lines: number, timeoutMs = 3000): { lines: string[] | null; problem: string | null } {
  return tailLines(readFilesAsHub(account, [{ path, tailLines: lines }], timeoutMs)[0]!, lines);
}

// Runs as the hub account: replaces the file named in argv with stdin, atomically
// (a temporary file next to it, same mode, then rename). The file must be a
// regular file, opened without following a link or waiting on a FIFO.
const WRITE_SCRIPT = `
const fs = require('fs');
const p = process.argv[1];
const data = fs.readFileSync(0);
const fd0 = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
const st = fs.fstatSync(fd0);
fs.closeSync(fd0);
if (!st.isFile()) throw new Error(p + ' is not a regular file');
const t = p + '.jh4f-new';
try { fs.unlinkSync(t); } catch {}
const fd = fs.openSync(t, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, st.mode & 0o7777);
fs.writeSync(fd, data);
fs.fsyncSync(fd);
fs.closeSync(fd);
fs.renameSync(t, p);
`;

/** Replace a file of the hub account with new content, as the hub account. */
export function writeAsHub(account: HubAccount, path: string, content: string): void {
  if (Buffer.byteLength(content) > MAX_HUB_FILE_BYTES) throw systemError(`refusing to write more than ${MAX_HUB_FILE_BYTES} bytes to ${path}`);
  const r = run(process.execPath, ['-e', WRITE_SCRIPT, path], { as: account, input: content, timeoutMs: 10_000 });
  if (r.status !== 0) throw systemError(describeFailure(`writing ${path} as ${account.name}`, r));
}

export interface CrontabFacts {
  entry: CrontabEntry | null;
  problem: string | null;
}

/** The hub account's crontab line marked #jupyterhub-service#. */
export function crontabFacts(account: HubAccount): CrontabFacts {
  const r = run(HUB_TOOLS.crontab, ['-l'], { timeoutMs: 3000 });
  if (r.status === 0) {
    const entry = findServiceCrontabLine(r.stdout);
    return { entry, problem: entry ? null : `the crontab of ${account.name} has no line marked ${CRONTAB_MARKER}` };
  }
  if (/no crontab/i.test(r.stderr)) return { entry: null, problem: `${account.name} has no crontab` };
  return { entry: null, problem: describeFailure('crontab -l', r) };
}

export interface ScreenFacts {
  running: boolean;
  sessions: ScreenSession[];
  problem: string | null;
}

/** `screen -ls` as the hub account (this agent runs as it); running when a session jupyterhub_serve exists. */
export function screenFacts(): ScreenFacts {
  const r = run(HUB_TOOLS.screen, ['-ls'], { timeoutMs: 3000 });
  // screen -ls exits 1 both with and without sessions; the text tells.
  if (r.error || r.timedOut) return { running: false, sessions: [], problem: describeFailure('screen -ls', r) };
  const sessions = parseScreenLs(r.stdout).filter((s) => s.name === SCREEN_SESSION);
  return { running: sessions.some((s) => !/dead/i.test(s.state)), sessions, problem: null };
}

export type { HubProcess } from '../../lib/shared/hub-processes';

/**
 * Processes of the hub account that are the hub or its proxy, in this network
 * namespace (the one /proc scan, lib/shared/hub-processes.ts, which the panel
 * uses too): a hub in a container or another sandbox is never signalled.
 */
export function hubProcesses(account: HubAccount): HubProcess[] {
  return scanHubProcesses(account.uid).processes;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie is as good as gone (its parent has not reaped it yet).
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Wait until none of the pids is alive, at most waitMs. Returns the survivors. */
export function waitGone(pids: readonly number[], waitMs: number): number[] {
  const deadline = Date.now() + waitMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    sleepMs(100);
    alive = alive.filter(isAlive);
  }
  return alive;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

export interface CertFacts {
  path: string;
  exists: boolean;
  problem: string | null;
  pem?: string;
  subject?: string;
  issuer?: string;
  notBefore?: string;
  notAfter?: string;
  fingerprint256?: string;
  subjectAltName?: string | null;
}

/** Parse a certificate's facts (the PEM is public; the panel pins it). */
export function certFacts(path: string, text: string | null, problem: string | null): { facts: CertFacts; cert: X509Certificate | null } {
  if (text === null) return { facts: { path, exists: problem !== null, problem }, cert: null };
  try {
    const cert = new X509Certificate(text);
    const pem = cert.toString();
    return {
      facts: {
        path,
        exists: true,
        problem: null,
        pem,
        subject: cert.subject,
        issuer: cert.issuer,
        notBefore: new Date(cert.validFrom).toISOString(),
        notAfter: new Date(cert.validTo).toISOString(),
        fingerprint256: cert.fingerprint256,
        subjectAltName: cert.subjectAltName ?? null,
      },
      cert,
    };
  } catch {
    return { facts: { path, exists: true, problem: `${path} is not a PEM certificate` }, cert: null };
  }
}

export interface KeyFacts {
  path: string;
  exists: boolean;
  /** Whether the private key belongs to the certificate (null: could not tell). */
  matchesCert: boolean | null;
  problem: string | null;
}

/** Whether the key file holds the private key of the certificate. The key itself never leaves this function. */
export function keyFacts(path: string, text: string | null, problem: string | null, cert: X509Certificate | null): KeyFacts {
  if (text === null) return { path, exists: problem !== null, matchesCert: null, problem };
  try {
    const pub = createPublicKey(text).export({ type: 'spki', format: 'der' });
    const matches = cert ? Buffer.compare(pub, cert.publicKey.export({ type: 'spki', format: 'der' })) === 0 : null;
    return { path, exists: true, matchesCert: matches, problem: matches === false ? 'the key does not belong to the certificate' : null };
  } catch {
    return { path, exists: true, matchesCert: null, problem: `${path} is not a readable private key` };
  }
}
