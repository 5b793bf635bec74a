// The fresh-root suites' way out to Debian's mirror and the npm registry from a
// private network namespace, with no iptables, NAT or veth: two small processes
// joined by a unix socket (a file: it reaches across network namespaces).
//
//   net-proxy.ts serve SOCKET LOG      in the host's network: an HTTP proxy on the unix
//                                      socket SOCKET (root only, 0600). Plain http
//                                      requests by absolute URL (apt's mirror) and
//                                      CONNECT tunnels (npm's https registry); ports 80
//                                      and 443 only. Each destination is logged to LOG
//                                      the first time, so a run shows what the set-up
//                                      reached.
//   net-proxy.ts bridge PORT SOCKET    inside the private network: 127.0.0.1:PORT, each
//                                      connection passed through to SOCKET unchanged.
//
// Why: the machine under test runs its own family hub on 8000 and panel on 8010;
// in the host's network those ports may be held (the host's own appliance, or the
// outer machine of test/debian13/full-npm-test.sh). The root's apt and npm use
// http_proxy / https_proxy = http://127.0.0.1:PORT (test/fresh-root/namespace.sh).
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const ALLOWED_PORTS = new Set([80, 443]);

function logOnce(logFile: string) {
  const seen = new Set<string>();
  return (what: string) => {
    if (seen.has(what)) return;
    seen.add(what);
    fs.appendFileSync(logFile, `${new Date().toISOString()} ${what}\n`);
  };
}

/** host:port of a CONNECT target or an absolute http URL; undefined when not one we pass. */
function target(hostPort: string, defaultPort: number): { host: string; port: number } | undefined {
  const m = /^\[?([A-Za-z0-9.:-]+?)\]?(?::(\d+))?$/.exec(hostPort);
  if (!m) return undefined;
  const port = m[2] ? Number(m[2]) : defaultPort;
  return ALLOWED_PORTS.has(port) ? { host: m[1]!, port } : undefined;
}

function serve(socketPath: string, logFile: string) {
  const note = logOnce(logFile);
  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute http URLs only\n');
      return;
    }
    const to = url.protocol === 'http:' ? target(url.host, 80) : undefined;
    if (!to) {
      note(`refused ${req.method} ${url.protocol}//${url.host}`);
      res.writeHead(403).end('not passed by the test proxy\n');
      return;
    }
    note(`http ${to.host}:${to.port}`);
    // Hop-by-hop headers stay here; the rest goes on as the client sent it.
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const up = http.request({ host: to.host, port: to.port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.rawHeaders);
      upRes.pipe(res);
    });
    up.on('error', (e) => {
      note(`error ${to.host}:${to.port} ${e.message}`);
      if (!res.headersSent) res.writeHead(502).end(`${e.message}\n`);
      else res.destroy();
    });
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const to = target(req.url ?? '', 443);
    if (!to) {
      note(`refused CONNECT ${req.url}`);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    note(`CONNECT ${to.host}:${to.port}`);
    let established = false;
    const up = net.connect(to.port, to.host, () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', (e) => {
      note(`error ${to.host}:${to.port} ${e.message}`);
      // An answer, not a closed socket: node-pre-gyp asks github.com for a prebuilt
      // binary and builds from source on an error, but a tunnel closed without an
      // answer ended it with "Completion callback never invoked".
      if (!established) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      else client.destroy();
    });
    client.on('error', () => up.destroy());
  });
  fs.rmSync(socketPath, { force: true });
  // Only root may use it: the socket is created 0600 (umask), then checked.
  process.umask(0o177);
  server.listen(socketPath, () => {
    fs.appendFileSync(logFile, `${new Date().toISOString()} listening on ${socketPath}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function bridge(port: number, socketPath: string) {
  const server = net.createServer((c) => {
    const up = net.connect(socketPath);
    c.pipe(up);
    up.pipe(c);
    up.on('error', () => c.destroy());
    c.on('error', () => up.destroy());
  });
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'serve' && a && b) serve(a, b);
else if (mode === 'bridge' && a && /^\d+$/.test(a) && b) bridge(Number(a), b);
else {
  process.stderr.write('usage: net-proxy.ts serve SOCKET LOG | bridge PORT SOCKET\n');
  process.exit(2);
}
