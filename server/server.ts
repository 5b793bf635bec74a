// The panel's process: Node's HTTPS server with the Next.js app inside it.
// Why a custom server: TLS with the set-up's certificate, security headers with a
// per-request CSP nonce on every response (static files too), a body-size limit
// before Next reads anything, the client address for PAM_RHOST, and a plain-HTTP
// redirect on the same port.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import next from 'next';
import { loadConfig } from '../lib/config';
import { BASE_PATH } from '../lib/constants';
import { panelRequestHandler } from './request-handler';
import { StaticFiles } from './static-files';

const config = loadConfig();
const appDir = process.env.JH4F_APP_DIR || path.resolve(__dirname, '..', '..');

function log(message: string) {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

/**
 * The Next config as `next build` resolved it (.next/required-server-files.json),
 * handed to Next the way its own standalone server does (the `conf` option and
 * __NEXT_PRIVATE_STANDALONE_CONFIG; `conf` alone still lets Next load the file
 * once more). Without it Next compiles next.config.ts at every start, which loads
 * its 100 MB SWC binary: about 23 MiB of resident memory for as long as the panel
 * runs. Missing: Next loads the file as before.
 */
function builtNextConfig(): Record<string, unknown> | null {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(appDir, '.next', 'required-server-files.json'), 'utf8')) as { config?: unknown };
    return manifest.config && typeof manifest.config === 'object' ? (manifest.config as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * SECURITY-CASES 13, as the design stands now: the panel runs under NoNewPrivileges by
 * design and reaches the root helper over its socket, never through setuid
 * pkexec. What would make every change fail is a missing socket: say so plainly.
 */
/** As lib/helper/client.ts reaches it (not imported: the server bundle stays small). */
const HELPER_SOCKET = process.env.JH4F_HELPER_SOCKET || '/run/jupyterhub4family/helper.sock';

function selfTest() {
  const socket = fs.statSync(HELPER_SOCKET, { throwIfNoEntry: false });
  if (!socket?.isSocket()) {
    log(
      `WARNING: the root helper's socket ${HELPER_SOCKET} is missing: every change through the helper will fail. Start jupyterhub-panel-helper.socket (systemd) or run the set-up command again.`,
    );
  }
  if (process.getuid?.() === 0) log('WARNING: the panel runs as root; it should run as the account jupyterhub-panel.');
}

async function main() {
  selfTest();
  const conf = builtNextConfig();
  if (conf) process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(conf);
  const app = next({ dev: false, dir: appDir, ...(conf ? { conf } : {}) });
  const handle = app.getRequestHandler();
  await app.prepare();
  const useTls = !config.insecureHttp;

  const onRequest = panelRequestHandler({
    next: handle,
    staticFiles: new StaticFiles(appDir),
    https: useTls,
    onError: (error) => log(`request failed: ${error instanceof Error ? error.stack : String(error)}`),
  });

  if (!useTls) {
    http.createServer(onRequest).listen(config.port, config.host, () => log(`jupyterhub-panel listening on http://${config.host}:${config.port}${BASE_PATH}/ (development, loopback only)`));
    return;
  }

  const tlsServer = https.createServer({ cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey), minVersion: 'TLSv1.2' }, onRequest);
  // Plain HTTP on the HTTPS port gets a redirect instead of a TLS error page.
  const redirectServer = http.createServer((req, res) => {
    const host = (req.headers.host ?? `localhost:${config.port}`).replace(/[^A-Za-z0-9.:[\]-]/g, '');
    res.writeHead(301, { Location: `https://${host}${BASE_PATH}`, connection: 'close' }).end();
  });
  const front = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.setTimeout(120_000, () => socket.destroy());
    // Peek at the first byte without consuming it: 0x16 starts a TLS handshake.
    socket.once('readable', () => {
      const first: Buffer | null = socket.read(1);
      if (!first) return void socket.destroy();
      socket.unshift(first);
      (first[0] === 0x16 ? tlsServer : redirectServer).emit('connection', socket);
    });
  });
  front.listen(config.port, config.host, () => log(`jupyterhub-panel listening on https://${config.host}:${config.port}${BASE_PATH}/`));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log(`${signal}: shutting down`);
      front.close();
      process.exit(0);
    });
  }
}

main().catch((error: unknown) => {
  log(`start-up failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
