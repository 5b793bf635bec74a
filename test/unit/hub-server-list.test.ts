// The hub's server list for family reads (lib/hub/hub-client.ts recentUsersWithServers,
// over lib/hub/single-flight-cache.ts): one request for readers at the same moment,
// kept briefly, dropped by the panel's own stops, failures not kept. A plain HTTP
// stand-in for the hub counts the requests.
import { after, before, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { tempPanel } from './support/temp-panel';

const TOKEN = 'cd'.repeat(32);

interface FakeHub {
  listRequests: number;
  annaRunning: boolean;
  /** Milliseconds the next list answers take. */
  delayMs: number;
  /** Answer the next list request with this status. */
  failNext: number | null;
}
const fake: FakeHub = { listRequests: 0, annaRunning: true, delayMs: 0, failNext: null };

const server = http.createServer((req, res) => {
  if (req.headers.authorization !== `token ${TOKEN}`) {
    res.writeHead(403).end();
    return;
  }
  const anna = () => ({ name: 'anna', admin: false, servers: fake.annaRunning ? { '': { ready: true, pending: null } } : {} });
  if (req.method === 'GET' && req.url === '/hub/api/users/anna') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(anna()));
    return;
  }
  if (req.method === 'GET' && req.url === '/hub/api/users') {
    fake.listRequests++;
    const status = fake.failNext;
    fake.failNext = null;
    // The state as it was when the request came in: a read under way when a stop is
    // answered carries the old state.
    const body = JSON.stringify([anna()]);
    const answer = () => {
      if (status) res.writeHead(status).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    };
    // At once when there is no delay: the keep-warm test mocks setTimeout.
    if (fake.delayMs > 0) setTimeout(answer, fake.delayMs);
    else answer();
    return;
  }
  if (req.method === 'DELETE' && req.url === '/hub/api/users/anna/server') {
    fake.annaRunning = false;
    res.writeHead(204).end();
    return;
  }
  res.writeHead(404).end();
});

let hub: typeof import('../../lib/hub/hub-client');
let cleanup: () => void;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const panel = tempPanel({ JH4F_HUB_URL: `http://127.0.0.1:${port}` });
  const tokenFile = path.join(panel.dir, 'hub-token');
  fs.writeFileSync(tokenFile, `${TOKEN}\n`);
  process.env.JH4F_HUB_TOKEN_FILE = tokenFile;
  cleanup = panel.cleanup;
  hub = await import('../../lib/hub/hub-client');
});

after(() => {
  server.close();
  cleanup();
});

beforeEach(() => {
  hub.forgetServerList();
  Object.assign(fake, { listRequests: 0, annaRunning: true, delayMs: 0, failNext: null });
});

const annaRuns = (users: Awaited<ReturnType<typeof hub.recentUsersWithServers>>) => users.find((u) => u.name === 'anna')!.running > 0;

test('readers at the same moment share one request to the hub', async () => {
  fake.delayMs = 50;
  const lists = await Promise.all(Array.from({ length: 10 }, () => hub.recentUsersWithServers()));
  assert.equal(fake.listRequests, 1);
  for (const list of lists) assert.equal(annaRuns(list), true);
});

test('a read right after uses the kept list; once it is older than the limit, the hub is asked again', async () => {
  mock.timers.enable({ apis: ['Date'], now: Date.now() });
  try {
    await hub.recentUsersWithServers();
    await hub.recentUsersWithServers();
    assert.equal(fake.listRequests, 1);
    mock.timers.tick(hub.SERVER_LIST_MAX_AGE_MS - 1);
    await hub.recentUsersWithServers();
    assert.equal(fake.listRequests, 1, 'still young enough');
    mock.timers.tick(2);
    await hub.recentUsersWithServers();
    assert.equal(fake.listRequests, 2, 'too old: asked again');
  } finally {
    mock.timers.reset();
  }
});

test("the panel's own stop drops the list: the next read shows the server stopped", async () => {
  assert.equal(annaRuns(await hub.recentUsersWithServers()), true);
  assert.equal(await hub.stopOneServer('anna', ''), 'stopped');
  assert.equal(annaRuns(await hub.recentUsersWithServers()), false);
  assert.equal(fake.listRequests, 2);
});

test('stopServer (removing a member, the hours timer) drops the list too', async () => {
  assert.equal(annaRuns(await hub.recentUsersWithServers()), true);
  assert.deepEqual((await hub.stopServer('anna')).stopped, ['']);
  assert.equal(annaRuns(await hub.recentUsersWithServers()), false);
  assert.equal(fake.listRequests, 2);
  // Nothing left to stop: the list is kept.
  assert.deepEqual((await hub.stopServer('anna')).stopped, []);
  await hub.recentUsersWithServers();
  assert.equal(fake.listRequests, 2);
});

test('a read under way when a stop is answered is not kept', async () => {
  fake.delayMs = 100;
  const early = hub.recentUsersWithServers();
  await new Promise((r) => setTimeout(r, 20)); // the read has reached the hub
  assert.equal(await hub.stopOneServer('anna', ''), 'stopped');
  assert.equal(annaRuns(await early), true, 'the early reader gets what the hub said then');
  fake.delayMs = 0;
  assert.equal(annaRuns(await hub.recentUsersWithServers()), false, 'the next reader asks again');
  assert.equal(fake.listRequests, 2);
});

test('a failed read is not kept: the next reader asks again', async () => {
  fake.failNext = 500;
  await assert.rejects(hub.recentUsersWithServers(), (e: unknown) => e instanceof hub.HubError && e.status === 500);
  assert.equal(annaRuns(await hub.recentUsersWithServers()), true);
  assert.equal(fake.listRequests, 2);
});

test('kept warm: a reader back after a pause gets a young list at once; nobody reading, it goes cold', async () => {
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.now() });
  try {
    await hub.recentUsersWithServers();
    assert.equal(fake.listRequests, 1);
    // Before the list is too old, the panel asks the hub again by itself.
    await step((hub.SERVER_LIST_MAX_AGE_MS * 2) / 3);
    assert.equal(fake.listRequests, 2, 'the background read reached the hub');
    // Anna's server stops at the hub; a parent reloads 5 s after the first read: the
    // answer comes from the warm list without a request, and already shows the stop.
    fake.annaRunning = false;
    await step(hub.SERVER_LIST_MAX_AGE_MS - 1);
    const before = fake.listRequests;
    assert.equal(annaRuns(await hub.recentUsersWithServers()), false);
    assert.equal(fake.listRequests, before, 'answered without waiting for the hub');
    // Nobody reads for longer than the warm time: no more requests.
    for (let t = 0; t < hub.SERVER_LIST_KEEP_WARM_MS + 10_000; t += 500) await step(500);
    const cold = fake.listRequests;
    assert.ok(cold > before, 'kept warm while the parent had just read');
    for (let t = 0; t < 10_000; t += 500) await step(500);
    assert.equal(fake.listRequests, cold, 'cold: the hub is not asked while nobody reads');
    fake.annaRunning = true;
    assert.equal(annaRuns(await hub.recentUsersWithServers()), true, 'the next reader waits for a fresh list');
    assert.equal(fake.listRequests, cold + 1);
  } finally {
    mock.timers.reset();
  }
});

/** Mocked time passes, then the event loop turns until a read it started has had its answer. */
async function step(ms: number): Promise<void> {
  const asked = fake.listRequests;
  mock.timers.tick(ms);
  // A read started by this tick reaches the stand-in (counted), then its answer comes back.
  for (let i = 0; i < 2_000 && fake.listRequests === asked; i++) await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 2_000; i++) await new Promise((r) => setImmediate(r));
}
