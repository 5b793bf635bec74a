// The family page's hub-connected parts against the sandbox's real JupyterHub 3.0:
// a member's server state and last activity (GET /api/members and the family page),
// and "remove" stopping the member's running server (DELETE /api/members/{user}).
// Each step checks the real state: the hub's own API (with the sandbox's test
// token), /etc/group (getent) and the audit rows in panel.db (read-only).
//
// Setup (test/sandbox/run.sh): parents mama, papa; kids anna, ben in jupyterhub;
// the hub as `jupyterhub` with SimpleLocalProcessSpawner; the production panel as
// jupyterhub-panel. The test connects the panel to the hub (connect + restart, as
// hub.test.ts does) and leaves the hub running; anna is put back into jupyterhub.
//
// Run: sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-reporter=spec test/integration/members-hub.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { auditRows } from '../sandbox/audit-rows';
import { parents, requireSandboxHub } from '../sandbox/fixtures';
import { PanelClient, hubApi, untilPanelShowsRunning } from '../sandbox/http';

// Fails (never skips) outside the sandbox.
const env = requireSandboxHub('seed');
const { lastAuditId, auditSince } = auditRows(env.db);
const HUB_LOG = '/home/jupyterhub/bootstrap.log';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- real state ------------------------------------------------------------------------

function groupMembers(): string[] {
  const line = execFileSync('getent', ['group', 'jupyterhub'], { encoding: 'utf8' }).trim();
  return (line.split(':')[3] ?? '').split(',').filter(Boolean);
}

/** anna's default server in the hub: undefined when she has none. */
async function annaServer(): Promise<{ ready: boolean; pending: string | null } | undefined> {
  const u = await hubApi('GET', '/hub/api/users/anna');
  if (u.status === 404) return undefined;
  assert.equal(u.status, 200, u.body);
  return u.json?.servers?.[''];
}

// ---- the panel -----------------------------------------------------------------------

/** PanelClient plus a Content-Length on every state-changing request (the server refuses chunked bodies with 411). */
class Client extends PanelClient {
  override call(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}) {
    const headers: Record<string, string> = { 'accept-language': 'en', ...extraHeaders };
    if (method !== 'GET') {
      body ??= {};
      headers['content-length'] ??= String(Buffer.byteLength(JSON.stringify(body)));
    }
    return super.call(method, path, body, headers);
  }
}
const mama = new Client();

interface MemberView {
  user: string;
  hub: { running: boolean; lastActivity: string | null } | null;
}
interface FamilyView {
  members: MemberView[];
  hub: { connected: boolean; error: string | null };
}
async function family(): Promise<FamilyView> {
  const r = await mama.call('GET', '/api/members');
  assert.equal(r.status, 200, r.body);
  return r.json as FamilyView;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, limitMs = 60_000, everyMs = 500): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  assert.fail(`never saw ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

/** The member card of `user` in the family page's HTML. */
function memberCard(html: string, user: string): string {
  const start = html.indexOf(`data-testid="member-${user}"`);
  assert.ok(start >= 0, `the family page has no card for ${user}`);
  const end = html.indexOf('</li>', start);
  assert.ok(end > start);
  return html.slice(start, end);
}

// ---- setup and restore --------------------------------------------------------------------

before(async () => {
  const login = await mama.login('mama', parents.mama);
  assert.equal(login.status, 200, login.body);
  if (!groupMembers().includes('anna')) execFileSync('/usr/bin/gpasswd', ['-a', 'anna', 'jupyterhub'], { stdio: 'pipe' });

  // Connect the panel to the hub, restart the hub so it knows the token, wait until it answers.
  const connect = await mama.call('POST', '/api/hub/connect');
  assert.equal(connect.status, 200, connect.body);
  const restart = await mama.call('POST', '/api/hub/restart');
  assert.equal(restart.status, 200, restart.body);
  await waitFor(
    'the hub up and connected on the dashboard',
    async () => {
      const r = await mama.call('GET', '/api/hub');
      if (r.status !== 200 || !r.json?.connected) return false;
      const ok = (id: string) => (r.json.checks as Array<{ id: string; status: string }>).find((c) => c.id === id)?.status === 'ok';
      return ok('hub-health') && ok('hub-api');
    },
    90_000,
  );
  // The sandbox token sees the hub too.
  await waitFor('the hub API with the test token', async () => (await hubApi('GET', '/hub/api/users')).status === 200, 30_000);
});

after(async () => {
  // anna back in the family, her server (if this test left one) stopped; the hub keeps running.
  if (!groupMembers().includes('anna')) execFileSync('/usr/bin/gpasswd', ['-a', 'anna', 'jupyterhub'], { stdio: 'pipe' });
  try {
    if (await annaServer()) {
      await hubApi('DELETE', '/hub/api/users/anna/server');
      await waitFor("anna's server stopped (cleanup)", async () => !(await annaServer()), 30_000, 300);
    }
  } catch {
    /* best effort: the assertions above already said what went wrong */
  }
});

// ---- the tests ------------------------------------------------------------------------

describe('family page with the hub connected', () => {
  test("GET /api/members: anna's server is not running", async () => {
    // The hub knows a user after their first login; the test makes anna known through the API.
    const made = await hubApi('POST', '/hub/api/users/anna');
    assert.ok([201, 409].includes(made.status), `create anna in the hub: ${made.status} ${made.body}`);
    assert.equal(await annaServer(), undefined, 'anna has no server in the hub');

    const f = await family();
    assert.equal(f.hub.connected, true);
    assert.equal(f.hub.error, null, 'the panel read the hub without an error');
    const anna = f.members.find((m) => m.user === 'anna');
    assert.ok(anna, 'anna is listed');
    assert.ok(anna.hub, 'anna has a hub state');
    assert.equal(anna.hub.running, false);
  });

  test("anna's server started through the hub API: running with a last activity, in the API and on the page", async () => {
    const started = Date.now();
    const start = await hubApi('POST', '/hub/api/users/anna/server');
    assert.ok([201, 202].includes(start.status), `start: ${start.status} ${start.body}`);
    let last = '';
    await waitFor(
      "anna's server ready in the hub",
      async () => {
        const s = await annaServer();
        last = JSON.stringify(s);
        if (!s) throw new Error(`the spawn failed: ${fs.readFileSync(HUB_LOG, 'utf8').split('\n').slice(-15).join('\n')}`);
        return s.ready;
      },
      90_000,
    ).catch((e) => assert.fail(`${(e as Error).message}; last: ${last}`));

    // She started it outside the panel: shown once the panel's server list is renewed (at most 3 s).
    await untilPanelShowsRunning(mama, 'anna');
    const f = await family();
    assert.equal(f.hub.error, null);
    const anna = f.members.find((m) => m.user === 'anna');
    assert.ok(anna?.hub, `anna with a hub state: ${JSON.stringify(anna)}`);
    assert.equal(anna.hub.running, true);
    assert.ok(anna.hub.lastActivity, `a last-activity time: ${JSON.stringify(anna.hub)}`);
    const t = Date.parse(anna.hub.lastActivity);
    assert.ok(!Number.isNaN(t), anna.hub.lastActivity);
    // Set by this start (clocks of hub and panel are the same machine's).
    assert.ok(t >= started - 5_000 && t <= Date.now() + 5_000, `last activity ${anna.hub.lastActivity} is from this start`);
    // ben has no server.
    assert.equal(f.members.find((m) => m.user === 'ben')?.hub?.running, false);

    const page = await mama.call('GET', '/family');
    assert.equal(page.status, 200, page.body.slice(0, 500));
    const card = memberCard(page.body, 'anna');
    assert.match(card, />Running</, `anna's card says her server runs: ${card}`);
    assert.match(card, />Last active</);
    const lastActive = /Last active<\/dt><dd[^>]*>([^<]*)<\/dd>/.exec(card)?.[1];
    assert.ok(lastActive && lastActive !== 'Never', `a last-active time on anna's card: ${lastActive}`);
    assert.ok(lastActive.includes(String(new Date(t).getFullYear())), lastActive);
    const benCard = memberCard(page.body, 'ben');
    assert.match(benCard, />Not running</);
  });

  test('DELETE /api/members/anna removes her and stops her running server, audited', async () => {
    assert.ok((await annaServer())?.ready, 'precondition: anna has a running server');
    const since = lastAuditId();

    const r = await mama.call('DELETE', '/api/members/anna');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.changed, true);
    assert.equal(r.json.serversStopped, true, r.body);
    assert.equal(r.json.serverStopError, null, r.body);

    assert.ok(!groupMembers().includes('anna'), 'getent group jupyterhub no longer lists anna');
    await waitFor("anna's server gone in the hub", async () => !(await annaServer()), 30_000, 300);
    const u = await hubApi('GET', '/hub/api/users/anna');
    assert.equal(u.status, 200, u.body);
    assert.deepEqual(u.json.servers ?? {}, {}, 'no servers left');

    const rows = auditSince(since).filter((x) => x.target === 'anna');
    const done = (action: string) => rows.filter((x) => x.action === action && x.d.phase === 'done');
    const removed = done('member_remove');
    assert.equal(removed.length, 1, JSON.stringify(rows));
    assert.equal(removed[0]!.actor, 'mama');
    assert.equal(removed[0]!.outcome, 'ok');
    assert.equal(removed[0]!.d.changed, true);
    const stopped = done('server_stop');
    assert.equal(stopped.length, 1, JSON.stringify(rows));
    assert.equal(stopped[0]!.actor, 'mama');
    assert.equal(stopped[0]!.outcome, 'ok');
    assert.equal(stopped[0]!.d.reason, 'member_removed');
    assert.equal(stopped[0]!.d.changed, true);
    assert.equal(stopped[0]!.error, null);
    assert.ok(removed[0]!.id < stopped[0]!.id, 'the server is stopped after the removal');

    // The family list no longer shows her.
    const f = await family();
    assert.ok(!f.members.some((m) => m.user === 'anna'));
  });
});
