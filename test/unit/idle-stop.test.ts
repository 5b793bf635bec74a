// The panel's idle check end to end against a plain HTTP stand-in for the hub
// (lib/upkeep/idle-stop.ts checkIdleServers with fixed clocks): a kid's server
// whose last_activity the hub shows 59 minutes ahead at every check is audited
// once (activity_in_future, the values in the detail, no words), stopped one
// limit after it was first seen, and the stop's row says what the hub reported;
// an honest server beside it is stopped by its own time and never audited. Every audit action has its words in
// both catalogs (the audit page shows the key itself otherwise).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { tempPanel } from './support/temp-panel';

const TOKEN = 'ef'.repeat(32);
const T0 = Date.parse('2026-12-04T18:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** What the stand-in hub shows: its clock, and whose server runs. */
const fake = { now: T0, annaRunning: true, benRunning: true, deletes: [] as string[] };

const server = http.createServer((req, res) => {
  if (req.headers.authorization !== `token ${TOKEN}`) {
    res.writeHead(403).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://hub');
  if (req.method === 'GET' && url.pathname === '/hub/api/users' && url.searchParams.get('state') === 'active') {
    const started = iso(T0 - 10 * MIN);
    const users = [];
    // anna's server posts now + 59 min with its own token at every turn; the hub keeps the largest.
    if (fake.annaRunning) users.push({ name: 'anna', servers: { '': { ready: true, pending: null, started, last_activity: iso(fake.now + 59 * MIN) } } });
    // ben's was last used 20 minutes before T0.
    if (fake.benRunning) users.push({ name: 'ben', servers: { '': { ready: true, pending: null, started, last_activity: iso(T0 - 20 * MIN) } } });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(users));
    return;
  }
  if (req.method === 'DELETE' && /^\/hub\/api\/users\/[a-z]+\/server$/.test(url.pathname)) {
    const who = url.pathname.split('/')[4]!;
    fake.deletes.push(who);
    if (who === 'anna') fake.annaRunning = false;
    if (who === 'ben') fake.benRunning = false;
    res.writeHead(204).end();
    return;
  }
  res.writeHead(404).end();
});

let idle: typeof import('../../lib/upkeep/idle-stop');
let audit: typeof import('../../lib/store/audit');
let db: typeof import('../../lib/store/db');
let cleanup: () => void;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const panel = tempPanel({ JH4F_HUB_URL: `http://127.0.0.1:${port}` });
  const tokenFile = path.join(panel.dir, 'hub-token');
  fs.writeFileSync(tokenFile, `${TOKEN}\n`);
  process.env.JH4F_HUB_TOKEN_FILE = tokenFile;
  cleanup = panel.cleanup;
  idle = await import('../../lib/upkeep/idle-stop');
  audit = await import('../../lib/store/audit');
  db = await import('../../lib/store/db');
});

after(() => {
  server.close();
  db.setDatabaseForTests(null);
  cleanup();
});

beforeEach(() => {
  Object.assign(fake, { now: T0, annaRunning: true, benRunning: true, deletes: [] });
  idle.forgetActivityForTests();
  db.db().exec('DELETE FROM audit; DELETE FROM idle_stops');
});

/** The check once a minute from T0 (the default limit: 3 hours). */
async function checkEveryMinute(minutes: number): Promise<void> {
  for (let i = 0; i <= minutes; i++) {
    fake.now = T0 + i * MIN;
    await idle.checkIdleServers(fake.now);
  }
}

test('a server reporting +59 min at every check: one audit row, stopped one limit after it was first seen', async () => {
  fake.benRunning = false;
  await checkEveryMinute(179);
  assert.deepEqual(fake.deletes, [], 'nothing stopped before the limit');
  const seen = audit.audit.list({ limit: 500 }).filter((e) => e.action === 'activity_in_future');
  assert.equal(seen.length, 1, 'one row, not one per check');
  const row = seen[0]!;
  assert.deepEqual([row.actor, row.target, row.outcome, row.error], [null, 'anna', 'refused', null]);
  assert.deepEqual(row.detail, {
    server: '',
    started: iso(T0 - 10 * MIN),
    reportedActivity: iso(T0 + 59 * MIN),
    aheadSeconds: 59 * 60,
    countedAs: iso(T0),
    skewSeconds: 60,
    automatic: true,
  });

  fake.now = T0 + 180 * MIN;
  const r = await idle.checkIdleServers(fake.now);
  assert.deepEqual(
    r.stopped.map((s) => s.user),
    ['anna'],
  );
  assert.deepEqual(fake.deletes, ['anna']);
  const stop = audit.audit.list({ limit: 500 }).find((e) => e.action === 'server_idle_stop')!;
  assert.equal(stop.target, 'anna');
  assert.equal(stop.detail?.idleMinutes, 180);
  assert.equal(stop.detail?.lastActivity, iso(T0), 'counted from the first sight');
  assert.equal(stop.detail?.reportedActivity, iso(T0 + 239 * MIN), 'what the hub showed, for whoever reads the row');
  assert.equal(audit.audit.list({ limit: 500 }).filter((e) => e.action === 'activity_in_future').length, 1, 'still one row');
});

test('the honest server next to it is stopped by its own time, and never audited', async () => {
  fake.annaRunning = false;
  await checkEveryMinute(159);
  assert.deepEqual(fake.deletes, [], 'ben: 20 + 159 min idle, under the limit');
  fake.now = T0 + 160 * MIN;
  await idle.checkIdleServers(fake.now);
  assert.deepEqual(fake.deletes, ['ben']);
  assert.deepEqual(
    audit.audit.list({ limit: 500 }).filter((e) => e.action === 'activity_in_future'),
    [],
  );
});

test('every audit action has its words in English and German', async () => {
  const { en } = await import('../../lib/i18n/en');
  const { de } = await import('../../lib/i18n/de');
  for (const action of audit.AUDIT_ACTIONS) {
    assert.equal(typeof (en.audit.actions as Record<string, string>)[action], 'string', `en: ${action}`);
    assert.equal(typeof (de.audit.actions as Record<string, string>)[action], 'string', `de: ${action}`);
  }
  assert.match(en.audit.aheadNote, /\{minutes\}/);
  assert.match(de.audit.aheadNote, /\{minutes\}/);
});
