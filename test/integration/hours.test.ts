// Jupyter hours and "Bedtime now" against the sandbox's
// real family hub (Debian's JupyterHub, our configuration), the real root helper
// behind its socket, real PAM and the production panel.
//
// Every step checks the real thing: the hub's login form and API (the hub itself
// refuses a kid outside their hours; nothing fakes its clock), the file on disk
// (root's; a kid and the panel account cannot write it), the audit rows in
// panel.db, and the panel's scheduler stopping a server when the hours end (real
// clock: hours that end two minutes from now).
//
// Run: sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 test/integration/hours.test.ts
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { auditRows } from '../sandbox/audit-rows';
import { kids, parents, requireSandboxHub } from '../sandbox/fixtures';
import { helperAs } from '../sandbox/helper-call';
import { HubVisitor, PanelClient, hubApi } from '../sandbox/http';

const env = requireSandboxHub('family');
const { lastAuditId, auditSince } = auditRows(env.db);
const HOURS_FILE = '/etc/jupyterhub4family/hours.json';
const HUB_LOG = '/var/log/jupyterhub4family/hub.log';
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mama = new PanelClient();

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 60_000, every = 500): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

const hm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
const today = () => DAYS[new Date().getDay()]!;

function setHours(user: string, hours: unknown) {
  return mama.call('POST', `/api/members/${user}/hours`, { hours });
}

async function serverOf(user: string): Promise<{ ready: boolean; pending: string | null } | undefined> {
  const u = await hubApi('GET', `/hub/api/users/${user}`);
  if (u.status === 404) return undefined;
  assert.equal(u.status, 200, u.body);
  return u.json?.servers?.[''];
}

async function startServer(user: string): Promise<void> {
  const made = await hubApi('POST', `/hub/api/users/${user}`);
  assert.ok([201, 409].includes(made.status), `create ${user} in the hub: ${made.status} ${made.body}`);
  const start = await hubApi('POST', `/hub/api/users/${user}/server`);
  assert.ok([201, 202, 400].includes(start.status), `start ${user}: ${start.status} ${start.body}`);
  await until(`${user}'s server ready`, async () => (await serverOf(user))?.ready === true, 90_000);
}

async function stopServer(user: string): Promise<void> {
  if (!(await serverOf(user))) return;
  await hubApi('DELETE', `/hub/api/users/${user}/server`);
  await until(`${user}'s server gone`, async () => !(await serverOf(user)), 30_000);
}

function fileText(): string | null {
  try {
    return fs.readFileSync(HOURS_FILE, 'utf8');
  } catch {
    return null;
  }
}

function inGroup(user: string, group: string): boolean {
  const line = execFileSync('getent', ['group', group], { encoding: 'utf8' }).trim();
  return (line.split(':')[3] ?? '').split(',').includes(user);
}

before(async () => {
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
  await until('the hub API with the test token', async () => (await hubApi('GET', '/hub/api/users')).status === 200, 60_000);
});

after(async () => {
  for (const u of ['anna', 'ben', 'papa']) await stopServer(u).catch(() => undefined);
  if (inGroup('papa', 'jupyterhub')) spawnSync('/usr/bin/gpasswd', ['-d', 'papa', 'jupyterhub'], { stdio: 'ignore' });
  await setHours('anna', 'always').catch(() => undefined);
  await setHours('ben', 'always').catch(() => undefined);
});

describe('Jupyter hours: the hub enforces them', () => {
  test('hours that exclude now: the hub refuses her login and her server start; hours that include now: she gets in', async () => {
    const mark = lastAuditId();
    // No day has hours: Jupyter never.
    const never = await setHours('anna', {});
    assert.equal(never.status, 200, never.body);
    assert.equal(never.json.changed, true);

    const refused = await new HubVisitor().login('anna', kids.anna);
    assert.equal(refused.loggedIn, false, `the hub let anna in outside her hours: ${refused.status}`);
    assert.notEqual(refused.status, 302);

    // A server start (here through the API, as a cookie would) is refused by the hub's pre_spawn_hook.
    const made = await hubApi('POST', '/hub/api/users/anna');
    assert.ok([201, 409].includes(made.status), made.body);
    const start = await hubApi('POST', '/hub/api/users/anna/server');
    assert.ok(start.status >= 400, `the hub started anna's server outside her hours: ${start.status} ${start.body}`);
    await sleep(2000);
    assert.ok(!(await serverOf('anna'))?.ready, 'no server runs');
    // Refused for her hours, not for anything else: the hub's own log says so.
    const log = fs.readFileSync(HUB_LOG, 'utf8');
    assert.match(log, /Jupyter hours: anna is outside their hours: login refused/);
    assert.match(log, /Jupyter hours: anna is outside their hours: server start refused/);

    // Today, all day: in.
    const allDay = await setHours('anna', { [today()]: ['00:00-24:00'] });
    assert.equal(allDay.status, 200, allDay.body);
    const login = await new HubVisitor().login('anna', kids.anna);
    assert.equal(login.loggedIn, true, `anna inside her hours: ${login.status} ${login.body.slice(0, 200)}`);

    const rows = auditSince(mark).filter((r) => r.action === 'hours_set' && r.d.phase === 'done');
    assert.equal(rows.length, 2, JSON.stringify(rows));
    assert.ok(rows.every((r) => r.actor === 'mama' && r.target === 'anna' && r.outcome === 'ok'));
  });

  test('fail closed: a malformed entry refuses that kid only; set again through the panel, she is back', async () => {
    // As if the file were damaged (root writes it here, the way the helper does: temp file, rename).
    const text = JSON.stringify({ version: 1, users: { anna: { [today()]: ['25:00-26:00'] }, ben: 'always' } });
    fs.writeFileSync(`${HOURS_FILE}.test`, text, { mode: 0o644 });
    fs.renameSync(`${HOURS_FILE}.test`, HOURS_FILE);
    assert.equal((await new HubVisitor().login('anna', kids.anna)).loggedIn, false, 'anna with a malformed entry got in');
    assert.equal((await new HubVisitor().login('ben', kids.ben)).loggedIn, true, "ben was refused for anna's bad entry");
    assert.match(fs.readFileSync(HUB_LOG, 'utf8'), /Jupyter hours: the entry of anna is malformed/);
    const page = await mama.call('GET', '/family?q=anna', undefined, { 'accept-language': 'en' });
    assert.ok(page.body.includes('unreadable: the hub refuses this kid until you set the hours again'));

    const fixed = await setHours('anna', { [today()]: ['00:00-24:00'] });
    assert.equal(fixed.status, 200, fixed.body);
    assert.equal((await new HubVisitor().login('anna', kids.anna)).loggedIn, true);
    assert.equal(JSON.parse(fileText()!).users.ben, 'always', "ben's entry is kept as it was");
  });

  test('the family page shows her hours', async () => {
    const page = await mama.call('GET', '/family?q=anna', undefined, { 'accept-language': 'de' });
    assert.equal(page.status, 200);
    assert.match(page.body, /Jupyter-Zeiten/);
    const short = { mon: 'Mo', tue: 'Di', wed: 'Mi', thu: 'Do', fri: 'Fr', sat: 'Sa', sun: 'So' }[today()];
    assert.ok(page.body.includes(`${short} 00:00–24:00`), 'the summary names today and the range');
  });

  test("the file is root's: neither a kid nor the panel account can write it or add a file next to it", () => {
    const st = fs.statSync(HOURS_FILE);
    assert.equal(st.uid, 0);
    assert.equal(st.gid, 0);
    assert.equal(st.mode & 0o777, 0o644);
    const dir = fs.statSync('/etc/jupyterhub4family');
    assert.equal(dir.uid, 0);
    assert.equal(dir.mode & 0o022, 0);
    const before = fileText();
    for (const who of ['anna', 'jupyterhub-panel']) {
      const write = spawnSync('/usr/sbin/runuser', ['-u', who, '--', '/bin/sh', '-c', `echo '{"version":1,"users":{}}' > ${HOURS_FILE}`], { encoding: 'utf8' });
      assert.notEqual(write.status, 0, `${who} wrote the hours file`);
      const swap = spawnSync('/usr/sbin/runuser', ['-u', who, '--', '/bin/sh', '-c', `echo x > ${HOURS_FILE}.new && mv ${HOURS_FILE}.new ${HOURS_FILE}`], { encoding: 'utf8' });
      assert.notEqual(swap.status, 0, `${who} replaced the hours file`);
    }
    assert.equal(fileText(), before, 'the file is as it was');
  });

  test('bad input is refused with nothing changed, and audited', async () => {
    if (!inGroup('papa', 'jupyterhub')) execFileSync('/usr/bin/gpasswd', ['-a', 'papa', 'jupyterhub'], { stdio: 'pipe' });
    const before = fileText();
    const mark = lastAuditId();
    const cases: Array<[string, unknown, string]> = [
      ['anna', { someday: ['16:00-20:00'] }, 'unknown day'],
      ['anna', { mon: ['25:00-26:00'] }, '25:00'],
      ['anna', { mon: ['20:00-16:00'] }, 'past midnight'],
      ['kim', 'always', 'not a member'],
      ['root', 'always', 'root'],
      ['papa', 'always', 'a parent'],
    ];
    for (const [user, hours, what] of cases) {
      const r = await setHours(user, hours);
      assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.body}`);
      assert.equal(fileText(), before, `${what}: the file changed`);
    }
    const refusals = auditSince(mark).filter((r) => r.action === 'hours_set' && r.outcome === 'refused');
    assert.equal(refusals.length, cases.length, JSON.stringify(auditSince(mark)));
    assert.match(refusals[0]!.error ?? '', /unknown day "someday"/);
    assert.match(refusals[1]!.error ?? '', /25:00/);
    assert.match(refusals.find((r) => r.target === 'papa')!.error ?? '', /is a parent/);
    assert.match(refusals.find((r) => r.target === 'root')!.error ?? '', /uid 0/);

    // The helper itself, asked directly over its socket as the panel account: the same rule.
    const direct = helperAs('jupyterhub-panel', ['set-hours', 'anna', '--hours', '{"mon":["16:00-24:30"]}', '--actor', 'mama']);
    assert.equal(direct.status, 2, direct.stdout);
    assert.match(direct.stdout, /invalid hours/);
    assert.equal(fileText(), before, 'the helper changed nothing');
    // Someone else cannot reach the helper at all.
    const kid = helperAs('anna', ['set-hours', 'anna', '--hours', 'always', '--actor', 'anna']);
    assert.notEqual(kid.status, 0);
    assert.equal(fileText(), before);
  });
});

describe('Jupyter hours: the panel stops servers', () => {
  test('a running server is stopped by the panel when her hours end', async () => {
    // Avoid a range across midnight: wait for the new day when it is that late.
    while (new Date().getHours() === 23 && new Date().getMinutes() >= 56) await sleep(10_000);
    const now = new Date();
    const end = new Date(now.getTime() + 2 * 60_000);
    end.setSeconds(0, 0);
    const r = await setHours('anna', { [today()]: [`${hm(now)}-${hm(end)}`] });
    assert.equal(r.status, 200, r.body);
    const mark = lastAuditId();
    await startServer('anna');
    assert.ok(Date.now() < end.getTime(), 'the server started before her hours ended');

    await until("anna's server stopped after her hours", async () => !(await serverOf('anna')), end.getTime() - Date.now() + 75_000, 1000);
    const stoppedAt = Date.now();
    assert.ok(stoppedAt >= end.getTime(), 'not stopped before the end of her hours');
    assert.ok(stoppedAt - end.getTime() < 65_000, `stopped ${Math.round((stoppedAt - end.getTime()) / 1000)} s after the end: more than a minute`);
    const rows = auditSince(mark).filter((x) => x.action === 'hours_stop');
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0]!.actor, '(system)');
    assert.equal(rows[0]!.target, 'anna');
    assert.equal(rows[0]!.outcome, 'ok');
    assert.deepEqual(rows[0]!.d.stopped, ['']);
  });

  test("bedtime now stops the kids' servers and leaves a parent's running", async () => {
    assert.equal((await setHours('anna', 'always')).status, 200);
    if (!inGroup('papa', 'jupyterhub')) execFileSync('/usr/bin/gpasswd', ['-a', 'papa', 'jupyterhub'], { stdio: 'pipe' });
    await startServer('anna');
    await startServer('papa');
    const mark = lastAuditId();
    const r = await mama.call('POST', '/api/bedtime', {});
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(
      r.json.stopped.map((s: any) => s.user),
      ['anna'],
    );
    assert.deepEqual(r.json.parentsLeft, ['papa']);
    await until("anna's server gone", async () => !(await serverOf('anna')), 30_000);
    assert.equal((await serverOf('papa'))?.ready, true, "papa's server keeps running");
    const rows = auditSince(mark).filter((x) => x.action === 'bedtime' && x.d.phase === 'done');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.actor, 'mama');
    assert.deepEqual(rows[0]!.d.stopped, [{ user: 'anna', servers: [''] }]);
    assert.deepEqual(rows[0]!.d.parentsLeft, ['papa']);
  });
});
