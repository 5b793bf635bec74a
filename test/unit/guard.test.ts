import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { tempPanel, GROUP } from './support/temp-panel';
import { db, setDatabaseForTests } from '../../lib/store/db';
import { guarded, guardedRead, publicMutation } from '../../lib/http/guard';
import { buildPanelOrigins, panelOrigins, parseSubjectAltName, resetPanelOriginsForTests } from '../../lib/http/panel-origins';
import { checkContentType, checkHost, checkOrigin, parseJsonBody } from '../../lib/http/request-checks';
import { createSession } from '../../lib/auth/session';
import { setAccountFilesForTests } from '../../lib/accounts/unix-accounts';
import { addMemberSchema, loginSchema } from '../../lib/http/validation';

/** A real certificate like the set-up's (EC for speed), with the names the panel is reached at. */
function certificate(san: string): { file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-cert-'));
  const file = path.join(dir, 'cert.pem');
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=panel.home',
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      file,
    ],
    { stdio: 'pipe' },
  );
  return { file, dir };
}
const cert = certificate('DNS:panel.home,DNS:localhost,DNS:*.wild.example,IP:127.0.0.1,IP:::1,IP:192.168.1.20');
const tmp = tempPanel({ JH4F_TLS_CERT: cert.file, JH4F_PORT: '8010', JH4F_PUBLIC_ORIGINS: 'https://family.example.org' });
setAccountFilesForTests({ passwd: tmp.passwd, group: tmp.group });
after(() => {
  setDatabaseForTests(null);
  setAccountFilesForTests(null);
  resetPanelOriginsForTests();
  tmp.cleanup();
  fs.rmSync(cert.dir, { recursive: true, force: true });
});
beforeEach(() => tmp.writeGroup(GROUP));

const HOST = 'panel.home:8010';
const ORIGIN = `https://${HOST}`;

test("the panel's origins: every name and address of its certificate with its port, and JH4F_PUBLIC_ORIGINS", () => {
  assert.deepEqual([...panelOrigins().origins].sort(), [
    'https://127.0.0.1:8010',
    'https://192.168.1.20:8010',
    'https://[::1]:8010',
    'https://family.example.org',
    'https://localhost:8010',
    'https://panel.home:8010',
  ]);
  assert.ok(panelOrigins().hosts.has('family.example.org:443'));
  assert.ok(panelOrigins().hosts.has('[::1]:8010'));
});

test('subjectAltName text: DNS names and IP addresses; wildcards and odd values are no origins', () => {
  assert.deepEqual(parseSubjectAltName('DNS:Localhost, DNS:*.x.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, email:a@b, DNS:"a, b", URI:https://x'), {
    dns: ['localhost'],
    ips: ['127.0.0.1', '0:0:0:0:0:0:0:1'],
  });
  assert.deepEqual(parseSubjectAltName(undefined), { dns: [], ips: [] });
  const dev = buildPanelOrigins({ port: 3000, insecureHttp: true, host: '127.0.0.1', publicOrigins: [] }, null);
  assert.ok(dev.origins.has('http://localhost:3000') && dev.origins.has('http://[::1]:3000'));
  assert.equal(buildPanelOrigins({ port: 8010, insecureHttp: false, host: '0.0.0.0', publicOrigins: [] }, null).origins.size, 0, 'no certificate: nothing (fails closed)');
});

const OWN = panelOrigins();

test('origin: own origins pass; another origin, the hub port, null and cross-site fetches are refused', () => {
  const ok = (origin: string | null, secFetchSite: string | null = null) =>
    checkOrigin({ origin, secFetchSite }, OWN, 'signed-in') === null && checkOrigin({ origin, secFetchSite }, OWN, 'public') === null;
  assert.equal(ok(ORIGIN), true);
  assert.equal(ok(ORIGIN.toUpperCase()), true);
  assert.equal(ok('https://127.0.0.1:8010'), true);
  assert.equal(ok('https://[::1]:8010'), true);
  assert.equal(ok('https://family.example.org'), true, 'JH4F_PUBLIC_ORIGINS');
  assert.equal(ok(ORIGIN, 'same-origin'), true);
  assert.equal(ok(ORIGIN, 'none'), true);
  assert.equal(ok('https://evil.example'), false);
  assert.equal(ok('https://evil.example:8010'), false);
  assert.equal(ok('https://panel.home:8000'), false, 'a kid notebook on the hub port is another origin');
  assert.equal(ok('https://a.wild.example:8010'), false, 'a wildcard in the certificate is no origin');
  assert.equal(ok('http://panel.home:8010'), false);
  assert.equal(ok('https://panel.home:8010/panel'), false);
  assert.equal(ok('null'), false);
  assert.equal(ok(''), false);
  assert.equal(ok(null, 'cross-site'), false);
  assert.equal(ok(null, 'same-site'), false, 'same site, other port: the hub');
  assert.equal(ok(ORIGIN, 'cross-site'), false, 'Fetch metadata saying cross-site wins over an own Origin');
});

test('origin, no Origin header: a signed-in change needs Sec-Fetch-Site same-origin; the login and logout pass', () => {
  const signedIn = (secFetchSite: string | null) => checkOrigin({ origin: null, secFetchSite }, OWN, 'signed-in');
  const publicRule = (secFetchSite: string | null) => checkOrigin({ origin: null, secFetchSite }, OWN, 'public');
  for (const site of [null, '', 'none', 'NONE']) {
    const e = signedIn(site);
    assert.equal(e?.code, 'forbidden_origin', String(site));
    assert.equal(e?.reason, 'origin_missing', 'the message says the request did not say where it came from');
    assert.equal(e?.httpStatus, 403);
  }
  assert.match(signedIn(null)!.localized('en'), /did not say which web page it came from/);
  assert.match(signedIn(null)!.localized('de'), /nicht angegeben, von welcher Webseite/);
  assert.equal(signedIn('same-origin'), null, 'a browser that leaves Origin out still says same-origin');
  assert.equal(signedIn(' Same-Origin '), null);
  for (const site of ['cross-site', 'same-site']) {
    assert.equal(signedIn(site)?.code, 'forbidden_origin', site);
    assert.equal(signedIn(site)?.reason, null, `${site} is another page, not a missing Origin`);
  }
  assert.equal(publicRule(null), null, 'curl logs in without Origin');
  assert.equal(publicRule('none'), null);
  assert.equal(publicRule('cross-site')?.code, 'forbidden_origin');
});

test('case 33: Origin and Host both foreign: the Origin is still refused, and the Host is too (421)', () => {
  // The old check compared Origin with the request's own Host, so this pair passed.
  assert.equal(checkOrigin({ origin: 'https://evil.example', secFetchSite: null }, OWN, 'signed-in')?.code, 'forbidden_origin');
  assert.equal(checkOrigin({ origin: 'https://evil.example:8010', secFetchSite: 'same-origin' }, OWN, 'signed-in')?.code, 'forbidden_origin');
  assert.equal(checkHost('evil.example', OWN)?.httpStatus, 421);
  assert.equal(checkHost('evil.example:8010', OWN)?.code, 'misdirected_request');
});

test("host: only the panel's own names, with its port", () => {
  const ok = (host: string | null) => checkHost(host, OWN) === null;
  for (const h of [
    HOST,
    'PANEL.HOME:8010',
    '127.0.0.1:8010',
    '[::1]:8010',
    '[0:0:0:0:0:0:0:1]:8010',
    '192.168.1.20:8010',
    'family.example.org',
    'family.example.org:443',
    ' panel.home:8010 ',
  ]) {
    assert.equal(ok(h), true, h);
  }
  for (const h of [null, '', 'evil.example:8010', 'panel.home:8000', 'panel.home', 'a.wild.example:8010', 'panel.home:8010/x', 'user@panel.home:8010', '10.0.0.1:8010']) {
    assert.equal(ok(h), false, String(h));
  }
});

test('content type: bodies must be declared JSON (text/plain and forms are refused)', () => {
  assert.equal(checkContentType('POST', 'application/json', '10'), null);
  assert.equal(checkContentType('POST', 'Application/JSON; charset=utf-8', '10'), null);
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null]) {
    assert.equal(checkContentType('POST', type, '10')?.code, 'unsupported_media_type', String(type));
  }
  assert.equal(checkContentType('DELETE', null, null), null, 'a DELETE without body needs no type');
  assert.equal(checkContentType('DELETE', 'text/plain', '5')?.code, 'unsupported_media_type');
  assert.equal(checkContentType('GET', null, null), null);
});

test('bodies: empty is undefined, broken JSON is invalid_input', () => {
  assert.equal(parseJsonBody(''), undefined);
  assert.deepEqual(parseJsonBody('{"a":1}'), { a: 1 });
  assert.throws(
    () => parseJsonBody('{a:1}'),
    (e: { code?: string }) => e.code === 'invalid_input',
  );
});

function req(method: string, headers: Record<string, string>, body?: string): Request {
  return new Request(`${ORIGIN}/panel/api/x`, { method, headers: { host: HOST, ...headers }, body });
}

test('guarded: the checks run in order and nothing reaches the use case without passing them all', async () => {
  const calls: unknown[] = [];
  const handler = guarded({ body: addMemberSchema }, ({ input, session }) => {
    calls.push([session.username, input]);
    return { ok: true };
  });
  const { token } = createSession('mama');
  const cookie = `jh4f_session=${token}`;
  const json = { 'content-type': 'application/json' };

  let res = await handler(req('POST', { ...json, origin: 'https://evil.example', cookie }, '{"username":"anna"}'));
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error, 'forbidden_origin');

  res = await handler(req('POST', { 'content-type': 'text/plain', origin: ORIGIN, cookie }, '{"username":"anna"}'));
  assert.equal(res.status, 415);

  res = await handler(req('POST', { ...json, origin: ORIGIN }, '{"username":"anna"}'));
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error, 'unauthenticated');

  res = await handler(req('POST', { ...json, origin: ORIGIN, cookie }, '{"username":"-G"}'));
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { error: 'invalid_input', message: 'Some of the input is not valid.', fields: { username: 'invalid_username' } });

  res = await handler(req('POST', { ...json, origin: ORIGIN, cookie, 'accept-language': 'de' }, '{"username":"-G"}'));
  assert.equal((await res.json()).message, 'Einige Eingaben sind ungültig.');

  assert.deepEqual(calls, []);
  res = await handler(req('POST', { ...json, origin: ORIGIN, cookie }, '{"username":"anna"}'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.deepEqual(calls, [['mama', { username: 'anna' }]]);
});

test('guarded without Origin: refused unless Sec-Fetch-Site says same-origin; a refusal with a live cookie is one audit row', async () => {
  const calls: unknown[] = [];
  const handler = guarded({ body: addMemberSchema }, ({ input }) => (calls.push(input), { ok: true }));
  const { token, session } = createSession('mama', {}, Date.now() - 5_000);
  const cookie = `jh4f_session=${token}`;
  const json = { 'content-type': 'application/json', 'x-jh4f-client-address': '10.2.2.2' };
  const rows = () =>
    db().prepare("SELECT actor, action, target, outcome, detail, error, client_address FROM audit WHERE action = 'request_refused' ORDER BY id").all() as {
      actor: string;
      action: string;
      target: string;
      outcome: string;
      detail: string;
      error: string;
      client_address: string;
    }[];
  const lastSeen = () => (db().prepare('SELECT last_seen_at FROM sessions WHERE id_hash = ?').get(session.idHash) as { last_seen_at: number }).last_seen_at;
  const before = rows().length;

  let res = await handler(req('POST', { ...json, cookie }, '{"username":"anna"}'));
  assert.equal(res.status, 403);
  const body = await res.json();
  assert.equal(body.error, 'forbidden_origin');
  assert.match(body.message, /did not say which web page it came from/);
  let mine = rows().slice(before);
  assert.equal(mine.length, 1, 'one refused row');
  assert.deepEqual(
    { ...mine[0], detail: JSON.parse(mine[0]!.detail) },
    {
      actor: 'mama',
      action: 'request_refused',
      target: '/api/x',
      outcome: 'refused',
      detail: { method: 'POST', checkedBy: 'panel', code: 'forbidden_origin', messageKey: 'errors.originMissing', reason: 'origin_missing' },
      error: mine[0]!.error,
      client_address: '10.2.2.2',
    },
  );
  assert.match(mine[0]!.error, /^forbidden_origin: /);
  assert.equal(lastSeen(), session.lastSeenAt, 'a refused request does not keep the session alive');

  res = await handler(req('POST', { ...json, cookie, origin: 'https://panel.home:8000' }, '{"username":"anna"}'));
  assert.equal(res.status, 403);
  assert.equal((await res.json()).message, 'This request came from another web page and was refused.');
  mine = rows().slice(before);
  assert.equal(mine.length, 2, 'a foreign Origin is audited too');
  assert.deepEqual(JSON.parse(mine[1]!.detail), { method: 'POST', checkedBy: 'panel', code: 'forbidden_origin', messageKey: 'errors.forbiddenOrigin' });

  res = await handler(req('DELETE', { 'sec-fetch-site': 'cross-site', cookie }));
  assert.equal(res.status, 403);
  assert.equal(rows().slice(before).length, 3);

  res = await handler(req('POST', json, '{"username":"anna"}'));
  assert.equal(res.status, 403, 'no cookie: still refused first');
  res = await handler(req('POST', { ...json, cookie: 'jh4f_session=' + 'B'.repeat(43) }, '{"username":"anna"}'));
  assert.equal(res.status, 403);
  assert.equal(rows().slice(before).length, 3, 'without a live session nobody is named and no row is written');
  assert.deepEqual(calls, []);

  res = await handler(req('POST', { ...json, cookie, 'sec-fetch-site': 'same-origin' }, '{"username":"anna"}'));
  assert.equal(res.status, 200, 'a browser that sends no Origin but says same-origin');
  assert.deepEqual(calls, [{ username: 'anna' }]);
  assert.ok(lastSeen() > session.lastSeenAt);
  assert.equal(rows().slice(before).length, 3);
});

test('publicMutation (login, logout) keeps passing a request without Origin, unaudited', async () => {
  const handler = publicMutation({ body: loginSchema }, ({ input }) => ({ user: input.username }));
  const { token } = createSession('mama');
  const count = () => (db().prepare("SELECT count(*) AS n FROM audit WHERE action = 'request_refused'").get() as { n: number }).n;
  const before = count();
  const res = await handler(req('POST', { 'content-type': 'application/json', cookie: `jh4f_session=${token}` }, JSON.stringify({ username: 'mama', password: 'p' })));
  assert.equal(res.status, 200);
  const foreign = await handler(req('POST', { 'content-type': 'application/json', origin: 'https://evil.example', cookie: `jh4f_session=${token}` }, '{}'));
  assert.equal(foreign.status, 403);
  assert.equal(count(), before, 'the login is no signed-in change: its refusals are not request_refused rows');
});

test('guarded: a parent removed from jupyterhub_adm gets 403 and the cookie is cleared', async () => {
  const handler = guarded({}, () => ({ ok: true }));
  const { token } = createSession('papa');
  tmp.writeGroup(GROUP.replace('mama,papa', 'mama'));
  const res = await handler(req('DELETE', { origin: ORIGIN, cookie: `jh4f_session=${token}` }));
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error, 'not_family_admin');
  assert.match(res.headers.get('set-cookie') ?? '', /jh4f_session=;.*Max-Age=0/);
});

test('guarded: unexpected errors are logged and answered generically', async () => {
  const handler = guarded({}, () => {
    throw new Error('secret internals /etc/shadow');
  });
  const { token } = createSession('mama');
  const res = await handler(req('DELETE', { origin: ORIGIN, cookie: `jh4f_session=${token}` }));
  assert.equal(res.status, 500);
  const body = await res.json();
  assert.equal(body.error, 'internal');
  assert.doesNotMatch(JSON.stringify(body), /shadow/);
});

test('guardedRead needs a session but no Origin; a foreign Host gets 421 even with the cookie', async () => {
  const handler = guardedRead({}, ({ session }) => ({ who: session.username }));
  assert.equal((await handler(req('GET', {}))).status, 401);
  const { token } = createSession('mama');
  const res = await handler(req('GET', { cookie: `jh4f_session=${token}` }));
  assert.deepEqual(await res.json(), { who: 'mama' });
  const rebound = await handler(req('GET', { cookie: `jh4f_session=${token}`, host: 'evil.example:8010' }));
  assert.equal(rebound.status, 421);
  assert.equal((await rebound.json()).error, 'misdirected_request');
});

test('case 33 through the guard: Origin and Host both evil.example with a valid cookie: refused, the use case never runs', async () => {
  const calls: unknown[] = [];
  const handler = guarded({ body: addMemberSchema }, ({ input }) => (calls.push(input), { ok: true }));
  const { token } = createSession('mama');
  for (const host of ['evil.example', 'evil.example:8010']) {
    const res = await handler(req('POST', { host, origin: `https://${host}`, 'content-type': 'application/json', cookie: `jh4f_session=${token}` }, '{"username":"anna"}'));
    assert.ok([403, 421].includes(res.status), String(res.status));
  }
  const viaProxy = await handler(
    req('POST', { host: 'family.example.org', origin: 'https://family.example.org', 'content-type': 'application/json', cookie: `jh4f_session=${token}` }, '{"username":"anna"}'),
  );
  assert.equal(viaProxy.status, 200, 'a name from JH4F_PUBLIC_ORIGINS works');
  assert.deepEqual(calls, [{ username: 'anna' }]);
});

test('publicMutation (login): Origin, type and schema without a session; bad input is reported to the hook', async () => {
  const seen: unknown[] = [];
  const handler = publicMutation({ body: loginSchema }, ({ input }) => ({ user: input.username }), {
    onInvalidInput: (ctx, body, fields) => seen.push({ addr: ctx.clientAddress, body, fields }),
  });
  const json = { 'content-type': 'application/json', origin: ORIGIN, 'x-jh4f-client-address': '10.1.1.1' };
  assert.equal((await handler(req('POST', { ...json, origin: 'null' }, '{}'))).status, 403);
  assert.equal((await handler(req('POST', { ...json, 'content-type': 'text/plain' }, '{}'))).status, 415);
  const bad = await handler(req('POST', json, JSON.stringify({ username: 'alice\u0000x', password: 'p' })));
  assert.equal(bad.status, 400);
  assert.deepEqual(seen, [{ addr: '10.1.1.1', body: { username: 'alice\u0000x', password: 'p' }, fields: { username: 'invalid_username' } }]);
  const ok = await handler(req('POST', json, JSON.stringify({ username: 'mama', password: 'p' })));
  assert.deepEqual(await ok.json(), { user: 'mama' });
  void db;
});
