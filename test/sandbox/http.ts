// A small HTTPS client for tests: trusts the sandbox panel's certificate, keeps the
// session cookie, sends the panel's own Origin on state-changing requests.
import https from 'node:https';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { sandboxEnv, type SandboxEnv } from './fixtures';
import { until } from './wait';

/** Where the panel and the hub are and which certificates they have: the sandbox's, or a fresh machine's (test/debian13). */
export type HttpEnv = Pick<SandboxEnv, 'panelUrl' | 'panelOrigin' | 'panelCa' | 'hubUrl' | 'hubCa' | 'hubToken'>;

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

  constructor(readonly env: HttpEnv = sandboxEnv()) {}

  async call(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (this.cookie) headers.cookie = this.cookie;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    if (method !== 'GET' && method !== 'HEAD') headers.origin ??= this.env.panelOrigin;
    const res = await request(`${this.env.panelUrl}${path}`, { method, headers, body: payload, ca: this.env.panelCa });
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
export function hubApi(method: string, path: string, token?: string, body?: unknown, env: HttpEnv = sandboxEnv()): Promise<TestResponse> {
  token ??= env.hubToken;
  const headers: Record<string, string> = { authorization: `token ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return request(`${env.hubUrl}${path}`, { method, headers, ca: env.hubCa, pinned: true, body: body === undefined ? undefined : JSON.stringify(body) });
}

/**
 * Someone at the hub's own pages, as a browser is: a cookie jar, the hub's login
 * form with its _xsrf token. The hub's certificate is pinned (a seed hub's has no
 * subjectAltName).
 */
export class HubVisitor {
  private readonly cookies = new Map<string, string>();

  constructor(readonly env: HttpEnv = sandboxEnv()) {}

  async call(method: string, path: string, form?: Record<string, string>): Promise<TestResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await request(`${this.env.hubUrl}${path}`, { method, headers, body, ca: this.env.hubCa, pinned: true });
    for (const line of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }

  /** The login form: true when the hub set its login cookie. */
  async login(username: string, password: string): Promise<{ loggedIn: boolean; status: number; body: string }> {
    const form = await this.call('GET', '/hub/login');
    const xsrf = /name="_xsrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const res = await this.call('POST', '/hub/login', { _xsrf: xsrf, username, password });
    const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    return { loggedIn: res.status === 302 && setCookies.some((c) => c.startsWith('jupyterhub-hub-login=')), status: res.status, body: res.body };
  }
}

// Runs in a child Node with --experimental-websocket (Node 20 has no WebSocket by
// default): one execute_request over the kernel's websocket, prints what came back.
const KERNEL_SCRIPT = `
const [url, code] = process.argv.slice(1);
const ws = new WebSocket(url);
const id = 'jh4f-' + Date.now();
let text = '';
let status = '';
let idle = false;
const timer = setTimeout(() => { console.log(JSON.stringify({ status: 'timeout', text })); process.exit(2); }, 30000);
ws.onopen = () => ws.send(JSON.stringify({
  header: { msg_id: id, username: 'test', session: id, msg_type: 'execute_request', version: '5.3', date: new Date().toISOString() },
  parent_header: {}, metadata: {}, channel: 'shell', buffers: [],
  content: { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true },
}));
ws.onmessage = (e) => {
  const m = JSON.parse(typeof e.data === 'string' ? e.data : Buffer.from(e.data).toString());
  if (m.parent_header?.msg_id !== id) return;
  if (m.msg_type === 'stream') text += m.content.text;
  if (m.msg_type === 'execute_reply') status = m.content.status;
  // Output comes on iopub, the reply on shell: done when both the reply and iopub's idle are in.
  if (m.msg_type === 'status' && m.content.execution_state === 'idle') idle = true;
  if (status && idle) { clearTimeout(timer); console.log(JSON.stringify({ status, text })); ws.close(); process.exit(0); }
};
ws.onerror = (e) => { console.log(JSON.stringify({ status: 'error', text: String(e.message || e.type) })); process.exit(3); };
`;

/**
 * Python code run in a kernel of a user's server, through the hub's proxy and the
 * kernel's websocket, as Jupyter's own front end does it (the family hub's
 * certificate, which has the address in its subjectAltNames, is trusted).
 */
export function runInKernel(user: string, kernelId: string, token: string, code: string, env: HttpEnv = sandboxEnv()): { status: string; text: string } {
  const url = `${env.hubUrl.replace(/^https:/, 'wss:')}/user/${user}/api/kernels/${kernelId}/channels?token=${token}`;
  const r = spawnSync(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', KERNEL_SCRIPT, url, code], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_EXTRA_CA_CERTS: env.hubCa } as unknown as NodeJS.ProcessEnv,
    timeout: 40_000,
  });
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    return { status: `no answer (exit ${r.status}): ${r.stderr.slice(0, 300)}`, text: '' };
  }
}

/**
 * Wait until the panel's family list shows USER's server running. A server started
 * outside the panel (the kid at the hub) shows within the age of the panel's server
 * list (SERVER_LIST_MAX_AGE_MS, 3 s, lib/hub/hub-client.ts): ten seconds is plenty.
 */
export async function untilPanelShowsRunning(client: PanelClient, user: string): Promise<void> {
  let last: unknown = null;
  await until(
    `the panel to show ${user}'s server running`,
    async () => {
      const list = await client.call('GET', `/api/members?q=${encodeURIComponent(user)}`);
      if (list.status !== 200) throw new Error(`GET /api/members: ${list.status} ${list.body.slice(0, 300)}`);
      last = (list.json.members as Array<{ user: string; hub: { running: boolean } | null }>).find((m) => m.user === user);
      return (last as { hub?: { running?: boolean } } | undefined)?.hub?.running === true;
    },
    10_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last: ${JSON.stringify(last)}`);
  });
}
