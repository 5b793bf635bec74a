// The panel's process: Node's HTTPS server with the Next.js app inside it.
// Why a custom server: TLS with the set-up's certificate, security headers with a
// per-request CSP nonce on every response (static files too), a body-size limit
// before Next reads anything, the client address for PAM_RHOST, and a plain-HTTP
// redirect on the same port.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import next from 'next';
import { loadConfig } from '../lib/config';
import { HEALTH_PATH, healthBody } from '../lib/health';
import { securityHeaders } from '../lib/security-headers';
import { BASE_PATH, CLIENT_ADDRESS_HEADER, MAX_BODY_BYTES } from '../lib/constants';
import { StaticFiles } from './static-files';

const config = loadConfig();
const appDir = process.env.JH4F_APP_DIR || path.resolve(__dirname, '..', '..');

function log(message: string) {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

/**
 * Answers without reading the body, then closes the connection. The unread body is
 * discarded for at most 2 s so the client gets to read the answer instead of a reset.
 */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), 2000);
  res.on('finish', () => req.socket.end());
  req.socket.once('close', () => clearTimeout(timer));
}

/**
 * The Next config as `next build` resolved it (.next/required-server-files.json),
 * handed to Next the way its own standalone server does. Without it Next compiles
 * next.config.ts at every start, which loads its 100 MB SWC binary (about 23 MiB
 * of resident memory for as long as the panel runs). Missing: Next loads the file.
 */
function builtNextConfig(): Record<string, unknown> | null {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(appDir, '.next', 'required-server-files.json'), 'utf8')) as { config?: unknown };
    return manifest.config && typeof manifest.config === 'object' ? (manifest.config as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Case 13: pkexec is setuid; under NoNewPrivileges it cannot gain root, so say so at start. */
function selfTest() {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  if (/^NoNewPrivs:\s*1/m.test(status)) {
    log('WARNING: this process runs with NoNewPrivileges=1: pkexec cannot work, every change through the helper will fail. Remove NoNewPrivileges from the service.');
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
  const staticFiles = new StaticFiles(appDir);

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const nonce = crypto.randomBytes(16).toString('base64');
    for (const [name, value] of Object.entries(securityHeaders(nonce, useTls))) res.setHeader(name, value);
    // Next.js reads the nonce from the request's CSP header and puts it on its scripts.
    req.headers['content-security-policy'] = res.getHeader('Content-Security-Policy') as string;
    // Only this server may say where a request came from (PAM_RHOST, throttling).
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? '';

    const url = req.url ?? '/';
    if (url === '/' || url === '') {
      res.writeHead(308, { Location: BASE_PATH }).end();
      return;
    }
    // Answered here, before Next, with the headers above: liveness is polled, and
    // static assets are precompressed files.
    if (url === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = healthBody();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (staticFiles.serve(req, res)) return;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (req.headers['transfer-encoding'] && req.method !== 'GET' && req.method !== 'HEAD') {
      // Without a length we would have to read the body to bound it; browsers always send one.
      refuse(req, res, 411, { error: 'length_required', message: 'Send a Content-Length header.' });
      return;
    }
    if (declared > MAX_BODY_BYTES) {
      refuse(req, res, 413, { error: 'payload_too_large', message: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.` });
      return;
    }
    handle(req, res).catch((error: unknown) => {
      log(`request failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal', message: 'Internal error.' }));
    });
  };

  if (!useTls) {
    http.createServer(onRequest).listen(config.port, config.host, () =>
      log(`jupyterhub-panel listening on http://${config.host}:${config.port}${BASE_PATH}/ (development, loopback only)`),
    );
    return;
  }

  const tlsServer = https.createServer(
    { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey), minVersion: 'TLSv1.2' },
    onRequest,
  );
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
