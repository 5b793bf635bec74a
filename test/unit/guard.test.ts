import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { tempPanel, GROUP } from './support/temp-panel';
import { db, setDatabaseForTests } from '../../lib/db';
import { guarded, guardedRead, publicMutation } from '../../lib/guard';
import { checkContentType, checkOrigin, parseJsonBody } from '../../lib/request-checks';
import { createSession } from '../../lib/session';
import { setAccountFilesForTests } from '../../lib/unix-accounts';
import { addMemberSchema, loginSchema } from '../../lib/validation';

const tmp = tempPanel();
setAccountFilesForTests({ passwd: tmp.passwd, group: tmp.group });
after(() => {
  setDatabaseForTests(null);
  setAccountFilesForTests(null);
  tmp.cleanup();
});
beforeEach(() => tmp.writeGroup(GROUP));

const HOST = 'panel.home:8010';
const ORIGIN = `https://${HOST}`;

test('origin: own origin and no origin pass; another origin, the hub port, null and cross-site fetches are refused', () => {
  const ok = (origin: string | null, secFetchSite: string | null = null) => checkOrigin({ origin, host: HOST, secFetchSite }, 'https') === null;
  assert.equal(ok(ORIGIN), true);
  assert.equal(ok(ORIGIN.toUpperCase()), true);
  assert.equal(ok(null), true, 'non-browser clients send no Origin');
  assert.equal(ok(ORIGIN, 'same-origin'), true);
  assert.equal(ok('https://evil.example'), false);
  assert.equal(ok('https://panel.home:8000'), false, 'a kid notebook on the hub port is another origin');
  assert.equal(ok('http://panel.home:8010'), false);
  assert.equal(ok('null'), false);
  assert.equal(ok(''), false);
  assert.equal(ok(null, 'cross-site'), false);
  assert.equal(ok(null, 'same-site'), false, 'same site, other port: the hub');
  assert.equal(checkOrigin({ origin: ORIGIN, host: null, secFetchSite: null }, 'https')?.code, 'forbidden_origin');
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
  assert.throws(() => parseJsonBody('{a:1}'), (e: { code?: string }) => e.code === 'invalid_input');
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

test('guardedRead needs a session but no Origin', async () => {
  const handler = guardedRead({}, ({ session }) => ({ who: session.username }));
  assert.equal((await handler(req('GET', {}))).status, 401);
  const { token } = createSession('mama');
  const res = await handler(req('GET', { cookie: `jh4f_session=${token}` }));
  assert.deepEqual(await res.json(), { who: 'mama' });
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
