// The helper as a service: the panel's requests over a Unix socket, one request
// per connection. Under systemd the socket is jupyterhub-panel-helper.socket's
// (socket activation, Accept=no: this one process serves every connection and
// leaves when idle); without systemd the set-up starts `helper --serve`, which
// makes the socket itself. Either way the socket is root:jupyterhub-panel 0660 in
// a root-owned folder: only the panel's account can connect, which is the same
// gate the polkit rule was (YES for jupyterhub-panel, the actor checked here).
//
// Protocol: the client sends one JSON line {"argv": [COMMAND, ARGS...], "stdin":
// "PASSWORD"?}; the helper answers with JSON lines, progress then the last line
// ({"ok": ..., "exitCode": N}; where the agent answered, its own last line, whose
// error code names the exit code), and closes. A client that closes its sending side
// (or the whole connection) cancels a long command (install-packages); the answer
// comes once everything the command started has ended.
import { chmodSync, chownSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import net from 'node:net';
import { readSystemState } from './accounts';
import type { Caller } from './context';
import { HelperFailure, systemError, usage } from '../common/errors';
import { clearEnvironment, execute, type RequestIo } from './execute';
import { passwordFromInput } from './password';
import { PANEL_ACCOUNT } from './policy';

export const SOCKET_PATH = '/run/jupyterhub4family/helper.sock';
const MAX_REQUEST_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;
/** Socket-activated: leave after this long without a connection (systemd starts us again). */
const IDLE_EXIT_MS = 120_000;

interface Request {
  argv: string[];
  stdin: string | null;
}

/** The first line of a connection, checked. Pure. */
export function parseRequest(line: string): Request {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    throw usage('the request is not JSON', 'bad_request');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw usage('the request must be a JSON object', 'bad_request');
  const { argv, stdin } = data as Record<string, unknown>;
  if (!Array.isArray(argv) || argv.length === 0 || argv.length > 16 || !argv.every((a) => typeof a === 'string')) {
    throw usage('argv must be a list of 1 to 16 strings', 'bad_request');
  }
  if (stdin !== undefined && stdin !== null && typeof stdin !== 'string') throw usage('stdin must be a string', 'bad_request');
  return { argv: argv as string[], stdin: typeof stdin === 'string' ? stdin : null };
}

function panelCaller(): Caller {
  const account = readSystemState().user(PANEL_ACCOUNT);
  if (!account) throw systemError(`there is no account ${PANEL_ACCOUNT}`, 'panel_account_missing', { user: PANEL_ACCOUNT });
  return { uid: account.uid, name: account.name, isPanel: true };
}

function handle(sock: net.Socket): void {
  let buffered = '';
  let started = false;
  const cancel = new AbortController();
  const send = (obj: unknown) => {
    if (!sock.destroyed) sock.write(`${JSON.stringify(obj)}\n`);
  };
  const timer = setTimeout(() => sock.destroy(), REQUEST_TIMEOUT_MS);
  sock.setEncoding('utf8');
  sock.on('error', () => cancel.abort('the connection failed'));
  // The caller cancels by closing its sending side (it still reads the answer);
  // a caller that dies closes both.
  sock.on('end', () => {
    cancel.abort('cancelled by the caller');
    if (!started) sock.end();
  });
  sock.on('close', () => cancel.abort('cancelled by the caller (the connection closed)'));
  sock.on('data', (chunk: string) => {
    if (started) return; // nothing is expected after the request line
    buffered += chunk;
    const nl = buffered.indexOf('\n');
    if (nl === -1) {
      if (buffered.length > MAX_REQUEST_BYTES) sock.destroy();
      return;
    }
    started = true;
    clearTimeout(timer);
    void run(buffered.slice(0, nl));
  });

  async function run(line: string): Promise<void> {
    let request: Request;
    try {
      request = parseRequest(line);
    } catch (e) {
      // parseRequest fails only with HelperFailure; anything else is a bug, said as such.
      const f = e instanceof HelperFailure ? e : usage(`unexpected error reading the request: ${String(e)}`, 'bad_request');
      send({ ...f.line(), exitCode: f.exitCode });
      sock.end();
      return;
    }
    const io: RequestIo = {
      progress: (p) => send({ progress: p }),
      readPassword: () => {
        const input = Buffer.from(request.stdin ?? '', 'utf8');
        try {
          return passwordFromInput(input);
        } finally {
          input.fill(0);
        }
      },
      cancelSignal: () => cancel.signal,
      output: (chunk) => {
        if (!sock.destroyed) sock.write(chunk);
      },
    };
    const outcome = await execute(request.argv, panelCaller, io, 'socket');
    if (outcome.line) send({ ...outcome.line, exitCode: outcome.exitCode });
    sock.end();
  }
}

/**
 * The socket's folder, made at start as systemd would for a socket unit: /run is
 * empty after a boot. An existing one must be root's own directory, closed to
 * others (only root could have made it in /run); anything else is refused.
 */
function ensureRootFolder(dir: string): void {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st) {
    mkdirSync(dir, { mode: 0o755 });
    return;
  }
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a root-owned directory closed to others; remove it and start me again`);
  }
}

/** A socket of our own (no systemd): root:PANEL 0660 in a root-owned folder. */
function listenOnPath(server: net.Server, path: string): void {
  ensureRootFolder(dirname(path));
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing?.isSocket()) unlinkSync(path); // left by a helper that died
  const old = process.umask(0o177); // created 0600: nobody else can connect before the chown
  server.listen(path, () => {
    process.umask(old);
    const group = readSystemState().group(PANEL_ACCOUNT);
    chownSync(path, 0, group?.gid ?? 0);
    chmodSync(path, 0o660);
  });
}

export function serve(argv: readonly string[]): void {
  // systemd's socket activation (sd_listen_fds): read before the environment goes.
  const activated = process.env.LISTEN_PID === String(process.pid) && process.env.LISTEN_FDS === '1';
  clearEnvironment();
  process.umask(0o022);
  let open = 0;
  let idle: NodeJS.Timeout | null = null;
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    open += 1;
    if (idle) clearTimeout(idle);
    sock.on('close', () => {
      open -= 1;
      if (activated && open === 0) idle = setTimeout(() => server.close(() => process.exit(0)), IDLE_EXIT_MS);
    });
    handle(sock);
  });
  if (activated) {
    server.listen({ fd: 3 });
    idle = setTimeout(() => server.close(() => process.exit(0)), IDLE_EXIT_MS);
  } else {
    listenOnPath(server, argv[1] ?? SOCKET_PATH);
  }
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => server.close(() => process.exit(0)));
}
