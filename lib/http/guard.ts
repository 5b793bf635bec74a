import 'server-only';
// The one way into the panel's use cases. Every state-changing route handler is
// `guarded(...)`, every read that needs a session is `guardedRead(...)`, and the login is `publicMutation(...)`. In this
// order: Host among the panel's own names (421, every one of them), Origin / Fetch
// metadata against the panel's own origins (403; a signed-in change also when it
// says neither, and that refusal is audited), JSON content type (415), session (401),
// membership of jupyterhub_adm (403, inside the session lookup), schema (400),
// then the use case. Errors leave as {error, message[, fields]} with the status
// of their code; anything unexpected is logged and answered with `internal`.
// A proxy or middleware is never the guard: each handler is a public endpoint.
import { z } from 'zod';
import { BASE_PATH, CLIENT_ADDRESS_HEADER, MAX_BODY_BYTES } from '../constants';
import { PublicError } from '../errors/errors';
import { publicErrorOf } from '../errors/public-error-of';
import { pickLocale } from '../i18n/locale';
import type { Locale } from '../i18n/messages';
import { panelOrigins } from './panel-origins';
import { checkContentType, checkHost, checkOrigin, parseJsonBody, type OriginRule } from './request-checks';
import { clearSessionCookie, resolveSession, sessionOwnerOf, tokensFromCookieHeader, type Session } from '../auth/session';
import { refuse, type Actor } from '../store/audited';
import { fieldProblems } from './validation';

export interface RequestContext {
  request: Request;
  clientAddress: string;
  locale: Locale;
  userAgent: string;
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface GuardedContext<I, P = undefined> extends RequestContext {
  session: Session;
  /** The signed-in parent as the audit log names them (the session's user and the client's address). */
  actor: Actor;
  input: I;
  params: P;
}

export interface PublicContext<I> extends RequestContext {
  input: I;
}

/** What a handler may return: a Response, or data sent as 200 JSON. */
export type HandlerResult = Response | Record<string, unknown> | unknown[];

type RouteContext = { params?: Promise<Record<string, string | string[] | undefined>> };

export interface Spec<B extends z.ZodType | null, P extends z.ZodType | null> {
  body?: B;
  params?: P;
}

const NO_STORE = { 'cache-control': 'no-store' };

export function json(data: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(data, { status: init.status ?? 200, headers: { ...NO_STORE, ...init.headers } });
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
}

/**
 * Any thrown value -> the JSON error response the client may see: every error
 * goes through the one table (lib/errors/error-table.ts) for its status and message.
 */
export function errorResponse(error: unknown, locale: Locale, extraHeaders: Record<string, string> = {}): Response {
  const e = publicErrorOf(error);
  const headers: Record<string, string> = { ...extraHeaders };
  if (e.retryAfterSeconds !== undefined) headers['retry-after'] = String(e.retryAfterSeconds);
  if (e.httpStatus >= 500 || e.cause) {
    const cause = e.cause instanceof Error ? (e.cause.stack ?? e.cause.message) : e.cause === undefined ? '' : String(e.cause);
    log(`${e.code}: ${e.message}${cause && !cause.includes(e.message) ? ` (${cause})` : ''}`);
  }
  const body: Record<string, unknown> = { error: e.code, message: e.localized(locale) };
  if (e.fields) body.fields = e.fields;
  if (e.step) body.step = e.step;
  if (e.accountExists !== null) body.accountExists = e.accountExists;
  return json(body, { status: e.httpStatus, headers });
}

/** The actor of a guarded request: who the session belongs to, from where. */
export function actorOf(session: Session, clientAddress: string): Actor {
  return { username: session.username, clientAddress };
}

function requestContext(request: Request): RequestContext {
  return {
    request,
    // Set by server/server.ts from the socket; a client's own copy is overwritten there.
    clientAddress: request.headers.get(CLIENT_ADDRESS_HEADER) || 'unknown',
    locale: pickLocale(request.headers.get('accept-language')),
    userAgent: request.headers.get('user-agent') ?? '',
  };
}

/** Host and Origin against the panel's configured names (lib/http/panel-origins.ts), never against each other; reads check no Origin. */
function hostAndOriginChecks(h: Pick<Headers, 'get'>, rule: OriginRule | null): PublicError | null {
  const own = panelOrigins();
  return checkHost(h.get('host'), own) ?? (rule ? checkOrigin({ origin: h.get('origin'), secFetchSite: h.get('sec-fetch-site') }, own, rule) : null);
}

function originAndTypeChecks(request: Request, rule: OriginRule): PublicError | null {
  const h = request.headers;
  return hostAndOriginChecks(h, rule) ?? checkContentType(request.method, h.get('content-type'), h.get('content-length'));
}

/**
 * A signed-in change refused for its Origin is a forgery or a client that does
 * not say where it came from: one refused row naming whose cookie came along and
 * the path, then the error is thrown. Without a live session cookie there is no
 * parent to name and no authority to abuse, so no row (a stranger cannot fill
 * the log). The session is only looked at, never touched (lib/auth/session.ts).
 */
function refuseOrigin(request: Request, clientAddress: string, error: PublicError): never {
  const owner = sessionOwnerOf(request.headers.get('cookie'));
  if (owner === null) throw error;
  return refuse({ username: owner, clientAddress }, 'request_refused', apiPath(request), error, { method: request.method });
}

/** The request's path as the HTTP API names it, below the base path (Next hands handlers either form). */
function apiPath(request: Request): string {
  const p = new URL(request.url).pathname;
  return p.startsWith(`${BASE_PATH}/`) ? p.slice(BASE_PATH.length) : p;
}

async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  // server/server.ts already refuses larger declared bodies; this catches the rest.
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw new PublicError('payload_too_large');
  return parseJsonBody(text);
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new PublicError('invalid_input', { fields: fieldProblems(parsed.error) });
  return parsed.data;
}

async function parseParams<P extends z.ZodType | null>(schema: P | undefined, ctx: RouteContext | undefined): Promise<Infer<P>> {
  if (!schema) return undefined as Infer<P>;
  const raw = (await ctx?.params) ?? {};
  return parseWith(schema, raw) as Infer<P>;
}

/** Session or a thrown PublicError (401 none/ended, 403 no longer a parent). */
function requireSession(request: Request, clientAddress: string): Session {
  const cookie = request.headers.get('cookie');
  const found = resolveSession(cookie, clientAddress);
  if (found.status === 'ok') return found.session;
  if (found.status === 'revoked') throw new PublicError('not_family_admin');
  throw new PublicError(tokensFromCookieHeader(cookie).length ? 'session_ended' : 'unauthenticated');
}

function toResponse(result: HandlerResult): Response {
  return result instanceof Response ? result : json(result);
}

/** Wraps a failure; a request that came with a dead session cookie also gets it cleared. */
function failure(error: unknown, request: Request, locale: Locale): Response {
  const clear = error instanceof PublicError && (error.code === 'session_ended' || error.code === 'not_family_admin') && tokensFromCookieHeader(request.headers.get('cookie')).length > 0;
  return errorResponse(error, locale, clear ? { 'set-cookie': clearSessionCookie() } : {});
}

/** Every state-changing route handler: Origin, content type, session, membership, schema. */
export function guarded<B extends z.ZodType | null = null, P extends z.ZodType | null = null>(
  spec: Spec<B, P>,
  handler: (ctx: GuardedContext<Infer<B>, Infer<P>>) => Promise<HandlerResult> | HandlerResult,
): (request: Request, routeContext?: RouteContext) => Promise<Response> {
  return async (request, routeContext) => {
    const base = requestContext(request);
    try {
      const refused = originAndTypeChecks(request, 'signed-in');
      if (refused?.code === 'forbidden_origin') refuseOrigin(request, base.clientAddress, refused);
      if (refused) throw refused;
      const session = requireSession(request, base.clientAddress);
      const params = await parseParams(spec.params, routeContext);
      const body = await readBody(request);
      const input = (spec.body ? parseWith(spec.body, body) : undefined) as Infer<B>;
      return toResponse(await handler({ ...base, session, actor: actorOf(session, base.clientAddress), input, params }));
    } catch (error) {
      return failure(error, request, base.locale);
    }
  };
}

/** GET handlers that need a signed-in parent (query parameters through `query`). */
export function guardedRead<Q extends z.ZodType | null = null, P extends z.ZodType | null = null>(
  spec: { query?: Q; params?: P },
  handler: (ctx: GuardedContext<Infer<Q>, Infer<P>>) => Promise<HandlerResult> | HandlerResult,
): (request: Request, routeContext?: RouteContext) => Promise<Response> {
  return async (request, routeContext) => {
    const base = requestContext(request);
    try {
      const misdirected = hostAndOriginChecks(request.headers, null);
      if (misdirected) throw misdirected;
      const session = requireSession(request, base.clientAddress);
      const params = await parseParams(spec.params, routeContext);
      const query = Object.fromEntries(new URL(request.url).searchParams);
      const input = (spec.query ? parseWith(spec.query, query) : undefined) as Infer<Q>;
      return toResponse(await handler({ ...base, session, actor: actorOf(session, base.clientAddress), input, params }));
    } catch (error) {
      return failure(error, request, base.locale);
    }
  };
}

export interface PublicMutationOptions {
  /** Called when the body fails its schema, before the 400 goes out (the login audits it). */
  onInvalidInput?: (ctx: RequestContext, body: unknown, fields: Record<string, string>) => void;
}

/** State-changing handlers that work without a session (only the login): Origin, content type, schema. */
export function publicMutation<B extends z.ZodType | null = null>(
  spec: { body?: B },
  handler: (ctx: PublicContext<Infer<B>>) => Promise<HandlerResult> | HandlerResult,
  options: PublicMutationOptions = {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    const base = requestContext(request);
    try {
      // The login and logout keep the looser rule (lib/http/request-checks.ts): no Origin passes.
      const refused = originAndTypeChecks(request, 'public');
      if (refused) throw refused;
      const body = await readBody(request);
      let input = undefined as Infer<B>;
      if (spec.body) {
        try {
          input = parseWith(spec.body, body) as Infer<B>;
        } catch (error) {
          if (error instanceof PublicError && error.code === 'invalid_input') options.onInvalidInput?.(base, body, error.fields ?? {});
          throw error;
        }
      }
      return toResponse(await handler({ ...base, input }));
    } catch (error) {
      return failure(error, request, base.locale);
    }
  };
}
