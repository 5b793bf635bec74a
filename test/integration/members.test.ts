// The family API over HTTPS against the production panel, inside the sandbox:
// SECURITY-CASES.md 1-10, 14 and 25, plus onboarding (fresh, refused, resumed
// after a failed step). Each test checks the real effect: /etc/group (getent),
// /etc/shadow where a password is involved, and the audit rows in panel.db.
//
// Onboarding here never starts a package install (installPackages: false): that job
// has its own tests, and a running pip would keep the test accounts busy.
//
// Setup (test/sandbox/run.sh): parents mama, papa (jupyterhub_adm); kids anna, ben
// (jupyterhub); kim (no member); sudoer (sudo); svcacct (system); the hub
// account jupyterhub; the panel account jupyterhub-panel. Tests that change the
// family put it back, so later suites see the fixture state.
//
// Run: sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/members.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { auditRows } from '../sandbox/audit-rows';
import { sandboxEnv } from '../sandbox/fixtures';
import { PanelClient, request } from '../sandbox/http';

assert.equal(
  process.env.JH4F_SANDBOX,
  '1',
  'members.test.ts runs only inside the sandbox: sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/members.test.ts',
);
const env = sandboxEnv();
const { lastAuditId, auditSince } = auditRows(env.db);
const HELPER_LOCK = '/run/jupyterhub-panel-helper.lock';

// ---- system facts ------------------------------------------------------------------

function groupLine(): string {
  return execFileSync('getent', ['group', 'jupyterhub'], { encoding: 'utf8' }).trim();
}
function members(): string[] {
  return (groupLine().split(':')[3] ?? '').split(',').filter(Boolean).sort();
}
function shadowHash(user: string): string | null {
  const line = fs
    .readFileSync('/etc/shadow', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return line ? line.split(':')[1]! : null;
}
function accountExists(user: string): boolean {
  try {
    execFileSync('getent', ['passwd', '--', user], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** The final (not "start") rows of an action on a target. */
function finals(rows: ReturnType<typeof auditSince>, action: string, target?: string) {
  return rows.filter((r) => r.action === action && (target === undefined || r.target === target) && r.d.phase !== 'start');
}
function noPasswordIn(rows: ReturnType<typeof auditSince>, ...secrets: string[]) {
  const text = JSON.stringify(rows);
  for (const s of secrets) assert.ok(!text.includes(s), 'a password reached the audit log');
}

// ---- clients -------------------------------------------------------------------------

/** PanelClient plus a Content-Length on every body (server/server.ts refuses chunked bodies with 411). */
class Client extends PanelClient {
  override call(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}) {
    const headers = { ...extraHeaders };
    if (body !== undefined) headers['content-length'] ??= String(Buffer.byteLength(JSON.stringify(body)));
    return super.call(method, path, body, headers);
  }
}

const mama = new Client();
const papa = new Client();

before(async () => {
  for (const [c, u, p] of [
    [mama, 'mama', 'mama-pass-1'],
    [papa, 'papa', 'papa-pass-1'],
  ] as const) {
    const r = await c.login(u, p);
    assert.equal(r.status, 200, `login ${u}: ${r.body}`);
    assert.ok(c.cookie, 'session cookie');
  }
});

/** Puts the fixture family back: anna and ben members, kim not; passwords as in fixtures. */
function restoreFamily() {
  for (const u of ['anna', 'ben']) execFileSync('/usr/bin/gpasswd', ['-a', u, 'jupyterhub'], { stdio: 'pipe' });
  try {
    execFileSync('/usr/bin/gpasswd', ['-d', 'kim', 'jupyterhub'], { stdio: 'pipe' });
  } catch {
    /* not a member */
  }
}
after(() => restoreFamily());

// ---- the list ------------------------------------------------------------------------

describe('GET /api/members', () => {
  test('lists the members of jupyterhub with account state, and needs a session', async () => {
    const r = await mama.call('GET', '/api/members');
    assert.equal(r.status, 200, r.body);
    const users = (r.json.members as Array<{ user: string }>).map((m) => m.user).sort();
    assert.deepEqual(users, members());
    const anna = (r.json.members as Array<Record<string, unknown>>).find((m) => m.user === 'anna')!;
    assert.equal(anna.fullName, 'Anna Mustermann');
    assert.equal(anna.locked, false);
    assert.equal(anna.protected, false);
    assert.equal(typeof anna.packagesInstalled, 'boolean');
    assert.equal(typeof r.json.hub.connected, 'boolean');
    const anon = await new Client().call('GET', '/api/members');
    assert.equal(anon.status, 401);
  });

  test('candidates: human non-members, protected accounts not offered', async () => {
    const r = await mama.call('GET', '/api/accounts/candidates');
    assert.equal(r.status, 200, r.body);
    const names = (r.json.candidates as Array<{ username: string }>).map((c) => c.username);
    assert.ok(names.includes('kim'), names.join(','));
    for (const bad of ['root', 'sudoer', 'svcacct', 'jupyterhub', 'jupyterhub-panel', 'anna', 'ben', 'nobody']) assert.ok(!names.includes(bad), bad);
  });

  test('suggest: "Jürgen Müller" -> juergen; taken names are skipped; a passphrase comes along', async () => {
    const r = await mama.call('GET', `/api/onboard/suggest?fullName=${encodeURIComponent('Jürgen Müller')}`);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.username, 'juergen');
    assert.match(r.json.passphrase, /^[a-z]+(-[a-z]+){3}[0-9]$/);
    const taken = await mama.call('GET', `/api/onboard/suggest?fullName=${encodeURIComponent('Anna Müller')}`);
    assert.equal(taken.json.username, 'annam');
  });
});

// ---- SECURITY-CASES 1, 4, 5, 6, 7: bad names --------------------------------------------

describe('bad names are refused by the panel (400), audited, nothing changes', () => {
  const bad = ['-G', '--help', '--remove-home', '12345', '.', '..', 'a:b', 'a,b', 'a b', '', 'alice\nbob', 'alice\tx', 'alice\u0000x', '\u0430lice', 'jürgen', 'a'.repeat(33)];
  for (const name of bad) {
    test(`add ${JSON.stringify(name)}: 400 invalid_name`, async () => {
      const groupBefore = groupLine();
      const since = lastAuditId();
      const r = await mama.call('POST', '/api/members', { username: name });
      assert.equal(r.status, 400, r.body);
      assert.equal(r.json.error, 'invalid_name');
      assert.ok(r.json.message.length > 0);
      assert.equal(groupLine(), groupBefore);
      const rows = auditSince(since);
      const refused = rows.filter((x) => x.action === 'member_add' && x.outcome === 'refused');
      assert.equal(refused.length, 1, JSON.stringify(rows));
      assert.equal(refused[0]!.d.checkedBy, 'panel', 'refused before any helper call');
      assert.ok(!rows.some((x) => x.d.phase === 'start'), 'the helper was never started');
    });
  }

  for (const name of ['-G', '--help', 'a:b', '12345', 'alice\nbob', '\u0430lice']) {
    test(`remove and reset password of ${JSON.stringify(name)} (path parameter): 400`, async () => {
      const groupBefore = groupLine();
      const del = await mama.call('DELETE', `/api/members/${encodeURIComponent(name)}`);
      assert.equal(del.status, 400, del.body);
      const pw = await mama.call('POST', `/api/members/${encodeURIComponent(name)}/password`, { password: 'long-enough-1' });
      assert.equal(pw.status, 400, pw.body);
      assert.equal(groupLine(), groupBefore);
    });
  }

  test('onboard with a bad username: 400, no account is made', async () => {
    const since = lastAuditId();
    const r = await mama.call('POST', '/api/onboard', { username: '--help', fullName: 'Help', password: 'long-enough-1', installPackages: false });
    assert.equal(r.status, 400, r.body);
    assert.ok(!accountExists('--help'));
    assert.equal(finals(auditSince(since), 'onboard')[0]?.outcome, 'refused');
  });

  test('the login form refuses control characters before PAM (400)', async () => {
    for (const name of ['alice\nbob', 'alice\tx', 'alice\u0000x']) {
      const r = await new Client().login(name, 'x');
      assert.equal(r.status, 400, r.body);
    }
  });

  test('a 1 MB name and a 10 MB body: 413 at once (or the connection is cut); the server keeps serving', async () => {
    const groupBefore = groupLine();
    for (const size of [1024 * 1024, 10 * 1024 * 1024]) {
      const started = performance.now();
      const r = await mama.call('POST', '/api/members', { username: 'a'.repeat(size) }).catch((e: NodeJS.ErrnoException) => ({ status: e.code ?? 'error' }));
      // server/server.ts answers 413 from the declared length, before reading the body; a
      // client still writing may see the reset instead of the answer.
      assert.ok(r.status === 413 || r.status === 'ECONNRESET' || r.status === 'EPIPE', `${size}: ${String(r.status)}`);
      assert.ok(performance.now() - started < 5000, 'refused at once');
    }
    const health = await request(`${env.panelUrl}/api/health`);
    assert.equal(health.status, 200);
    assert.ok(health.ms < 2000);
    const list = await mama.call('GET', '/api/members');
    assert.equal(list.status, 200);
    assert.equal(groupLine(), groupBefore);
  });
});

// ---- SECURITY-CASES 2, 3: protected accounts --------------------------------------------

describe('protected accounts are refused as targets (403), audited, nothing changes', () => {
  // The hub account jupyterhub exists only on a seed machine (helper.test.ts covers it there).
  const hubAccount = spawnSync('getent', ['passwd', 'jupyterhub']).status === 0 ? ['jupyterhub'] : [];
  for (const name of ['root', 'svcacct', ...hubAccount, 'jupyterhub-panel', 'sudoer']) {
    test(`add ${name}: 403 protected_account`, async () => {
      const groupBefore = groupLine();
      const since = lastAuditId();
      const r = await mama.call('POST', '/api/members', { username: name });
      assert.equal(r.status, 403, r.body);
      assert.equal(r.json.error, 'protected_account');
      assert.match(r.json.message, new RegExp(name));
      assert.equal(groupLine(), groupBefore);
      const rows = finals(auditSince(since), 'member_add', name);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.outcome, 'refused');
      assert.match(rows[0]!.error ?? '', /protected_account/);
    });

    test(`set the password of ${name}: 403, the hash is unchanged`, async () => {
      const hash = shadowHash(name);
      const since = lastAuditId();
      const r = await mama.call('POST', `/api/members/${name}/password`, { password: 'hijack-attempt-1' });
      assert.equal(r.status, 403, r.body);
      assert.equal(shadowHash(name), hash);
      assert.equal(finals(auditSince(since), 'password_set', name)[0]?.outcome, 'refused');
      noPasswordIn(auditSince(since), 'hijack-attempt-1');
    });

    test(`onboard a new account named ${name} (collision): refused, the account is untouched`, async () => {
      const hash = shadowHash(name);
      const groupBefore = groupLine();
      const since = lastAuditId();
      const r = await mama.call('POST', '/api/onboard', { username: name, fullName: 'Evil Twin', password: 'hijack-attempt-2', installPackages: false });
      assert.ok(r.status === 403 || r.status === 409, r.body);
      assert.equal(r.json.step, 'create');
      assert.equal(shadowHash(name), hash);
      assert.equal(groupLine(), groupBefore);
      assert.equal(finals(auditSince(since), 'onboard', name)[0]?.outcome, 'refused');
      noPasswordIn(auditSince(since), 'hijack-attempt-2');
    });
  }

  // A seed machine only (a family machine has no account jupyterhub; helper.test.ts
  // checks the helper's refusal on a seed machine).
  if (hubAccount.length > 0) {
    test('remove the hub account: refused, it stays in its group', async () => {
      const r = await mama.call('DELETE', '/api/members/jupyterhub');
      assert.equal(r.status, 403, r.body);
      assert.match(groupLine(), /^jupyterhub:/);
      assert.equal(execFileSync('id', ['-gn', 'jupyterhub'], { encoding: 'utf8' }).trim(), 'jupyterhub');
    });
  }
});

// ---- SECURITY-CASES 8, 9, 10 ------------------------------------------------------------

describe('no such user, no-ops, extra arguments', () => {
  test('an account that does not exist: 404, nothing changed, audited', async () => {
    const groupBefore = groupLine();
    const since = lastAuditId();
    for (const [method, path, body] of [
      ['POST', '/api/members', { username: 'nosuchkid' }],
      ['DELETE', '/api/members/nosuchkid', undefined],
      ['POST', '/api/members/nosuchkid/password', { password: 'long-enough-1' }],
    ] as const) {
      const r = await mama.call(method, path, body);
      assert.equal(r.status, 404, `${method} ${path}: ${r.body}`);
      assert.equal(r.json.error, 'no_such_user');
    }
    assert.equal(groupLine(), groupBefore);
    const rows = auditSince(since);
    for (const action of ['member_add', 'member_remove', 'password_set']) {
      assert.equal(finals(rows, action, 'nosuchkid')[0]?.outcome, 'refused', action);
    }
  });

  test('adding a member twice and removing a non-member: 200 changed:false, audited', async () => {
    const groupBefore = groupLine();
    const since = lastAuditId();
    const add = await mama.call('POST', '/api/members', { username: 'anna' });
    assert.equal(add.status, 200, add.body);
    assert.equal(add.json.changed, false);
    const rm = await mama.call('DELETE', '/api/members/kim');
    assert.equal(rm.status, 200, rm.body);
    assert.equal(rm.json.changed, false);
    assert.equal(groupLine(), groupBefore);
    const rows = auditSince(since);
    assert.equal(finals(rows, 'member_add', 'anna')[0]?.d.changed, false);
    assert.equal(finals(rows, 'member_remove', 'kim')[0]?.d.changed, false);
    assert.equal(finals(rows, 'member_add', 'anna')[0]?.outcome, 'ok');
  });

  test('extra fields (another group, an option) are refused before any helper call', async () => {
    const groupBefore = groupLine();
    for (const body of [{ username: 'kim', group: 'sudo' }, { username: 'kim', args: ['--remove-home'] }, ['kim'], 'kim']) {
      const r = await mama.call('POST', '/api/members', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
    }
    assert.equal(groupLine(), groupBefore);
    assert.ok(!members().includes('kim'));
  });

  test('add and remove an existing account: the group changes, both audited with start and result rows', async () => {
    const since = lastAuditId();
    const add = await mama.call('POST', '/api/members', { username: 'kim' });
    assert.equal(add.status, 200, add.body);
    assert.equal(add.json.changed, true);
    assert.ok(members().includes('kim'));
    const rm = await mama.call('DELETE', '/api/members/kim');
    assert.equal(rm.status, 200, rm.body);
    assert.equal(rm.json.changed, true);
    assert.ok(!members().includes('kim'));
    const rows = auditSince(since);
    for (const action of ['member_add', 'member_remove']) {
      const mine = rows.filter((r) => r.action === action && r.target === 'kim');
      assert.deepEqual(
        mine.map((r) => r.d.phase),
        ['start', 'done'],
        action,
      );
      assert.equal(mine[1]!.outcome, 'ok');
      assert.equal(mine[1]!.actor, 'mama');
    }
  });

  test('state-changing family requests from another origin or as text/plain: 403 / 415', async () => {
    const groupBefore = groupLine();
    const evil = await mama.call('POST', '/api/members', { username: 'kim' }, { origin: 'https://evil.example' });
    assert.equal(evil.status, 403);
    const plain = await mama.call('POST', '/api/members', { username: 'kim' }, { 'content-type': 'text/plain' });
    assert.equal(plain.status, 415);
    const del = await mama.call('DELETE', '/api/members/anna', undefined, { origin: 'null' });
    assert.equal(del.status, 403);
    assert.equal(groupLine(), groupBefore);
  });

  test('a signed-in change without Origin and without Sec-Fetch-Site: 403, kim not added, one refused row', async () => {
    const since = lastAuditId();
    const groupBefore = groupLine();
    // Straight through request(): PanelClient would add the panel's Origin.
    const r = await request(`${env.panelUrl}/api/members`, {
      method: 'POST',
      headers: { cookie: mama.cookie!, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'kim' }),
    });
    assert.equal(r.status, 403, r.body);
    assert.equal(r.json.error, 'forbidden_origin');
    assert.match(r.json.message, /did not say which web page it came from/);
    assert.equal(groupLine(), groupBefore);
    assert.ok(!members().includes('kim'));
    const rows = auditSince(since);
    assert.deepEqual(
      rows.map((row) => [row.action, row.actor, row.target, row.outcome, row.d.code, row.d.reason, row.d.method]),
      [['request_refused', 'mama', '/api/members', 'refused', 'forbidden_origin', 'origin_missing', 'POST']],
      'one refused row and no member_add',
    );
    assert.match(rows[0]!.error ?? '', /^forbidden_origin: /);
  });

  test('a signed-in change without Origin but with Sec-Fetch-Site: same-origin is a browser of the panel: 200', async () => {
    const since = lastAuditId();
    const r = await request(`${env.panelUrl}/api/members`, {
      method: 'POST',
      headers: { cookie: mama.cookie!, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ username: 'kim' }),
    });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.changed, true);
    assert.ok(members().includes('kim'));
    const rm = await mama.call('DELETE', '/api/members/kim');
    assert.equal(rm.status, 200, rm.body);
    assert.ok(!members().includes('kim'));
    const rows = auditSince(since);
    assert.equal(rows.filter((row) => row.action === 'request_refused').length, 0);
    assert.equal(finals(rows, 'member_add', 'kim')[0]?.outcome, 'ok');
  });
});

// ---- SECURITY-CASES 14: passwords of parents and admins -----------------------------------

describe('password reset', () => {
  test("a parent cannot reset another parent's password (403, plain message), nor an admin's", async () => {
    const since = lastAuditId();
    const hash = shadowHash('papa');
    const r = await mama.call('POST', '/api/members/papa/password', { password: 'taken-over-1' });
    assert.equal(r.status, 403, r.body);
    assert.equal(r.json.error, 'protected_account');
    assert.match(r.json.message, /papa/);
    assert.equal(shadowHash('papa'), hash);
    const own = await mama.call('POST', '/api/members/mama/password', { password: 'taken-over-1' });
    assert.equal(own.status, 403, own.body);
    const admin = await mama.call('POST', '/api/members/sudoer/password', { password: 'taken-over-1' });
    assert.equal(admin.status, 403, admin.body);
    const rows = auditSince(since);
    assert.equal(finals(rows, 'password_set', 'papa')[0]?.outcome, 'refused');
    assert.equal(finals(rows, 'password_set', 'sudoer')[0]?.outcome, 'refused');
    noPasswordIn(rows, 'taken-over-1');
  });

  test("a non-member's password is not the panel's to reset", async () => {
    const hash = shadowHash('kim');
    const r = await mama.call('POST', '/api/members/kim/password', { password: 'taken-over-2' });
    assert.equal(r.status, 403, r.body);
    assert.match(r.json.message, /kim/);
    assert.equal(shadowHash('kim'), hash);
  });

  test("a kid's password: reset, the hash changes, audited without the password; a short one is 400", async () => {
    const since = lastAuditId();
    const before = shadowHash('anna');
    const short = await mama.call('POST', '/api/members/anna/password', { password: 'short' });
    assert.equal(short.status, 400);
    const r = await mama.call('POST', '/api/members/anna/password', { password: 'new-anna-pass-2' });
    assert.equal(r.status, 200, r.body);
    assert.notEqual(shadowHash('anna'), before);
    const back = await mama.call('POST', '/api/members/anna/password', { password: 'anna-pass-1' });
    assert.equal(back.status, 200, back.body);
    const rows = auditSince(since);
    assert.equal(finals(rows, 'password_set', 'anna').filter((x) => x.outcome === 'ok').length, 2);
    noPasswordIn(rows, 'new-anna-pass-2', 'anna-pass-1');
  });
});

// ---- SECURITY-CASES 25: two parents at once ---------------------------------------------------

describe('two parents change the family at the same moment', () => {
  test('both serialized by the helper, /etc/group consistent, both audited', async () => {
    const since = lastAuditId();
    const [a, b, c, d] = await Promise.all([
      mama.call('POST', '/api/members', { username: 'kim' }),
      papa.call('DELETE', '/api/members/ben'),
      papa.call('POST', '/api/members', { username: 'kim' }),
      mama.call('DELETE', '/api/members/ben'),
    ]);
    for (const r of [a, b, c, d]) assert.equal(r.status, 200, r.body);
    assert.equal([a, c].filter((r) => r.json.changed).length, 1, 'kim added exactly once');
    assert.equal([b, d].filter((r) => r.json.changed).length, 1, 'ben removed exactly once');
    const now = members();
    assert.ok(now.includes('kim') && !now.includes('ben') && now.includes('anna'), now.join(','));
    assert.equal(new Set(now).size, now.length, 'no duplicate entries in /etc/group');
    const rows = auditSince(since);
    assert.deepEqual(
      finals(rows, 'member_add', 'kim')
        .map((r) => r.actor)
        .sort(),
      ['mama', 'papa'],
    );
    assert.deepEqual(
      finals(rows, 'member_remove', 'ben')
        .map((r) => r.actor)
        .sort(),
      ['mama', 'papa'],
    );
    restoreFamily();
  });
});

// ---- onboarding ---------------------------------------------------------------------------------

/** Someone else holds the helper's kernel lock (flock), as a change from a terminal would. */
function holdHelperLock(): ChildProcess {
  const holder = spawn('/usr/bin/flock', [HELPER_LOCK, '/bin/sleep', '60'], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 50 && spawnSync('/usr/bin/flock', ['-n', HELPER_LOCK, 'true']).status === 0; i++) spawnSync('sleep', ['0.1']);
  return holder;
}
function releaseHelperLock(holder: ChildProcess) {
  process.kill(-holder.pid!, 'SIGKILL');
}
function deleteAccount(user: string) {
  if (accountExists(user)) execFileSync('/usr/sbin/userdel', ['--remove', '--', user], { stdio: 'pipe' });
}

describe('onboarding a kid', () => {
  after(() => {
    for (const u of ['lena', 'mia', 'tom']) deleteAccount(u);
  });

  test('one call: account with home, password, membership; 201; audited without the password', async () => {
    const since = lastAuditId();
    const r = await mama.call('POST', '/api/onboard', { username: 'lena', fullName: 'Lena Löwe', password: 'lena-first-pass', installPackages: false });
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.member.user, 'lena');
    assert.equal(r.json.member.fullName, 'Lena Löwe');
    assert.equal(r.json.resumed, false);
    assert.ok(members().includes('lena'));
    assert.match(shadowHash('lena') ?? '', /^\$/);
    assert.ok(fs.statSync('/home/lena').isDirectory());
    const rows = auditSince(since);
    assert.equal(finals(rows, 'user_create', 'lena')[0]?.outcome, 'ok');
    assert.equal(finals(rows, 'onboard', 'lena')[0]?.outcome, 'ok');
    noPasswordIn(rows, 'lena-first-pass');
  });

  test('the same name again (finished onboarding): 409 at step create, the password is untouched', async () => {
    const hash = shadowHash('lena');
    const r = await mama.call('POST', '/api/onboard', { username: 'lena', fullName: 'Lena Löwe', password: 'another-pass-9', installPackages: false });
    assert.equal(r.status, 409, r.body);
    assert.equal(r.json.error, 'conflict');
    assert.equal(r.json.step, 'create');
    assert.equal(shadowHash('lena'), hash);
  });

  test('an existing account the panel did not make (kim): 409 conflict, nothing changes', async () => {
    const hash = shadowHash('kim');
    const groupBefore = groupLine();
    const r = await mama.call('POST', '/api/onboard', { username: 'kim', fullName: 'Kim', password: 'another-pass-9', installPackages: false });
    assert.equal(r.status, 409, r.body);
    assert.match(r.json.message, /kim/);
    assert.equal(shadowHash('kim'), hash);
    assert.equal(groupLine(), groupBefore);
  });

  test('a failure half-way names the step; running it again continues instead of "already exists"', async () => {
    // An account the panel made, then left outside the group (as if adding it had failed).
    const made = await mama.call('POST', '/api/onboard', { username: 'mia', fullName: 'Mia', password: 'mia-first-pass', installPackages: false });
    assert.equal(made.status, 201, made.body);
    execFileSync('/usr/bin/gpasswd', ['-d', 'mia', 'jupyterhub'], { stdio: 'pipe' });
    // Step "add" fails: the helper's lock is held by someone else for longer than its 10 s wait.
    const since = lastAuditId();
    const sleeper = holdHelperLock();
    let failed;
    try {
      failed = await mama.call('POST', '/api/onboard', { username: 'mia', fullName: 'Mia', password: 'mia-second-pass', installPackages: false });
    } finally {
      releaseHelperLock(sleeper);
    }
    assert.equal(failed.status, 503, failed.body);
    assert.equal(failed.json.error, 'busy');
    assert.equal(failed.json.step, 'add');
    assert.equal(failed.json.accountExists, true);
    assert.ok(!members().includes('mia'));
    const failRow = finals(auditSince(since), 'onboard', 'mia')[0];
    // busy: the helper said no before changing anything (its lock was held), so refused by the one rule.
    assert.equal(failRow?.outcome, 'refused');
    assert.equal(failRow?.d.step, 'add');
    // Again: it continues (add, then password) and says so.
    const hash = shadowHash('mia');
    const again = await mama.call('POST', '/api/onboard', { username: 'mia', fullName: 'Mia', password: 'mia-second-pass', installPackages: false });
    assert.equal(again.status, 201, again.body);
    assert.equal(again.json.resumed, true);
    assert.ok(members().includes('mia'));
    assert.notEqual(shadowHash('mia'), hash, 'the new password was set');
    noPasswordIn(auditSince(since), 'mia-second-pass', 'mia-first-pass');
  });

  test('a bad full name or a short password: 400, no account', async () => {
    for (const body of [
      { username: 'tom', fullName: 'Tom:x', password: 'long-enough-1', installPackages: false },
      { username: 'tom', fullName: 'Tom, Room 2', password: 'long-enough-1', installPackages: false },
      { username: 'tom', fullName: 'Tom', password: 'short', installPackages: false },
      { username: 'tom', fullName: 'Tom', password: 'line\nbreak-pass', installPackages: false },
    ]) {
      const r = await mama.call('POST', '/api/onboard', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
    }
    assert.ok(!accountExists('tom'));
  });
});

describe('the audit API', () => {
  test('newest first, paged with before=, filtered by target', async () => {
    const first = await mama.call('GET', '/api/audit?limit=5');
    assert.equal(first.status, 200, first.body);
    const ids = (first.json.entries as Array<{ id: number }>).map((e) => e.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    assert.equal(ids.length, 5);
    const next = await mama.call('GET', `/api/audit?limit=5&before=${first.json.nextBefore}`);
    assert.ok((next.json.entries as Array<{ id: number }>).every((e) => e.id < ids.at(-1)!));
    const kim = await mama.call('GET', '/api/audit?limit=50&target=kim');
    assert.ok((kim.json.entries as Array<{ target: string }>).length > 0);
    assert.ok((kim.json.entries as Array<{ target: string }>).every((e) => e.target === 'kim'));
    const anon = await new Client().call('GET', '/api/audit');
    assert.equal(anon.status, 401);
  });
});
