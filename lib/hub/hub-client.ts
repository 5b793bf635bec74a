import 'server-only';
// The only module of the panel that talks to JupyterHub over HTTP. TLS is pinned
// to the hub's own certificate: the family hub's certificate is self-signed and
// has no subjectAltName, so the chain is verified against that certificate as
// the only CA and only the host-name check is skipped. Every call has its own
// timeout covering the whole request. Raw hub JSON is reshaped into the panel's
// own types here (reshape* functions) and goes no further.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { PANEL_HUB_CERT_COPY, TOKEN_RE } from '../shared/hub-facts';
import { FAMILY_HUB_CERT } from '../shared/hub-kind';
import { singleFlightCache } from './single-flight-cache';
import { settings } from '../settings';

export type HubErrorKind =
  | 'timeout' // no answer in time (a hanging hub)
  | 'refused' // nothing listens on the port
  | 'not_tls' // the port answers, but not with TLS
  | 'cert_mismatch' // TLS, but not with the hub's own certificate
  | 'cert_expired'
  | 'no_cert' // the panel has no copy of the hub's certificate to pin
  | 'network' // reset, hang-up, ...
  | 'http' // an HTTP status the call did not expect
  | 'not_hub' // an answer that is not JupyterHub's
  | 'no_token' // the panel is not connected (no token file)
  | 'unauthorized'; // the hub refused the token (401/403)

export class HubError extends Error {
  readonly kind: HubErrorKind;
  readonly status: number | null;
  constructor(kind: HubErrorKind, message: string, status: number | null = null) {
    super(message);
    this.name = 'HubError';
    this.kind = kind;
    this.status = status;
  }
}

export const DEFAULT_TIMEOUT_MS = 1500;

export interface CallOptions {
  timeoutMs?: number;
  /** The certificate (PEM) to pin; default: pinnedCertificate(). */
  ca?: string;
}

// ---- the pinned certificate ---------------------------------------------------

const PEM_KEY = Symbol.for('jh4f.hub-client.pem');
type PemHolder = { [PEM_KEY]?: string };

/**
 * A PEM learnt from the helper's hub-status (root read it from the hub's own
 * file). Used when the panel account cannot read the certificate file itself.
 */
export function rememberHubCertificate(pem: string): void {
  if (pem.includes('-----BEGIN CERTIFICATE-----')) (globalThis as PemHolder)[PEM_KEY] = pem;
}

/**
 * The panel's own copy of a seed hub's certificate, in its state folder: what
 * connect-hub and restart-hub answered (the agent read it as the hub account;
 * root passes it on unread). Earlier versions' root helper kept the copy in
 * PANEL_HUB_CERT_COPY, which is still read after it.
 */
export function panelCertCopyPath(): string {
  return path.join(settings().dataDir, 'hub-cert.pem');
}

/** Keep the certificate a helper answer carried (untrusted text: it must parse as one). Its SHA-256, or null. */
export function pinHubCertificate(pem: unknown): string | null {
  if (typeof pem !== 'string' || pem.length > MAX_CERT_BYTES) return null;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return null;
  }
  const file = panelCertCopyPath();
  fs.writeFileSync(`${file}.new`, cert.toString(), { mode: 0o640 });
  fs.renameSync(`${file}.new`, file);
  rememberHubCertificate(cert.toString());
  return cert.fingerprint256;
}

export interface PinnedCertificate {
  pem: string;
  source: string;
}

const MAX_CERT_BYTES = 256 * 1024;

/**
 * A certificate file's text, or null. The default path is in the hub account's
 * home, which that account may open to the panel and fill with a FIFO (a plain
 * read would block the whole server waiting for a writer) or a huge file: open
 * without waiting, take regular files of a certificate's size only.
 */
function readCertificateFile(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch {
    return null; // unreadable for the panel account (the hub's etc is 0750)
  }
  try {
    const st = fs.fstatSync(fd);
    return st.isFile() && st.size <= MAX_CERT_BYTES ? fs.readFileSync(fd, 'utf8') : null;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** The hub's certificate: the family hub's, else the configured file (a seed hub's), else the panel's copy (an older root-written one), else what hub-status reported. */
export function pinnedCertificate(): PinnedCertificate | null {
  for (const file of [FAMILY_HUB_CERT, settings().hubCert, panelCertCopyPath(), PANEL_HUB_CERT_COPY]) {
    const pem = readCertificateFile(file);
    if (pem?.includes('-----BEGIN CERTIFICATE-----')) return { pem, source: file };
  }
  const remembered = (globalThis as PemHolder)[PEM_KEY];
  return remembered ? { pem: remembered, source: 'hub-status' } : null;
}

// ---- the token ------------------------------------------------------------------

/** The panel's service token, or null when the hub is not connected yet. */
export function hubToken(): string | null {
  try {
    const token = fs.readFileSync(settings().hubTokenFile, 'utf8').trim();
    return TOKEN_RE.test(token) ? token : null;
  } catch {
    return null;
  }
}

// ---- one request ----------------------------------------------------------------

interface RawResponse {
  status: number;
  body: string;
  json: unknown;
  /** validTo of the certificate the server presented (TLS only). */
  peerValidTo: string | null;
}

const CERT_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

/** Node's socket/TLS error -> the panel's kind. Exported for unit tests. */
export function classifyError(error: NodeJS.ErrnoException, port: string): HubError {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return new HubError('refused', `nothing listens on port ${port}`);
  if (code === 'CERT_HAS_EXPIRED') return new HubError('cert_expired', 'the hub presented an expired certificate');
  if (CERT_ERROR_CODES.has(code)) {
    return new HubError('cert_mismatch', `port ${port} presented a certificate that is not the hub's own (${code})`);
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL') || /wrong version number|packet length too long|unknown protocol/i.test(error.message)) {
    return new HubError('not_tls', `port ${port} answers, but not with TLS (${code || error.message})`);
  }
  return new HubError('network', `connection to port ${port} failed (${code || error.message})`);
}

function call(method: 'GET' | 'DELETE' | 'POST', path: string, opts: CallOptions & { token?: string } = {}): Promise<RawResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = new URL(settings().hubUrl);
  const url = new URL(path, base);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const tls = url.protocol === 'https:';
  let ca: string | undefined;
  if (tls) {
    ca = opts.ca ?? pinnedCertificate()?.pem;
    if (!ca) return Promise.reject(new HubError('no_cert', "the panel has no copy of the hub's certificate to check it against"));
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `token ${opts.token}`;

  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: HubError | null, value?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const onResponse = (res: http.IncomingMessage) => {
      const socket = res.socket as TLSSocket;
      const peer = tls && typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : null;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 4 * 1024 * 1024) finish(new HubError('not_hub', 'the answer is too large for the hub'));
        else chunks.push(c);
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = undefined;
        try {
          json = body ? JSON.parse(body) : undefined;
        } catch {
          /* not JSON */
        }
        finish(null, { status: res.statusCode ?? 0, body, json, peerValidTo: peer?.valid_to ?? null });
      });
      res.on('error', (e) => finish(classifyError(e, port)));
    };
    const common = { method, headers, agent: false as const, host: url.hostname, port: Number(port), path: url.pathname + url.search };
    const req = tls ? https.request({ ...common, ca, checkServerIdentity: () => undefined, rejectUnauthorized: true }, onResponse) : http.request(common, onResponse);
    const timer = setTimeout(() => finish(new HubError('timeout', `no answer from ${url.pathname} within ${(timeoutMs / 1000).toFixed(1)} s`)), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish(classifyError(e, port)));
    req.end();
  });
}

function requireToken(): string {
  const token = hubToken();
  if (!token) throw new HubError('no_token', 'the panel is not connected to the hub (no service token)');
  return token;
}

function expectStatus(r: RawResponse, ok: readonly number[], what: string): void {
  if (ok.includes(r.status)) return;
  if (r.status === 401 || r.status === 403) throw new HubError('unauthorized', `the hub refused the panel's token (${r.status})`, r.status);
  throw new HubError('http', `${what} answered HTTP ${r.status}`, r.status);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- the panel's own types and the calls ----------------------------------------------

export interface HubHealth {
  status: number;
  /** ISO date the presented certificate ends (TLS only). */
  certValidTo: string | null;
}

/** GET /hub/health (no auth). A 200 from the hub's health handler. */
export async function health(opts: CallOptions = {}): Promise<HubHealth> {
  const r = await call('GET', '/hub/health', opts);
  if (r.status !== 200) throw new HubError('http', `/hub/health answered HTTP ${r.status}`, r.status);
  return { status: r.status, certValidTo: r.peerValidTo ? new Date(r.peerValidTo).toISOString() : null };
}

/** GET /hub/api (no auth): {"version": "3.0.0"}. Anything else is not JupyterHub. */
export async function version(opts: CallOptions = {}): Promise<string> {
  const r = await call('GET', '/hub/api', opts);
  if (r.status !== 200) throw new HubError(r.status === 404 ? 'not_hub' : 'http', `/hub/api answered HTTP ${r.status}`, r.status);
  if (!isRecord(r.json) || typeof r.json.version !== 'string') throw new HubError('not_hub', '/hub/api did not answer like JupyterHub');
  return r.json.version.slice(0, 40);
}

export interface HubInfo {
  version: string;
  python: string | null;
  spawner: string | null;
  authenticator: string | null;
}

export function reshapeInfo(raw: unknown): HubInfo {
  if (!isRecord(raw) || typeof raw.version !== 'string') throw new HubError('not_hub', '/hub/api/info did not answer like JupyterHub');
  const cls = (v: unknown) => (isRecord(v) && typeof v.class === 'string' ? v.class : null);
  return {
    version: raw.version,
    python: typeof raw.python === 'string' ? (raw.python.split(' ')[0] ?? null) : null,
    spawner: cls(raw.spawner),
    authenticator: cls(raw.authenticator),
  };
}

/** GET /hub/api/info with the panel's token (scope read:hub). */
export async function info(opts: CallOptions = {}): Promise<HubInfo> {
  const r = await call('GET', '/hub/api/info', { ...opts, token: requireToken() });
  expectStatus(r, [200], '/hub/api/info');
  return reshapeInfo(r.json);
}

export interface HubServer {
  /** '' is the default server. */
  name: string;
  ready: boolean;
  pending: string | null;
  started: string | null;
  lastActivity: string | null;
}

export interface HubUser {
  name: string;
  admin: boolean;
  lastActivity: string | null;
  servers: HubServer[];
  /** Servers that are ready or starting/stopping. */
  running: number;
}

const isoOrNull = (v: unknown): string | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null);

export function reshapeUser(raw: unknown): HubUser | null {
  if (!isRecord(raw) || typeof raw.name !== 'string') return null;
  const servers: HubServer[] = [];
  if (isRecord(raw.servers)) {
    for (const [name, s] of Object.entries(raw.servers)) {
      if (!isRecord(s)) continue;
      servers.push({
        name,
        ready: s.ready === true,
        pending: typeof s.pending === 'string' ? s.pending : null,
        started: isoOrNull(s.started),
        lastActivity: isoOrNull(s.last_activity),
      });
    }
  }
  return {
    name: raw.name,
    admin: raw.admin === true,
    lastActivity: isoOrNull(raw.last_activity),
    servers,
    running: servers.filter((s) => s.ready || s.pending !== null).length,
  };
}

/** GET /hub/api/users with the panel's token: every hub user with their servers and last activity. */
export async function usersWithServers(opts: CallOptions = {}): Promise<HubUser[]> {
  const r = await call('GET', '/hub/api/users', { ...opts, token: requireToken() });
  expectStatus(r, [200], '/hub/api/users');
  if (!Array.isArray(r.json)) throw new HubError('not_hub', '/hub/api/users did not answer a list');
  return r.json.map(reshapeUser).filter((u): u is HubUser => u !== null);
}

// ---- the server list for family reads -------------------------------------------------
// Every family read (GET /api/members, the family page) shows whether each member's
// server runs; asking the hub each time was about a third of such a read (a Python
// request behind the proxy, ~17 ms). Reads use a list at most SERVER_LIST_MAX_AGE_MS
// old, and readers at the same moment share one request. Freshness a parent expects:
// a kid who starts (or stops) a server on their laptop shows so on the next reload
// within a few seconds; the panel's own changes (stopping a server: the dashboard's
// stop, removing a member, the idle and hours timers) drop the list at once, so a
// parent never sees the state from before their own action (the list is dropped
// when the stop has been answered, and a read under way then is not kept).

/** How old a server list a family read may show. */
export const SERVER_LIST_MAX_AGE_MS = 3000;
/**
 * How long after the last family read the list is kept warm (read again every 2 s in
 * the background). On Debian 13, JupyterHub 5's GET /hub/api/users is most of a
 * family read that has to wait for it (bench "family page"); warm, a parent who
 * reloads after a pause is answered at once. Cost: one hub request per 2 s for a
 * minute after a parent last looked, none on an idle appliance.
 */
export const SERVER_LIST_KEEP_WARM_MS = 60_000;

const serverList = singleFlightCache<HubUser[]>('hub-client.users', SERVER_LIST_MAX_AGE_MS, () => usersWithServers(), {
  keepWarmMs: SERVER_LIST_KEEP_WARM_MS,
});

/** Every hub user with their servers, at most SERVER_LIST_MAX_AGE_MS old; concurrent callers share one request. */
export function recentUsersWithServers(): Promise<HubUser[]> {
  return serverList.get();
}

/** The state of servers changed (or the hub, or its token): the next family read asks the hub. */
export function forgetServerList(): void {
  serverList.invalidate();
}

export interface StopResult {
  user: string;
  /** Servers asked to stop ('' is the default one). */
  stopped: string[];
  /** Whether the hub is still stopping some of them (HTTP 202). */
  pending: boolean;
}

/**
 * Stop a user's default server and every named server: DELETE
 * /hub/api/users/{name}/server and /hub/api/users/{name}/servers/{server}.
 * The caller validates the name; it is still URL-encoded here.
 */
export async function stopServer(user: string, opts: CallOptions = {}): Promise<StopResult> {
  const token = requireToken();
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const u = await call('GET', `/hub/api/users/${encodeURIComponent(user)}`, { ...opts, timeoutMs, token });
  if (u.status === 404) throw new HubError('http', `the hub has no user ${user}`, 404);
  expectStatus(u, [200], '/hub/api/users/{name}');
  const shaped = reshapeUser(u.json);
  const active = (shaped?.servers ?? []).filter((s) => s.ready || s.pending !== null);
  const stopped: string[] = [];
  let pending = false;
  try {
    for (const s of active) {
      const path = s.name === '' ? `/hub/api/users/${encodeURIComponent(user)}/server` : `/hub/api/users/${encodeURIComponent(user)}/servers/${encodeURIComponent(s.name)}`;
      const r = await call('DELETE', path, { ...opts, timeoutMs, token });
      // 204 stopped, 202 stopping; 400 "not running" means it ended meanwhile.
      if (r.status === 400) continue;
      expectStatus(r, [202, 204], `DELETE ${s.name === '' ? 'server' : 'named server'}`);
      if (r.status === 202) pending = true;
      stopped.push(s.name);
    }
  } finally {
    if (active.length > 0) forgetServerList();
  }
  return { user, stopped, pending };
}

/**
 * Users with a server that is running, starting or stopping (GET
 * /hub/api/users?state=active), every page of them: the hub answers at most its
 * page limit per request (50 by default).
 */
export async function activeUsers(opts: CallOptions = {}): Promise<HubUser[]> {
  const token = requireToken();
  const out: HubUser[] = [];
  const limit = 200;
  for (let offset = 0; offset < 100_000; offset += limit) {
    const r = await call('GET', `/hub/api/users?state=active&offset=${offset}&limit=${limit}`, { ...opts, token });
    expectStatus(r, [200], '/hub/api/users?state=active');
    if (!Array.isArray(r.json)) throw new HubError('not_hub', '/hub/api/users did not answer a list');
    out.push(...r.json.map(reshapeUser).filter((u): u is HubUser => u !== null));
    if (r.json.length < limit) break;
  }
  return out;
}

/** Stop one server of a user ('' the default one). 'gone' when it had ended already. */
export async function stopOneServer(user: string, server: string, opts: CallOptions = {}): Promise<'stopped' | 'stopping' | 'gone'> {
  const path = server === '' ? `/hub/api/users/${encodeURIComponent(user)}/server` : `/hub/api/users/${encodeURIComponent(user)}/servers/${encodeURIComponent(server)}`;
  let r: RawResponse;
  try {
    r = await call('DELETE', path, { ...opts, timeoutMs: opts.timeoutMs ?? 10_000, token: requireToken() });
  } finally {
    forgetServerList();
  }
  if (r.status === 400 || r.status === 404) return 'gone';
  expectStatus(r, [202, 204], `DELETE ${server === '' ? 'server' : 'named server'}`);
  return r.status === 202 ? 'stopping' : 'stopped';
}
