// server/request-handler.ts and server/static-files.ts: what the panel answers
// before Next (liveness, precompressed static assets) carries the same security
// headers as everything else, and whatever the fast paths do not know is left to
// Next. A real HTTP server on loopback, a stand-in for Next's handler, a
// throwaway .next/static.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { panelRequestHandler } from '../../server/request-handler';
import { acceptedEncodings, assetPath, StaticFiles } from '../../server/static-files';
import { securityHeaders } from '../../lib/http/security-headers';

const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-static-'));
const chunks = path.join(appDir, '.next', 'static', 'chunks');
fs.mkdirSync(chunks, { recursive: true });
const JS = 'console.log("panel");'.repeat(50);
fs.writeFileSync(path.join(chunks, 'a1.js'), JS);
fs.writeFileSync(path.join(chunks, 'a1.js.br'), zlib.brotliCompressSync(JS));
fs.writeFileSync(path.join(chunks, 'a1.js.gz'), zlib.gzipSync(JS));
fs.writeFileSync(path.join(chunks, 'b2.css'), 'body{color:red}');
fs.writeFileSync(path.join(appDir, 'secret.txt'), 'not an asset');

const nextCalls: Array<{ url: string; csp: string | undefined; address: string | undefined }> = [];
let server: http.Server;
let base = '';

before(async () => {
  const handler = panelRequestHandler({
    next: async (req, res) => {
      nextCalls.push({ url: req.url ?? '', csp: req.headers['content-security-policy'] as string | undefined, address: req.headers['x-jh4f-client-address'] as string | undefined });
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('from next');
    },
    staticFiles: new StaticFiles(appDir),
    https: true,
    onError: () => undefined,
  });
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  fs.rmSync(appDir, { recursive: true, force: true });
});

function get(pathname: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // A raw path: no URL normalization by the client ("/../" stays as sent).
    const req = http.request(`${base}/`, { method, path: pathname, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SECURITY = Object.keys(securityHeaders('x', true)).map((h) => h.toLowerCase());

function hasSecurityHeaders(headers: http.IncomingHttpHeaders, what: string): void {
  for (const h of SECURITY) assert.ok(headers[h], `${what}: ${h} missing`);
  assert.match(String(headers['content-security-policy']), /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/, what);
}

test('GET and HEAD /panel/api/health: answered without Next, with every security header', async () => {
  const before = nextCalls.length;
  const r = await get('/panel/api/health');
  assert.equal(r.status, 200);
  const body = JSON.parse(r.body.toString());
  assert.deepEqual([body.ok, body.service, typeof body.uptimeSeconds], [true, 'jupyterhub-panel', 'number']);
  assert.equal(r.headers['cache-control'], 'no-store');
  hasSecurityHeaders(r.headers, 'health');
  const head = await get('/panel/api/health', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(nextCalls.length, before, 'Next was not asked');
  // Two answers, two nonces.
  const again = await get('/panel/api/health');
  assert.notEqual(again.headers['content-security-policy'], r.headers['content-security-policy']);
});

test('static assets: the brotli file when accepted, else gzip, else the original; immutable; security headers', async () => {
  const before = nextCalls.length;
  const br = await get('/panel/_next/static/chunks/a1.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(zlib.brotliDecompressSync(br.body).toString(), JS);
  assert.equal(br.headers['content-type'], 'application/javascript; charset=utf-8');
  assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(br.headers.vary, 'Accept-Encoding');
  assert.equal(Number(br.headers['content-length']), br.body.length);
  hasSecurityHeaders(br.headers, 'static asset');

  const gz = await get('/panel/_next/static/chunks/a1.js', { 'accept-encoding': 'br;q=0, gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(zlib.gunzipSync(gz.body).toString(), JS);

  const plain = await get('/panel/_next/static/chunks/a1.js');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString(), JS);

  const css = await get('/panel/_next/static/chunks/b2.css', { 'accept-encoding': 'br' });
  assert.deepEqual([css.status, css.headers['content-encoding'], css.body.toString()], [200, undefined, 'body{color:red}']);
  assert.equal(nextCalls.length, before, 'Next was not asked');
});

test('anything the fast paths do not know goes to Next, with the nonce and the client address', async () => {
  const before = nextCalls.length;
  for (const p of [
    '/panel/_next/static/chunks/missing.js',
    '/panel/_next/static/../../secret.txt',
    '/panel/_next/static/chunks/%2e%2e/%2e%2e/%2e%2e/secret.txt',
    '/panel/_next/static/chunks/a1.js.br', // an unknown type: Next decides
    '/panel/_next/static/chunks/a1.js?v=1',
    '/panel/api/health?x=1',
    '/panel/family',
  ]) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    assert.equal(r.body.toString(), 'from next', p);
    hasSecurityHeaders(r.headers, p);
  }
  const calls = nextCalls.slice(before);
  assert.equal(calls.length, 7);
  assert.ok(calls.every((c) => /nonce-/.test(c.csp ?? '') && c.address === '127.0.0.1'));
  const post = await get('/panel/api/health', {}, 'POST');
  assert.equal(post.body.toString(), 'from next', 'only GET and HEAD are answered early');
});

test('/ redirects to the base path', async () => {
  const r = await get('/');
  assert.deepEqual([r.status, r.headers.location], [308, '/panel']);
  hasSecurityHeaders(r.headers, 'redirect');
});

test('Accept-Encoding and asset paths are parsed strictly', () => {
  assert.deepEqual([...acceptedEncodings('gzip, br;q=0.5, zstd;q=0')].sort(), ['br', 'gzip']);
  assert.deepEqual([...acceptedEncodings(undefined)], []);
  assert.equal(assetPath('/panel/_next/static/chunks/x.js'), 'chunks/x.js');
  assert.equal(assetPath('/panel/_next/static/BUILD_ID-x/_buildManifest.js'), 'BUILD_ID-x/_buildManifest.js');
  for (const bad of [
    '/panel/_next/static/../x.js',
    '/panel/_next/static/chunks/./x.js',
    '/panel/_next/static/.hidden',
    '/panel/_next/static//x.js',
    '/panel/_next/x.js',
    '/panel/_next/static/a%20b.js',
  ]) {
    assert.equal(assetPath(bad), null, bad);
  }
});
