// Issue 16 items 3 and 4 against the sandbox's real family hub and root helper:
// - idle servers: with a one-minute limit (panel.env JH4F_IDLE_MINUTES=1, a check
//   every 5 s) the panel stops anna's untouched server by the hub's own
//   last_activity, audits it (server_idle_stop, with the idle time) and the API and
//   the family page say "stopped after ... idle"; ben's server, whose activity the
//   hub keeps hearing about (POST /hub/api/users/ben/activity, the call a
//   single-user server makes), stays up;
// - a server that keeps itself awake: anna's server, with its own
//   JUPYTERHUB_API_TOKEN (read from its environment, as her code could), tells
//   the hub at every turn that it was active 58 minutes from now; the panel counts
//   that from when it first saw it, stops the server a minute later and audits the
//   made-up time once (activity_in_future), shown on the audit page in English and
//   German;
// - disk use: anna's home gets a symlink loop, links to /etc/shadow and to /, a
//   FIFO and a 20 GB sparse file next to 5 MB of real data; the panel's number
//   comes back within the helper's bound and counts the 5 MB, not what the links
//   point at nor the sparse file's apparent size.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 test/integration/upkeep.test.ts
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { auditRows } from '../sandbox/audit-rows';
import { parents, requireSandboxHub } from '../sandbox/fixtures';
import { helperAs } from '../sandbox/helper-call';
import { PanelClient, hubApi } from '../sandbox/http';
import { readPanelEnv, restartPanel, restorePanel } from '../sandbox/panel-control';

const env = requireSandboxHub('family');
const { lastAuditId, auditSince } = auditRows(env.db);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mama = new PanelClient();
let originalPanelEnv = '';

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** The server as the hub reports it (undefined: none). */
async function server(user: string): Promise<{ ready: boolean; pending: string | null; last_activity: string | null } | undefined> {
  const u = await hubApi('GET', `/hub/api/users/${user}`);
  if (u.status === 404) return undefined;
  assert.equal(u.status, 200, u.body);
  return u.json?.servers?.[''];
}

async function startServer(user: string): Promise<void> {
  const created = await hubApi('POST', `/hub/api/users/${user}`);
  assert.ok([201, 409].includes(created.status), `create hub user ${user}: ${created.status} ${created.body}`);
  const s = await hubApi('POST', `/hub/api/users/${user}/server`);
  assert.ok([201, 202, 400].includes(s.status), `start ${user}: ${s.status} ${s.body}`);
  await until(`${user}'s server to be ready`, async () => (await server(user))?.ready === true, 120_000);
}

async function stopServer(user: string): Promise<void> {
  await hubApi('DELETE', `/hub/api/users/${user}/server`);
  await until(`${user}'s server to stop`, async () => (await server(user)) === undefined, 60_000);
}

/**
 * The API token the hub gave USER's running server (JUPYTERHUB_API_TOKEN in its
 * environment): what the kid's own code in that server can read and use.
 */
function serverToken(user: string): string {
  const uid = Number(execFileSync('/usr/bin/id', ['-u', user], { encoding: 'utf8' }).trim());
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== uid) continue;
      const token = fs
        .readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .find((v) => v.startsWith('JUPYTERHUB_API_TOKEN='));
      if (token) return token.slice('JUPYTERHUB_API_TOKEN='.length);
    } catch {
      /* ended meanwhile */
    }
  }
  throw new Error(`no process of ${user} has JUPYTERHUB_API_TOKEN`);
}

async function setIdle(minutes: number | null) {
  return mama.call('PUT', '/api/upkeep/idle', { minutes }, { 'content-length': String(JSON.stringify({ minutes }).length) });
}

before(async () => {
  originalPanelEnv = readPanelEnv();
  await restartPanel({ JH4F_IDLE_MINUTES: '1', JH4F_IDLE_CHECK_SECONDS: '5' });
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
});

after(async () => {
  await setIdle(180).catch(() => undefined);
  for (const user of ['anna', 'ben']) await hubApi('DELETE', `/hub/api/users/${user}/server`).catch(() => undefined);
  fs.rmSync('/home/anna/trap', { recursive: true, force: true });
  await restorePanel(originalPanelEnv);
});

describe('disk use per kid', () => {
  test('the helper measures as the member, only for unprotected members of jupyterhub', () => {
    const ok = helperAs('jupyterhub-panel', ['disk-use', 'anna']);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const line = JSON.parse(ok.stdout.trim().split('\n').pop()!);
    assert.equal(line.ok, true);
    assert.equal(typeof line.bytes, 'number');
    for (const [user, code] of [
      ['sudoer', 5],
      ['kim', 5],
      ['nobody-here', 4],
      ['Bad..Name', 3],
    ] as const) {
      const r = helperAs('jupyterhub-panel', ['disk-use', user]);
      assert.equal(r.status, code, `${user}: ${r.stdout}`);
    }
    // A kid cannot ask the helper at all (the socket's gate).
    const kid = helperAs('ben', ['disk-use', 'anna']);
    assert.equal(kid.status, 9, kid.stdout);
  });

  test('a home with a symlink loop, links to /etc/shadow and /, a FIFO and a 20 GB sparse file: bounded, only the real 5 MB counted', async (t) => {
    const as = (cmd: string) => execFileSync('/usr/sbin/runuser', ['-u', 'anna', '--', '/bin/sh', '-c', cmd], { stdio: 'pipe' });
    as(
      'set -e; mkdir -p ~/trap && cd ~/trap && ln -s loop-b loop-a && ln -s loop-a loop-b && ln -s /etc/shadow shadow && ln -s / root && ln -s .. up' +
        ' && mkfifo fifo && truncate -s 20G sparse && head -c 5000000 /dev/urandom > data',
    );
    const started = Date.now();
    // The panel was restarted in before() and nothing asked about anna yet: this is the first measurement.
    const r = await until(
      "anna's disk use",
      async () => {
        const u = await mama.call('GET', '/api/upkeep?users=anna');
        assert.equal(u.status, 200, u.body);
        const d = u.json.members.anna.disk;
        // Measured after the files were made (an older cached figure does not count).
        return d.size && Date.parse(d.size.measuredAt) >= started ? d : null;
      },
      40_000,
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.size.complete, true);
    assert.ok(r.size.bytes >= 5_000_000, `the 5 MB file counts: ${r.size.bytes}`);
    assert.ok(r.size.bytes < 30_000_000, `no link target, no sparse apparent size: ${r.size.bytes}`);
    assert.ok(seconds < 30, `answered in ${seconds} s`);
    // The FIFO was never opened: a reader would still be blocked in it, so nothing of anna's waits.
    // ps exits 1 when anna has no process at all.
    const left = spawnSync('ps', ['-o', 'pid=,comm=', '-u', 'anna'], { encoding: 'utf8' });
    assert.ok(left.status === 0 || left.status === 1, left.stderr);
    assert.doesNotMatch(left.stdout, /\bdu\b/, 'no du left behind');
    t.diagnostic(`anna's home: ${r.size.bytes} bytes, first measurement answered after ${seconds.toFixed(1)} s`);

    const family = await mama.call('GET', '/family', undefined, { 'accept-language': 'en' });
    const annaCard = family.body.slice(family.body.indexOf('data-testid="member-anna"'), family.body.indexOf('data-testid="member-ben"'));
    assert.match(annaCard, /data-testid="disk-use" data-bytes="\d+" data-complete="true">[0-9.]+\sMB</);
    assert.match(family.body, /Free space in \/home: [0-9.]+\s[kMGT]?B of [0-9.]+\s[kMGT]?B/);
  });
});

describe('idle servers go to sleep', () => {
  test('the idle setting: a parent sets it (audited), bad values are refused and change nothing', async () => {
    const since = lastAuditId();
    const never = await setIdle(null);
    assert.equal(never.status, 200, never.body);
    assert.equal(never.json.minutes, null);
    for (const bad of [0, -5, 1.5, 8 * 24 * 60, '60']) {
      const r = await mama.call('PUT', '/api/upkeep/idle', { minutes: bad }, { 'content-length': String(JSON.stringify({ minutes: bad }).length) });
      assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.body}`);
    }
    const up = await mama.call('GET', '/api/upkeep');
    assert.equal(up.status, 200, up.body);
    assert.equal(up.json.idleStopMinutes, null, 'the refused values changed nothing');
    const rows = auditSince(since).filter((r) => r.action === 'setting_change');
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0]!.actor, 'mama');
    assert.equal(rows[0]!.outcome, 'ok');
    assert.equal(rows[0]!.d.to, null);
    // Without a session: 401, nothing changed.
    const stranger = await new PanelClient().call('PUT', '/api/upkeep/idle', { minutes: 60 }, { 'content-length': '14' });
    assert.equal(stranger.status, 401);
  });

  test("an untouched server is stopped after the limit by the hub's last activity; an active one is kept", async () => {
    await startServer('anna');
    await startServer('ben');
    const since = lastAuditId();
    // ben's server keeps telling the hub it is in use, as jupyterhub-singleuser does.
    let keepBusy = true;
    const busy = (async () => {
      while (keepBusy) {
        const now = new Date().toISOString();
        const r = await hubApi('POST', '/hub/api/users/ben/activity', undefined, { last_activity: now, servers: { '': { last_activity: now } } });
        assert.equal(r.status, 200, `activity: ${r.status} ${r.body}`);
        await sleep(3000);
      }
    })();
    try {
      const set = await setIdle(1);
      assert.equal(set.status, 200, set.body);
      const annaBefore = await server('anna');
      assert.ok(annaBefore?.ready, 'anna runs before the limit');
      await until("the panel to stop anna's idle server", async () => (await server('anna')) === undefined, 150_000);
      // Two more checks (every 5 s) later ben's server still runs.
      await sleep(12_000);
      assert.equal((await server('ben'))?.ready, true, 'ben, active, keeps his server');
    } finally {
      keepBusy = false;
      await busy;
    }
    const stops = auditSince(since).filter((r) => r.action === 'server_idle_stop');
    assert.deepEqual(
      stops.map((r) => [r.target, r.outcome, r.actor]),
      [['anna', 'ok', null]],
      JSON.stringify(stops),
    );
    assert.ok((stops[0]!.d.idleMinutes as number) >= 1, JSON.stringify(stops[0]!.d));
    assert.equal(stops[0]!.d.limitMinutes, 1);
    assert.equal(stops[0]!.d.server, '');

    const up = await mama.call('GET', '/api/upkeep?users=anna,ben');
    assert.equal(up.status, 200, up.body);
    assert.ok(up.json.members.anna.idleStop, JSON.stringify(up.json.members.anna));
    assert.ok(up.json.members.anna.idleStop.idleMs >= 60_000);
    assert.equal(up.json.members.ben.idleStop, null);

    const family = await mama.call('GET', '/family', undefined, { 'accept-language': 'en' });
    assert.equal(family.status, 200);
    const annaCard = family.body.slice(family.body.indexOf('data-testid="member-anna"'), family.body.indexOf('data-testid="member-ben"'));
    assert.match(annaCard, /Stopped after \d+ min idle/);

    // anna starts again: the note goes; "never" keeps every server.
    await setIdle(null);
    await startServer('anna');
    await until(
      'the note to go once anna runs again',
      async () => {
        const r = await mama.call('GET', '/api/upkeep?users=anna');
        return r.json.members.anna.idleStop === null;
      },
      30_000,
    );
    await sleep(12_000);
    assert.equal((await server('anna'))?.ready, true, '"never" stops nothing');
    await stopServer('anna');
    await stopServer('ben');
  });

  test('a server reporting its activity ahead of the clock with its own token is still stopped, one limit after first seen; audited once', async () => {
    assert.equal((await setIdle(1)).status, 200);
    await startServer('anna');
    const token = serverToken('anna');
    const since = lastAuditId();
    // What a kid's code can do from inside the server, at every turn: claim activity
    // 58 minutes from now (the hub refuses more than 59), which the hub keeps as the
    // largest it was told.
    let posting = true;
    let posts = 0;
    const claims = (async () => {
      while (posting) {
        const ahead = new Date(Date.now() + 58 * 60_000).toISOString();
        const r = await hubApi('POST', '/hub/api/users/anna/activity', token, { last_activity: ahead, servers: { '': { last_activity: ahead } } });
        assert.equal(r.status, 200, `the hub takes the kid's claim: ${r.status} ${r.body}`);
        posts++;
        await sleep(3000);
      }
    })();
    let stoppedAt = 0;
    try {
      await until("the panel to stop anna's server despite its claims", async () => (await server('anna')) === undefined, 150_000);
      stoppedAt = Date.now();
    } finally {
      posting = false;
      await claims;
    }
    const rows = auditSince(since);
    const seen = rows.filter((r) => r.action === 'activity_in_future');
    assert.equal(seen.length, 1, `one row for ${posts} claims and every check: ${JSON.stringify(seen)}`);
    const row = seen[0]!;
    assert.deepEqual([row.actor, row.target, row.outcome], [null, 'anna', 'refused']);
    assert.equal(row.d.server, '');
    assert.ok(row.d.aheadSeconds > 56 * 60 && row.d.aheadSeconds <= 58 * 60, JSON.stringify(row.d));
    const firstSeen = Date.parse(row.d.countedAs);
    const late = (stoppedAt - firstSeen) / 1000;
    assert.ok(late >= 60, `stopped ${late} s after first seen: before the limit`);
    assert.ok(late < 60 + 30, `stopped ${late} s after first seen: the check runs every 5 s`);
    const stops = rows.filter((r) => r.action === 'server_idle_stop');
    assert.equal(stops.length, 1, JSON.stringify(stops));
    assert.equal(stops[0]!.d.lastActivity, row.d.countedAs, 'counted from the first sight');
    assert.ok(Date.parse(stops[0]!.d.reportedActivity) > stoppedAt + 50 * 60_000, 'the made-up time is in the row too');

    // The audit page words the row in the reader's language from its values.
    for (const [lang, label, note] of [
      ['en', 'Server reported activity in the future', /\d+ min ahead of this computer/],
      ['de', 'Server meldete Aktivität in der Zukunft', /\d+ Min\. vor der Uhr dieses Computers/],
    ] as const) {
      const page = await mama.call('GET', '/audit?target=anna', undefined, { 'accept-language': lang });
      assert.equal(page.status, 200);
      const at = page.body.indexOf('data-action="activity_in_future"');
      assert.ok(at > 0, `${lang}: the row is on the audit page`);
      const entry = page.body.slice(at, page.body.indexOf('</li>', at));
      assert.ok(entry.includes(label), `${lang}: ${entry.slice(0, 400)}`);
      assert.match(entry, note);
    }
    await setIdle(null);
  });
});
