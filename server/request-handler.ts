// Every request of the panel goes through here first: the security headers (a
// fresh CSP nonce each time) on every response, the client address only this
// server may set, then what is answered before Next (the redirect to the base
// path, liveness, precompressed static assets, bodies that are too large) and
// everything else handed to Next. Kept apart from server/server.ts (TLS,
// start-up) so unit tests can drive it with a stand-in for Next.
import crypto from 'node:crypto';
import type http from 'node:http';
import { BASE_PATH, CLIENT_ADDRESS_HEADER, MAX_BODY_BYTES } from '../lib/constants';
import { HEALTH_PATH, healthBody } from '../lib/http/health';
import { securityHeaders } from '../lib/http/security-headers';
import type { StaticFiles } from './static-files';

export interface HandlerOptions {
  /** Next's request handler. */
  next: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<unknown>;
  staticFiles: Pick<StaticFiles, 'serve'>;
  /** Served over TLS: adds Strict-Transport-Security. */
  https: boolean;
  onError: (error: unknown) => void;
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

export function panelRequestHandler(opts: HandlerOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const nonce = crypto.randomBytes(16).toString('base64');
    for (const [name, value] of Object.entries(securityHeaders(nonce, opts.https))) res.setHeader(name, value);
    // Next.js reads the nonce from the request's CSP header and puts it on its scripts.
    req.headers['content-security-policy'] = res.getHeader('Content-Security-Policy') as string;
    // Only this server may say where a request came from (PAM_RHOST, throttling).
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? '';

    const url = req.url ?? '/';
    if (url === '/' || url === '') {
      res.writeHead(308, { Location: BASE_PATH }).end();
      return;
    }
    // Answered here, before Next's request pipeline, with the headers above:
    // liveness is polled (monitoring, the set-up), static assets are files.
    if (url === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = healthBody();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (opts.staticFiles.serve(req, res)) return;
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
    opts.next(req, res).catch((error: unknown) => {
      opts.onError(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal', message: 'Internal error.' }));
    });
  };
}
