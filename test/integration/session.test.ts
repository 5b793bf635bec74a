// Parents log in: PAM, sessions, throttling and the guard, against the REAL panel
// inside the test sandbox (SECURITY-CASES.md 5, 15-24, 31-33). Different clients
// are different loopback source addresses (127.0.0.x, 127.0.1.x): the panel takes
// the client address from the socket.
//
// Setup (test/sandbox/run.sh): the production panel as jupyterhub-panel at
// JH4F_PANEL_URL with the PAM service /etc/pam.d/jupyterhub-panel; accounts
// mama, papa (jupyterhub_adm), anna, ben (jupyterhub), kim, sudoer, `locked`
// (usermod -L) and `expired` (chage -E 0). Each test checks the real state: rows
// in /var/lib/jupyterhub-panel/panel.db (read-only, as root), response headers,
// /etc/group. Timeouts are shortened through panel.env (restartPanel), not waited out.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/session.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { kids, others, parents, sandboxEnv } from '../sandbox/fixtures';
import { PanelClient as SandboxClient, request, type TestResponse } from '../sandbox/http';
import { readPanelEnv, restartPanel, restorePanel } from '../sandbox/panel-control';

assert.equal(process.env.JH4F_SANDBOX, '1', 'run inside the sandbox: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/session.test.ts');
const env = sandboxEnv();

/**
 * The sandbox client, with a Content-Length on every body: without one Node sends
 * the body chunked, and the panel's server refuses that with 411 (as it should).
 */
class PanelClient extends SandboxClient {
  override call(method: string, p: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<TestResponse> {
    const headers = body === undefined ? extraHeaders : { 'content-length': String(Buffer.byteLength(JSON.stringify(body))), ...extraHeaders };
    return super.call(method, p, body, headers);
  }
}
const REPO = path.resolve(__dirname, '..', '..');

/**
 * One request from a chosen loopback source address (another client to the panel),
 * with any headers (a foreign Host too). The panel's own Origin unless one is given.
 */
function send(method: string, p: string, options: { from?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<TestResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { origin: env.panelOrigin, ...options.headers };
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${env.panelUrl}${p}`,
      {
        method,
        headers,
        ca: fs.readFileSync(env.panelCa),
        localAddress: options.from ?? '127.0.0.1',
        // The certificate is checked for the address connected to, whatever Host the test sends.
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(new URL(env.panelUrl).hostname, cert),
        agent: false,
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json, ms: performance.now() - started });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${p}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const loginFrom = (from: string, username: string, password: string) => send('POST', '/api/session', { from, body: { username, password } });

/** One query on the panel's database, read-only; the connection is closed at once. */
function q<T = Record<string, unknown>>(sql: string, ...args: unknown[]): T[] {
  const conn = new Database(env.db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare(sql).all(...args) as T[];
  } finally {
    conn.close();
  }
}
const lastAuditId = () => Number(q<{ id: number | null }>('SELECT max(id) AS id FROM audit')[0]?.id ?? 0);
const auditSince = (id: number) =>
  q<{ action: string; actor: string | null; target: string | null; outcome: string; detail: string | null; client_address: string | null }>(
    'SELECT * FROM audit WHERE id > ? ORDER BY id',
    id,
  ).map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null }));
const sessionsOf = (username: string) => q<{ id_hash: string }>('SELECT id_hash FROM sessions WHERE username = ?', username);
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const tokenOf = (c: PanelClient) => (c.cookie ?? '').replace(/^jh4f_session=/, '');

function setCookieLine(res: TestResponse): string {
  const lines = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return lines.find((l) => l.startsWith('jh4f_session=')) ?? '';
}

async function loggedIn(username: keyof typeof parents): Promise<PanelClient> {
  const c = new PanelClient();
  const res = await c.login(username, parents[username]);
  assert.equal(res.status, 200, `${username} logs in: ${res.body}`);
  return c;
}

/** The throttle table is cleared between groups of tests so one case's failures do not block the next. */
function clearThrottle(): void {
  const conn = new Database(env.db, { fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    conn.exec('DELETE FROM login_throttle');
  } finally {
    conn.close();
  }
}

/**
 * The panel opens panel.db on first use; a lookup of a (well-formed, unknown)
 * session makes it do so, so the test never creates the file as root.
 */
async function ensureDatabase(): Promise<void> {
  const res = await request(`${env.panelUrl}/api/session`, { headers: { cookie: `jh4f_session=${'A'.repeat(43)}` } });
  assert.equal(res.status, 401);
}

const originalEnv = readPanelEnv();
before(ensureDatabase);
after(async () => {
  await restorePanel(originalEnv);
  // Later test files log in from 127.0.0.1 too: leave no throttle behind.
  clearThrottle();
});

describe('login and logout', () => {
  before(clearThrottle);

  test('a parent logs in: 200 with name, a session row holding only the hash, an audit row with the address', async () => {
    const mark = lastAuditId();
    const c = new PanelClient();
    const res = await c.login('mama', parents.mama);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, { user: { username: 'mama', fullName: 'Maria Mustermann' } });
    const token = tokenOf(c);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const rows = q('SELECT * FROM sessions WHERE id_hash = ?', sha256(token));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.username, 'mama');
    assert.equal(q('SELECT * FROM sessions WHERE id_hash = ? OR id_hash = ?', token, sha256(sha256(token))).length, 0);
    const who = await c.call('GET', '/api/session');
    assert.equal(who.status, 200);
    assert.equal(who.json.user.username, 'mama');
    const audit = auditSince(mark);
    assert.deepEqual(
      audit.map((a) => [a.action, a.actor, a.target, a.outcome, a.client_address]),
      [['login', 'mama', 'mama', 'ok', '127.0.0.1']],
    );
  });

  test('case 21/22: the cookie is Secure, HttpOnly, SameSite=Strict, Path=/panel, host-only', async () => {
    const res = await new PanelClient().login('papa', parents.papa);
    const line = setCookieLine(res);
    const attrs = line.split(';').map((s) => s.trim().toLowerCase());
    assert.ok(attrs.includes('path=/panel'), line);
    assert.ok(attrs.includes('httponly'), line);
    assert.ok(attrs.includes('samesite=strict'), line);
    assert.ok(attrs.includes('secure'), line);
    assert.ok(!attrs.some((a) => a.startsWith('domain=')), 'no Domain: host-only');
    assert.ok(!attrs.some((a) => a === 'path=/'), 'never Path=/ (the hub on port 8000 would get it)');
  });

  test('case 17: logout deletes the session on the server; the cookie replayed afterwards gets 401', async () => {
    const c = await loggedIn('papa');
    const token = tokenOf(c);
    const mark = lastAuditId();
    const out = await c.call('DELETE', '/api/session');
    assert.equal(out.status, 200);
    assert.match(setCookieLine(out), /Max-Age=0/);
    assert.equal(q('SELECT * FROM sessions WHERE id_hash = ?', sha256(token)).length, 0);
    assert.deepEqual(
      auditSince(mark).map((a) => [a.action, a.actor, a.outcome]),
      [['logout', 'papa', 'ok']],
    );
    const replay = await request(`${env.panelUrl}/api/session`, { headers: { cookie: `jh4f_session=${token}` } });
    assert.equal(replay.status, 401);
    assert.equal(replay.json.error, 'session_ended');
  });

  test('case 16: a planted cookie is never upgraded; login makes a new id and the planted session is deleted', async () => {
    // The "attacker" holds a real session of their own (papa) and plants it in mama's browser.
    const attacker = await loggedIn('papa');
    const planted = tokenOf(attacker);
    const victim = new PanelClient();
    victim.cookie = `jh4f_session=${planted}`;
    const res = await victim.login('mama', parents.mama);
    assert.equal(res.status, 200);
    assert.notEqual(tokenOf(victim), planted);
    assert.equal(q('SELECT * FROM sessions WHERE id_hash = ?', sha256(planted)).length, 0, 'the planted session is gone');
    const stale = await request(`${env.panelUrl}/api/session`, { headers: { cookie: `jh4f_session=${planted}` } });
    assert.equal(stale.status, 401);
    // A random planted value: same, the new id is fresh and the planted value opens nothing.
    const random = crypto.randomBytes(32).toString('base64url');
    const v2 = new PanelClient();
    v2.cookie = `jh4f_session=${random}`;
    assert.equal((await v2.login('mama', parents.mama)).status, 200);
    assert.notEqual(tokenOf(v2), random);
    assert.equal(q('SELECT * FROM sessions WHERE id_hash = ?', sha256(random)).length, 0);
  });

  test('case 19: unknown user and wrong password get the same answer, both audited as login_failed', async () => {
    const mark = lastAuditId();
    const a = await new PanelClient().login('nosuchuser', 'whatever-1');
    const b = await new PanelClient().login('mama', 'wrong-password');
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.deepEqual(a.json, b.json);
    assert.equal(a.json.error, 'invalid_credentials');
    assert.equal(setCookieLine(a), '');
    const audit = auditSince(mark);
    assert.deepEqual(
      audit.map((r) => [r.action, r.target, r.outcome, r.detail?.reason]),
      [
        ['login_failed', 'nosuchuser', 'failed', 'invalid_credentials'],
        ['login_failed', 'mama', 'failed', 'invalid_credentials'],
      ],
    );
    assert.ok(!JSON.stringify(audit).includes('wrong-password'), 'no password in the audit log');
  });

  test('a kid with the right password is told they are not a family admin; no session', async () => {
    const mark = lastAuditId();
    const res = await new PanelClient().login('anna', kids.anna);
    assert.equal(res.status, 403);
    assert.equal(res.json.error, 'not_family_admin');
    assert.equal(sessionsOf('anna').length, 0);
    const [row] = auditSince(mark);
    assert.equal(row?.action, 'login_failed');
    assert.equal(row?.outcome, 'refused');
    const sudoer = await new PanelClient().login('sudoer', others.sudoer);
    assert.equal(sudoer.json.error, 'not_family_admin', 'a sudoer is no parent either');
  });

  test('case 20: locked and expired accounts with the right password are refused with their own message, no session', async () => {
    clearThrottle();
    for (const name of ['locked', 'expired'] as const) {
      const mark = lastAuditId();
      const res = await new PanelClient().login(name, others[name]);
      assert.equal(res.status, 403, `${name}: ${res.body}`);
      assert.equal(res.json.error, 'account_unavailable');
      assert.equal(setCookieLine(res), '');
      assert.equal(sessionsOf(name).length, 0);
      const [row] = auditSince(mark);
      assert.deepEqual([row?.action, row?.outcome, row?.detail?.reason, row?.detail?.why], ['login_failed', 'refused', 'account_unavailable', name]);
      // The wrong password says nothing about the account's state.
      const wrong = await new PanelClient().login(name, 'not-the-password');
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.error, 'invalid_credentials');
    }
  });

  test('case 5: names with newline, tab or NUL are refused at once (no PAM call) and audited', async () => {
    clearThrottle();
    for (const username of ['alice\nbob', 'alice\tx', 'alice\u0000x']) {
      const mark = lastAuditId();
      const res = await new PanelClient().login(username, 'x');
      assert.equal(res.status, 400, JSON.stringify(username));
      assert.equal(res.json.error, 'invalid_input');
      assert.deepEqual(res.json.fields, { username: 'invalid_username' });
      // Refused before PAM: the audit row says no PAM call was made (a timing check
      // said the same less surely, and failed on a loaded machine).
      const [row] = auditSince(mark);
      assert.equal(row?.action, 'login_failed');
      assert.equal(row?.detail?.pamCalled, false);
      assert.ok(row?.target && !/[\n\t\0]/.test(row.target), 'stored escaped');
    }
    // A NUL in the password would cut it short in C: refused too.
    const mark = lastAuditId();
    const nul = await new PanelClient().login('mama', `${parents.mama}\u0000junk`);
    assert.equal(nul.status, 400);
    assert.equal(auditSince(mark)[0]?.detail?.pamCalled, false, 'no PAM call for a password with a NUL');
  });
});

describe('case 15: cross-origin requests to every state-changing endpoint', () => {
  before(clearThrottle);

  /** Every route handler in app/api with POST/PUT/PATCH/DELETE, with sample path parameters. */
  function mutatingEndpoints(): { method: string; path: string }[] {
    const out: { method: string; path: string }[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === 'route.ts') {
          const text = fs.readFileSync(full, 'utf8');
          const route = path
            .relative(path.join(REPO, 'app'), path.dirname(full))
            .replace(/\[username\]/g, 'anna')
            .replace(/\[[^\]]+\]/g, '1');
          for (const m of text.matchAll(/export (?:const|async function|function) (POST|PUT|PATCH|DELETE)\b/g)) out.push({ method: m[1]!, path: `/${route}` });
        }
      }
    };
    walk(path.join(REPO, 'app', 'api'));
    return out;
  }

  test('Origin evil.example, Origin null, the hub port, and text/plain bodies are refused; nothing changes', async () => {
    const endpoints = mutatingEndpoints();
    assert.ok(endpoints.some((e) => e.method === 'POST' && e.path === '/api/session'));
    assert.ok(endpoints.some((e) => e.method === 'DELETE' && e.path === '/api/session'));
    const c = await loggedIn('mama');
    const sessionHash = sha256(tokenOf(c));
    const mark = lastAuditId();
    const hubOrigin = new URL(env.panelUrl).origin.replace(/:\d+$/, ':8000');
    const body = { username: 'anna', password: 'x'.repeat(10) };
    for (const { method, path: p } of endpoints) {
      for (const origin of ['https://evil.example', 'null', hubOrigin]) {
        const res = await c.call(method, p, body, { origin });
        assert.equal(res.status, 403, `${method} ${p} with Origin ${origin}: ${res.status} ${res.body}`);
        assert.equal(res.json.error, 'forbidden_origin');
      }
      // Case 33: Origin and Host both foreign (DNS rebinding), with the valid cookie.
      for (const host of ['evil.example', 'evil.example:8010']) {
        const res = await send(method, p, { body, headers: { cookie: c.cookie!, origin: `https://${host}`, host } });
        assert.ok(res.status === 421 || res.status === 403, `${method} ${p} with Origin and Host ${host}: ${res.status} ${res.body}`);
        assert.ok(['misdirected_request', 'forbidden_origin'].includes(res.json.error), res.body);
      }
      const text = JSON.stringify(body);
      const plain = await request(`${env.panelUrl}${p}`, {
        method,
        headers: { cookie: c.cookie!, origin: env.panelOrigin, 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(text)) },
        body: text,
      });
      assert.equal(plain.status, 415, `${method} ${p} as text/plain: ${plain.body}`);
    }
    assert.equal(q('SELECT * FROM sessions WHERE id_hash = ?', sessionHash).length, 1, 'the cross-origin DELETE did not log out');
    // Nothing happened; each refused signed-in change is one refused row naming whose
    // cookie came and the path. The login and logout (no signed-in change) write none,
    // nor do the foreign Host (421) and text/plain (415) refusals.
    const signedIn = endpoints.filter((e) => e.path !== '/api/session');
    const rows = auditSince(mark);
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor, r.outcome, r.target, r.detail?.method, r.detail?.code, r.detail?.reason]),
      signedIn.flatMap(({ method, path: p }) => [1, 2, 3].map(() => ['request_refused', 'mama', 'refused', p, method, 'forbidden_origin', undefined])),
    );
    assert.equal((await c.call('GET', '/api/session')).status, 200);
  });

  test("case 33: reads under a foreign Host get 421; the panel's own names and addresses work", async () => {
    const c = await loggedIn('mama');
    const rebound = await send('GET', '/api/session', { headers: { cookie: c.cookie!, host: 'evil.example:8010' } });
    assert.equal(rebound.status, 421, rebound.body);
    assert.equal(rebound.json.error, 'misdirected_request');
    for (const host of ['127.0.0.1:8010', 'localhost:8010', '[::1]:8010']) {
      const res = await send('GET', '/api/session', { headers: { cookie: c.cookie!, host } });
      assert.equal(res.status, 200, `${host}: ${res.body}`);
    }
    const own = await send('DELETE', '/api/session', { headers: { cookie: c.cookie!, host: 'localhost:8010', origin: 'https://localhost:8010' } });
    assert.equal(own.status, 200, "the certificate's names are the panel's origins");
  });
});

describe('case 22: response headers', () => {
  test('page, API and static files carry CSP (nonce, no unsafe-inline), HSTS, nosniff, Referrer-Policy', async () => {
    const page = await request(`${env.panelUrl}`);
    assert.equal(page.status, 200);
    const css = page.body.match(/\/panel\/_next\/static\/[^"']+\.(?:css|js)/)?.[0];
    assert.ok(css, 'the page links a static file');
    const staticFile = await request(`${new URL(env.panelUrl).origin}${css}`);
    assert.equal(staticFile.status, 200);
    const api = await request(`${env.panelUrl}/api/session`);
    for (const res of [page, staticFile, api]) {
      const csp = String(res.headers['content-security-policy']);
      const script = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
      assert.match(script, /'nonce-[A-Za-z0-9+/=]{16,}'/);
      assert.doesNotMatch(script, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /object-src 'none'/);
      assert.match(csp, /base-uri 'none'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(String(res.headers['strict-transport-security']), /max-age=\d{7,}/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.ok(res.headers['referrer-policy'], 'Referrer-Policy');
    }
    // The nonce is per response, and it is the one on the page's scripts.
    const again = await request(`${env.panelUrl}`);
    const nonce = (r: TestResponse) => String(r.headers['content-security-policy']).match(/'nonce-([^']+)'/)?.[1];
    assert.notEqual(nonce(page), nonce(again));
    assert.ok(page.body.includes(`nonce="${nonce(page)}"`));
  });
});

describe('case 18: a parent removed from jupyterhub_adm', () => {
  before(clearThrottle);
  after(() => {
    execFileSync('/usr/bin/gpasswd', ['-a', 'mama', 'jupyterhub_adm'], { stdio: 'pipe' });
  });

  test('is refused at the next request; every session of theirs ends; audited', async () => {
    const c1 = await loggedIn('mama');
    const c2 = await loggedIn('mama');
    assert.ok(sessionsOf('mama').length >= 2);
    execFileSync('/usr/bin/gpasswd', ['-d', 'mama', 'jupyterhub_adm'], { stdio: 'pipe' });
    const mark = lastAuditId();
    const res = await c1.call('GET', '/api/session');
    assert.equal(res.status, 403);
    assert.equal(res.json.error, 'not_family_admin');
    assert.equal(sessionsOf('mama').length, 0);
    const mutation = await c2.call('DELETE', '/api/session');
    assert.equal(mutation.status, 200, 'logging out still works, and ends nothing more');
    const [row] = auditSince(mark);
    assert.deepEqual([row?.action, row?.actor, row?.detail?.reason], ['logout', 'mama', 'removed_from_admin_group']);
    const relogin = await new PanelClient().login('mama', parents.mama);
    assert.equal(relogin.status, 403);
    assert.equal(relogin.json.error, 'not_family_admin');
  });
});

describe('case 17: idle and absolute timeouts (shortened by configuration)', () => {
  before(async () => {
    await restartPanel({ JH4F_SESSION_IDLE_SECONDS: '2', JH4F_SESSION_MAX_SECONDS: '5' });
    clearThrottle();
  });

  test('after the idle timeout the cookie gets 401 and the row is gone', async () => {
    const c = await loggedIn('papa');
    const hash = sha256(tokenOf(c));
    assert.equal((await c.call('GET', '/api/session')).status, 200);
    await new Promise((r) => setTimeout(r, 2500));
    const res = await c.call('GET', '/api/session');
    assert.equal(res.status, 401);
    assert.equal(q('SELECT * FROM sessions WHERE id_hash = ?', hash).length, 0);
  });

  test('activity does not extend a session past the absolute timeout', async () => {
    const c = await loggedIn('papa');
    const started = Date.now();
    let last = 200;
    while (Date.now() - started < 7000) {
      await new Promise((r) => setTimeout(r, 1000));
      last = (await c.call('GET', '/api/session')).status;
      if (Date.now() - started < 4500) assert.equal(last, 200, 'alive while active, before the absolute limit');
      if (last === 401) break;
    }
    assert.equal(last, 401);
    assert.ok(Date.now() - started >= 5000);
  });
});

describe('cases 23/24: bursts of bad logins', () => {
  before(async () => {
    await restartPanel({ JH4F_SESSION_IDLE_SECONDS: null, JH4F_SESSION_MAX_SECONDS: null, JH4F_LOGIN_DELAY_MAX_SECONDS: '5' });
    clearThrottle();
  });

  /**
   * Runs `burst` while probing /api/health and a static file, one after the other:
   * every probe must answer 200 and the probes must keep coming while the burst
   * runs (a server blocked by the burst answers none until it is over). How fast
   * they answer is a figure for the bench (bench/login.ts), not a test: a timed
   * assertion here failed on a loaded machine and proved nothing on an idle one.
   */
  async function whileProbing<T>(burst: () => Promise<T>): Promise<{ result: T; probes: number }> {
    const page = await request(env.panelUrl);
    const staticUrl = `${new URL(env.panelUrl).origin}${page.body.match(/\/panel\/_next\/static\/[^"']+\.(?:css|js)/)?.[0]}`;
    let done = false;
    let probes = 0;
    const probe = (async () => {
      while (!done) {
        for (const url of [`${env.panelUrl}/api/health`, staticUrl]) {
          const res = await request(url);
          assert.equal(res.status, 200, url);
          probes++;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const result = await burst();
    done = true;
    await probe;
    return { result, probes };
  }

  function assert429s(responses: TestResponse[]): void {
    assert.ok(
      responses.every((r) => r.status === 401 || r.status === 429),
      responses.map((r) => r.status).join(','),
    );
    const limited = responses.filter((r) => r.status === 429);
    assert.ok(limited.length > 0, 'some were refused with 429');
    for (const r of limited) {
      assert.equal(r.json.error, 'too_many_attempts');
      assert.match(String(r.headers['retry-after']), /^[1-9]\d*$/);
    }
  }

  async function eventuallyLogsIn(name: keyof typeof parents): Promise<void> {
    // Never locked out for good: at most the (here 5 s) cap, then the right password works.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await new PanelClient().login(name, parents[name]);
      if (res.status === 200) return;
      assert.equal(res.status, 429, res.body);
      assert.ok(Date.now() < deadline, 'the parent got back in');
      await new Promise((r) => setTimeout(r, Number(res.headers['retry-after']) * 1000 + 200));
    }
  }

  test('50 bad logins for one user: 429 with Retry-After, audited; the server stays responsive; the parent gets back in', async () => {
    const mark = lastAuditId();
    const { result, probes } = await whileProbing(async () => {
      const all: TestResponse[] = [];
      for (let wave = 0; wave < 5; wave++) {
        all.push(...(await Promise.all(Array.from({ length: 10 }, () => new PanelClient().login('mama', `wrong-${wave}`)))));
      }
      return all;
    });
    assert.equal(result.length, 50);
    assert429s(result);
    assert.ok(probes >= 4, `probed ${probes} times during the burst`);
    const audit = auditSince(mark);
    assert.ok(audit.filter((a) => a.action === 'login_throttled' && a.target === 'mama' && a.outcome === 'refused').length > 0);
    assert.equal(audit.filter((a) => a.target === 'mama').length, 50, 'every attempt audited');
    const verdict = await new PanelClient().login('mama', 'wrong-again');
    assert.equal(verdict.status, 429, 'the name is throttled now, not only PAM busy');
    await eventuallyLogsIn('mama');
  });

  test('50 bad logins over many users from one address: 429, audited; the server stays responsive; a parent gets back in', async () => {
    clearThrottle();
    const mark = lastAuditId();
    const { result, probes } = await whileProbing(async () => {
      const all: TestResponse[] = [];
      for (let wave = 0; wave < 5; wave++) {
        all.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => new PanelClient().login(`guess${wave}x${i}`, 'pw')))));
      }
      return all;
    });
    assert429s(result);
    assert.ok(probes >= 4, `probed ${probes} times during the burst`);
    const throttled = auditSince(mark).filter((a) => a.action === 'login_throttled');
    assert.ok(throttled.length > 0);
    assert.ok(throttled.every((a) => a.client_address === '127.0.0.1'));
    assert.equal(auditSince(mark).length, 50, 'every attempt audited');
    // Two logins at a time per client: most of the burst was refused before PAM
    // (address_busy) and not counted. Guessing on from here hits the address counter.
    for (let i = 0; i < 12; i++) {
      const more = await new PanelClient().login(`more${i}`, 'pw');
      if (more.status === 429) break;
      assert.equal(more.status, 401);
    }
    const fresh = await new PanelClient().login('papa', parents.papa);
    assert.equal(fresh.status, 429, 'the address is throttled, whatever the name');
    assert.ok(auditSince(mark).some((a) => a.action === 'login_throttled' && a.detail?.scope === 'address'));
    await eventuallyLogsIn('papa');
  });
});

describe("case 32: someone else's failures never keep a parent out", () => {
  before(clearThrottle);

  test('failures for mama from one address: her login from another address gets in, the stranger stays throttled', async () => {
    // On the old model (per name, whatever the address) six failures anywhere gave mama 429 everywhere.
    const mark = lastAuditId();
    const stranger = '127.0.0.20';
    const answers: TestResponse[] = [];
    for (let i = 0; i < 5; i++) answers.push(...(await Promise.all([loginFrom(stranger, 'mama', `wrong-${i}a`), loginFrom(stranger, 'mama', `wrong-${i}b`)])));
    assert.ok(
      answers.some((r) => r.status === 429),
      answers.map((r) => r.status).join(','),
    );
    const own = await loginFrom('127.0.0.21', 'mama', parents.mama);
    assert.equal(own.status, 200, `mama from her own address: ${own.body}`);
    const strangerCount = q<{ failures: number }>("SELECT failures FROM login_throttle WHERE kind = 'name_address' AND key = ?", `mama ${stranger}`)[0]?.failures;
    assert.ok((strangerCount ?? 0) > 5, `her success elsewhere does not reset the stranger's counter (${strangerCount})`);
    // And again, after more failures: she is never locked out from her address.
    await Promise.all([loginFrom('127.0.0.22', 'mama', 'x1'), loginFrom('127.0.0.22', 'mama', 'x2')]);
    assert.equal((await loginFrom('127.0.0.21', 'mama', parents.mama)).status, 200);
    const rows = auditSince(mark);
    assert.ok(rows.some((r) => r.action === 'login' && r.client_address === '127.0.0.21'));
    assert.ok(rows.some((r) => r.action === 'login_throttled' && r.client_address === stranger && r.detail?.scope === 'name_address'));
  });

  test('a guess at mama spread over many addresses is bounded: a client that keeps failing is refused for the name; a fresh one is not', async () => {
    clearThrottle();
    const addresses = Array.from({ length: 12 }, (_, i) => `127.0.2.${i + 1}`);
    // Three rounds of one wrong password from each address (12 x 3 = 36 failures for mama).
    // On a loaded machine the PAM queue's bounded wait refuses some attempts as busy (429,
    // audited with scope pam_busy): they checked no password and count nothing, so the
    // round goes on for those addresses. Any other 429 before the third failure is a fault.
    const failuresOf = (a: string) => q<{ failures: number }>("SELECT failures FROM login_throttle WHERE kind = 'name_address' AND key = ?", `mama ${a}`)[0]?.failures ?? 0;
    for (let round = 0; round < 3; round++) {
      let behind = addresses;
      for (let wave = 1; wave <= 20 && behind.length > 0; wave++) {
        const mark = lastAuditId();
        const answers = await Promise.all(behind.map((a) => loginFrom(a, 'mama', `guess-${round}-${wave}`)));
        const refused = auditSince(mark).filter((r) => r.action === 'login_throttled');
        assert.ok(
          refused.every((r) => r.detail?.scope === 'pam_busy'),
          `round ${round}: only PAM busy may refuse before the third failure: ${JSON.stringify(refused.map((r) => r.detail))}`,
        );
        assert.equal(answers.filter((r) => r.status === 429).length, refused.length, answers.map((r) => r.status).join(','));
        assert.ok(
          answers.every((r) => r.status === 401 || r.status === 429),
          answers.map((r) => r.status).join(','),
        );
        behind = addresses.filter((a) => failuresOf(a) < round + 1);
      }
      assert.deepEqual(behind, [], `round ${round}: every address has ${round + 1} failures counted`);
      assert.ok(
        addresses.every((a) => failuresOf(a) === round + 1),
        'a PAM-busy attempt counted nothing',
      );
    }
    // Each of them has now failed three times: mama's name is blocked for them.
    const mark = lastAuditId();
    const fourth = await Promise.all(addresses.map((a) => loginFrom(a, 'mama', 'guess-3')));
    assert.ok(
      fourth.every((r) => r.status === 429),
      fourth.map((r) => r.status).join(','),
    );
    assert.ok(auditSince(mark).every((r) => r.action === 'login_throttled' && r.detail?.scope === 'name'));
    // mama from an address that was not failing gets in.
    assert.equal((await loginFrom('127.0.0.23', 'mama', parents.mama)).status, 200);
  });
});

describe('case 31: a parent logs in during a storm of wrong logins', () => {
  before(clearThrottle);

  /** Starts the storm, lets it reach the panel, then the parent's login; returns both. */
  async function duringStorm(storm: () => Promise<TestResponse>[], parentFrom: string): Promise<{ storm: TestResponse[]; parent: TestResponse }> {
    const running = storm();
    await new Promise((r) => setTimeout(r, 150)); // the storm's requests are in the panel by now
    const parent = await loginFrom(parentFrom, 'papa', parents.papa);
    return { storm: await Promise.all(running), parent };
  }

  function throttledAndAudited(storm: TestResponse[], rows: ReturnType<typeof auditSince>, from: (a: string | null) => boolean): void {
    assert.ok(
      storm.every((r) => r.status === 401 || r.status === 429),
      storm.map((r) => r.status).join(','),
    );
    for (const r of storm.filter((x) => x.status === 429)) assert.match(String(r.headers['retry-after']), /^[1-9]\d*$/);
    const stormRows = rows.filter((r) => from(r.client_address));
    assert.equal(stormRows.length, storm.length, 'every storm attempt has its audit row');
    assert.ok(stormRows.every((r) => (r.action === 'login_failed' && r.target === 'papa') || (r.action === 'login_throttled' && r.outcome === 'refused')));
  }

  test('50 wrong logins at once from one address: the parent gets in from another; the storm is throttled and audited', async (t) => {
    const mark = lastAuditId();
    const { storm, parent } = await duringStorm(() => Array.from({ length: 50 }, (_, i) => loginFrom('127.0.0.30', 'papa', `storm-${i}`)), '127.0.0.31');
    t.diagnostic(`parent's login answered in ${Math.round(parent.ms)} ms`);
    assert.equal(parent.status, 200, `the parent's right login during the storm: ${parent.status} ${parent.body}`);
    throttledAndAudited(storm, auditSince(mark), (a) => a === '127.0.0.30');
    assert.ok(storm.filter((r) => r.status === 429).length >= 40, 'one client gets two logins at a time; the rest are refused at once');
    assert.ok(auditSince(mark).some((r) => r.action === 'login' && r.actor === 'papa' && r.client_address === '127.0.0.31'));
  });

  test('50 wrong logins at once from 50 addresses: the parent gets in from another; the storm is counted, audited, and throttled when it goes on', async (t) => {
    clearThrottle();
    const addresses = Array.from({ length: 50 }, (_, i) => `127.0.1.${i + 1}`);
    const inStorm = (a: string | null) => a !== null && a.startsWith('127.0.1.');
    let mark = lastAuditId();
    const { storm, parent } = await duringStorm(() => addresses.map((a, i) => loginFrom(a, 'papa', `storm-${i}`)), '127.0.0.32');
    t.diagnostic(`parent's login answered in ${Math.round(parent.ms)} ms`);
    assert.equal(parent.status, 200, `the parent's right login during the storm: ${parent.status} ${parent.body}`);
    throttledAndAudited(storm, auditSince(mark), inStorm);
    const nameCount = q<{ failures: number }>("SELECT failures FROM login_throttle WHERE kind = 'name' AND key = 'papa'")[0]?.failures;
    // Counted when they started; an attempt refused as PAM busy checked nothing and is taken back.
    assert.equal(nameCount, storm.filter((r) => r.status === 401).length, 'every storm attempt that reached PAM counts against the name');
    // How many reach PAM before the queue's bounded wait depends on the machine's load
    // (all 50 on an idle one, 10 seen on a loaded one); the waves below make up the rest.
    assert.ok(nameCount! >= 1, `${nameCount} counted`);
    // The storm goes on until each of its clients has failed three times; then the name is blocked for them.
    // On a loaded machine some waves' attempts are refused as PAM busy, which checks
    // no password and counts nothing (the queue's wait is bounded): more waves then.
    const failuresOf = (a: string) => q<{ failures: number }>("SELECT failures FROM login_throttle WHERE kind = 'address' AND key = ?", a)[0]?.failures ?? 0;
    let behind = addresses.filter((a) => failuresOf(a) < 3);
    for (let wave = 1; wave <= 30 && behind.length > 0; wave++) {
      await Promise.all(behind.map((a) => loginFrom(a, 'papa', `wave-${wave}`)));
      behind = addresses.filter((a) => failuresOf(a) < 3);
    }
    assert.deepEqual(behind, [], 'after 30 waves every storm client has three failures counted');
    mark = lastAuditId();
    const blocked = await duringStorm(() => addresses.map((a) => loginFrom(a, 'papa', 'wave-3')), '127.0.0.33');
    assert.equal(blocked.parent.status, 200, `the parent again: ${blocked.parent.body}`);
    assert.ok(
      blocked.storm.every((r) => r.status === 429),
      blocked.storm.map((r) => r.status).join(','),
    );
    throttledAndAudited(blocked.storm, auditSince(mark), inStorm);
  });
});

describe("issue 32: a parent's device cookie keeps her in at an address someone else is failing from", () => {
  before(async () => {
    // The blocks as they are in production: cases 23/24 capped them at 5 s.
    await restartPanel({ JH4F_LOGIN_DELAY_MAX_SECONDS: null });
    clearThrottle();
  });
  // Later test files log in from 127.0.0.1 too.
  after(clearThrottle);

  /** A browser's panel cookies, kept from Set-Cookie as a browser keeps them (a Max-Age=0 line removes one). */
  class Browser {
    readonly cookies = new Map<string, string>();

    header(): Record<string, string> {
      return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
    }

    take(res: TestResponse): void {
      for (const line of (res.headers['set-cookie'] as string[] | undefined) ?? []) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        if (/Max-Age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
        else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    }

    async call(method: string, from: string, body?: unknown): Promise<TestResponse> {
      const res = await send(method, '/api/session', { from, body, headers: this.header() });
      this.take(res);
      return res;
    }

    login(from: string, username: string, password: string): Promise<TestResponse> {
      return this.call('POST', from, { username, password });
    }
  }

  const withCookie = (from: string, username: string, password: string, cookie: string) => send('POST', '/api/session', { from, body: { username, password }, headers: { cookie } });
  const deviceLine = (res: TestResponse, name: string) => ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((l) => l.startsWith(`${name}=`)) ?? '';
  const keyRows = (address: string, name: string) =>
    q<{ kind: string; failures: number; blocked_until: number }>(
      "SELECT kind, failures, blocked_until FROM login_throttle WHERE (kind = 'address' AND key = ?) OR (kind = 'name_address' AND key = ?) OR (kind = 'name' AND key = ?) ORDER BY kind",
      address,
      `${name} ${address}`,
      name,
    );
  /** How long untrusted logins for this name from this address stay refused (ms; 0: not blocked). */
  const blockedFor = (address: string, name: string) => Math.max(0, ...keyRows(address, name).map((r) => r.blocked_until - Date.now()));

  test('30 wrong passwords for mama at her address: her browser gets in at once; a fresh client, a borrowed or changed cookie do not; a stolen one is throttled', async () => {
    const here = '127.0.0.1';
    const start = lastAuditId();

    // mama signed in at this computer before (and logged out): her browser keeps its device cookie.
    const mamas = new Browser();
    const first = await mamas.login(here, 'mama', parents.mama);
    assert.equal(first.status, 200, first.body);
    const line = deviceLine(first, 'jh4f_device_mama');
    const attrs = line.split(';').map((s) => s.trim().toLowerCase());
    for (const a of ['path=/panel', 'httponly', 'samesite=strict', 'secure', 'max-age=15552000']) assert.ok(attrs.includes(a), `${a}: ${line}`);
    assert.ok(!attrs.some((a) => a.startsWith('domain=')), 'no Domain: host-only');
    const firstCookie = mamas.cookies.get('jh4f_device_mama')!;
    assert.match(firstCookie, /^v1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const out = await mamas.call('DELETE', here);
    assert.equal(out.status, 200, out.body);
    assert.equal(deviceLine(out, 'jh4f_device_mama'), '', 'logout leaves the device cookie');
    assert.deepEqual([mamas.cookies.has('jh4f_session'), mamas.cookies.get('jh4f_device_mama')], [false, firstCookie]);
    // papa signed in in his own browser: a genuine device cookie, for papa.
    const papas = new Browser();
    assert.equal((await papas.login('127.0.0.40', 'papa', parents.papa)).status, 200);
    const papaCookie = papas.cookies.get('jh4f_device_papa')!;
    assert.match(papaCookie, /^v1\./);

    // Issue 32's reproduction: 30 wrong passwords for mama from her address, one after the other.
    const storm: number[] = [];
    for (let i = 0; i < 30; i++) storm.push((await loginFrom(here, 'mama', `wrong-${i}`)).status);
    assert.deepEqual(storm.slice(0, 6), [401, 401, 401, 401, 401, 401], storm.join(','));
    assert.ok(
      storm.every((s) => s === 401 || s === 429),
      storm.join(','),
    );
    assert.ok(storm.includes(429), storm.join(','));
    // The guesser goes on after each block, until untrusted logins here are refused for a minute
    // or more: what follows runs well inside that block (seconds), so no answer below depends on time.
    for (let i = 0; i < 12 && blockedFor(here, 'mama') < 60_000; i++) {
      await new Promise((r) => setTimeout(r, blockedFor(here, 'mama') + 100));
      assert.equal((await loginFrom(here, 'mama', `again-${i}`)).status, 401, 'counted after the block, making the next one longer');
    }
    assert.ok(blockedFor(here, 'mama') >= 60_000, `blocked for ${blockedFor(here, 'mama')} ms`);
    const counters = keyRows(here, 'mama');

    // (a) mama's browser, with her device cookie and the right password: in at once; the address's counters untouched.
    let mark = lastAuditId();
    const trusted = await mamas.login(here, 'mama', parents.mama);
    assert.equal(trusted.status, 200, trusted.body);
    assert.ok(mamas.cookies.has('jh4f_session'));
    const renewed = mamas.cookies.get('jh4f_device_mama')!;
    assert.notEqual(renewed, firstCookie, 'renewed with a new nonce at the login');
    assert.deepEqual(keyRows(here, 'mama'), counters, "the trusted login neither counts nor clears the address's keys");
    assert.deepEqual(
      auditSince(mark).map((r) => [r.action, r.actor, r.client_address, r.detail?.trustedDevice]),
      [['login', 'mama', here, true]],
    );

    // (b) a fresh client with the right password, (c) papa's genuine cookie under his name or renamed to mama's,
    // (d) mama's cookie with one character changed: all untrusted, refused as today.
    mark = lastAuditId();
    const changed = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const untrusted = [
      await loginFrom(here, 'mama', parents.mama),
      await withCookie(here, 'mama', parents.mama, `jh4f_device_papa=${papaCookie}`),
      await withCookie(here, 'mama', parents.mama, `jh4f_device_mama=${papaCookie}`),
      await withCookie(here, 'mama', parents.mama, `jh4f_device_mama=${changed(renewed, 8)}`),
      await withCookie(here, 'mama', parents.mama, `jh4f_device_mama=${changed(renewed, renewed.length - 1)}`),
    ];
    assert.deepEqual(
      untrusted.map((r) => [r.status, r.json?.error]),
      untrusted.map(() => [429, 'too_many_attempts']),
    );
    assert.deepEqual(
      auditSince(mark).map((r) => [r.action, r.target, r.detail?.trustedDevice, ['address', 'name_address', 'name'].includes(String(r.detail?.scope))]),
      untrusted.map(() => ['login_throttled', 'mama', undefined, true]),
    );

    // (e) Someone with mama's browser (her cookie) guessing: 5 free failures on its own key...
    mark = lastAuditId();
    const stolen = `jh4f_device_mama=${renewed}`;
    for (let i = 0; i < 5; i++) assert.equal((await withCookie(here, 'mama', `stolen-${i}`, stolen)).status, 401);
    // ... then two at once: whichever the panel begins first is the sixth, counted on the device
    // and blocking it; the other, begun at the same moment, finds the device blocked and is an
    // ordinary attempt from this address: refused by its block.
    const pair = await Promise.all([withCookie(here, 'mama', 'stolen-5', stolen), withCookie(here, 'mama', 'stolen-6', stolen)]);
    assert.deepEqual(pair.map((r) => r.status).sort(), [401, 429]);
    const rows = auditSince(mark);
    assert.deepEqual(
      rows.slice(0, 5).map((r) => [r.action, r.detail?.reason, r.detail?.trustedDevice]),
      Array.from({ length: 5 }, () => ['login_failed', 'invalid_credentials', true]),
    );
    const sixth = rows.slice(5).find((r) => r.action === 'login_failed');
    const refused = rows.slice(5).find((r) => r.action === 'login_throttled');
    assert.deepEqual([sixth?.detail?.trustedDevice, sixth?.detail?.blocks], [true, { device: 2 }]);
    assert.deepEqual([refused?.detail?.trustedDevice, ['address', 'name_address', 'name'].includes(String(refused?.detail?.scope))], [undefined, true]);
    assert.equal(rows.length, 7);
    assert.deepEqual(keyRows(here, 'mama'), counters, 'the trusted failures counted on the device only');
    assert.deepEqual(
      q<{ failures: number }>("SELECT failures FROM login_throttle WHERE kind = 'device'").map((r) => r.failures),
      [6],
      "one device key: mama's first trusted login cleared its own",
    );

    // No audit row holds a nonce or a cookie.
    const all = JSON.stringify(auditSince(start));
    for (const cookie of [firstCookie, renewed, papaCookie]) assert.ok(!all.includes(cookie.split('.')[1]!), 'no nonce in the audit log');
  });
});
