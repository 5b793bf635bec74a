// A small HTTPS client for tests: trusts the sandbox panel's certificate, keeps the
// session cookie, sends the panel's own Origin on state-changing requests.
import https from 'node:https';
import fs from 'node:fs';
import { sandboxEnv } from './fixtures';

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
  ms: number;
}

export function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    ca?: string;
    /** Trust exactly the `ca` certificate, whatever names it holds (the hub's has no subjectAltName). */
    pinned?: boolean;
  } = {},
): Promise<TestResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        // Browsers always send a length; the panel answers 411 to chunked bodies.
        headers: options.body === undefined ? options.headers : { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
        ca: fs.readFileSync(options.ca ?? sandboxEnv().panelCa),
        ...(options.pinned ? { checkServerIdentity: () => undefined } : {}),
        timeout: 30_000,
        // A fresh connection each time: tests restart the panel, and a kept-alive
        // socket to the old process would hang up.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown = undefined;
          try {
            json = JSON.parse(body);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json, ms: performance.now() - started });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** A logged-in (or not yet) client of the sandbox panel. */
export class PanelClient {
  cookie: string | null = null;
  readonly env = sandboxEnv();

  async call(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (this.cookie) headers.cookie = this.cookie;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    if (method !== 'GET' && method !== 'HEAD') headers.origin ??= this.env.panelOrigin;
    const res = await request(`${this.env.panelUrl}${path}`, { method, headers, body: payload });
    const setCookie = res.headers['set-cookie'];
    for (const line of setCookie ?? []) {
      const [pair = ''] = line.split(';');
      if (pair.startsWith('jh4f_session=')) this.cookie = /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) ? null : pair;
    }
    return res;
  }

  async login(username: string, password: string): Promise<TestResponse> {
    return this.call('POST', '/api/session', { username, password });
  }
}

/** The hub's own API with the sandbox's test token (or another), pinned to the hub's certificate. */
export function hubApi(method: string, path: string, token = sandboxEnv().hubToken): Promise<TestResponse> {
  const env = sandboxEnv();
  return request(`${env.hubUrl}${path}`, { method, headers: { authorization: `token ${token}` }, ca: env.hubCa, pinned: true });
}
