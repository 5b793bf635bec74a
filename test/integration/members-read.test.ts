// Reading the family without root: GET /api/members and the candidate
// search against the production panel in the sandbox, checked against the real
// account files and against the root helper's own `list-members` on the same
// system. The panel reads /etc/group, /etc/passwd and /etc/shadow itself (its
// account is in group shadow) and the packages from its own job records; a read
// never starts pkexec, so it works with the helper moved away.
//
// Setup (test/sandbox/run.sh): parents mama, papa; kids anna, ben (jupyterhub);
// kim (no member, "Kim Nachbar"); sudoer (sudo); locked (usermod --lock).
// Every change here is undone at the end of its test.
//
// Run: sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/members-read.test.ts
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { parents, sandboxEnv } from '../sandbox/fixtures';
import { PanelClient } from '../sandbox/http';

assert.equal(process.env.JH4F_SANDBOX, '1', 'members-read.test.ts runs only inside the sandbox (sudo bash test/sandbox/run.sh ...)');
const env = sandboxEnv();
const HELPER = '/usr/libexec/jupyterhub-panel/helper';

const mama = new PanelClient();
before(async () => {
  const r = await mama.login('mama', parents.mama);
  assert.equal(r.status, 200, r.body);
});

function gpasswd(...args: string[]): void {
  execFileSync('/usr/bin/gpasswd', args, { stdio: 'pipe' });
}
function groupMembers(): string[] {
  return (execFileSync('getent', ['group', 'jupyterhub'], { encoding: 'utf8' }).trim().split(':')[3] ?? '').split(',').filter(Boolean).sort();
}

interface ApiMember {
  user: string;
  uid: number;
  fullName: string;
  locked: boolean | null;
  protected: boolean;
  protectedReason: string | null;
  familyAdmin: boolean;
  packagesInstalled: boolean;
  packages: Record<string, string> | null;
}

async function members(query = ''): Promise<{ members: ApiMember[]; total: number; page: number; pages: number; pageSize: number }> {
  const r = await mama.call('GET', `/api/members${query}`);
  assert.equal(r.status, 200, r.body);
  return r.json;
}

/** The root helper's own answer, run as root from a terminal (no pkexec needed). */
function helperList(): Array<Record<string, unknown>> {
  const r = spawnSync(HELPER, ['list-members'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } as unknown as NodeJS.ProcessEnv });
  assert.equal(r.status, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ok: boolean; members: Array<Record<string, unknown>> };
  assert.equal(last.ok, true);
  return last.members;
}

describe('GET /api/members reads the family without root', () => {
  test('a read works with the root helper gone (no pkexec per read)', async () => {
    fs.renameSync(HELPER, `${HELPER}.away`);
    try {
      const list = await members();
      assert.deepEqual(list.members.map((m) => m.user).sort(), groupMembers());
    } finally {
      fs.renameSync(`${HELPER}.away`, HELPER);
    }
  });

  test("the same facts as the helper's list-members: lock state, protection, parents", async () => {
    // A protected account and a locked one in the family, for this test only.
    gpasswd('-a', 'sudoer', 'jupyterhub');
    gpasswd('-a', 'locked', 'jupyterhub');
    gpasswd('-a', 'mama', 'jupyterhub');
    execFileSync('/usr/sbin/usermod', ['--lock', 'ben']);
    try {
      const panel = new Map((await members()).members.map((m) => [m.user, m]));
      const helper = helperList();
      assert.deepEqual([...panel.keys()].sort(), helper.map((m) => m.user as string).sort());
      for (const h of helper) {
        const p = panel.get(h.user as string)!;
        // Both give the shared Member with the shared rule's reason code.
        assert.deepEqual(
          [p.uid, p.fullName, p.locked, p.protected, p.protectedReason, p.familyAdmin],
          [h.uid, h.fullName, h.locked, h.protected, h.protectedReason, h.familyAdmin],
          String(h.user),
        );
      }
      assert.equal(panel.get('ben')!.locked, true);
      assert.equal(panel.get('locked')!.locked, true);
      assert.equal(panel.get('anna')!.locked, false);
      assert.deepEqual([panel.get('sudoer')!.protected, panel.get('sudoer')!.protectedReason], [true, 'group:sudo']);
      assert.equal(panel.get('mama')!.familyAdmin, true);
    } finally {
      execFileSync('/usr/sbin/usermod', ['--unlock', 'ben']);
      for (const u of ['sudoer', 'locked', 'mama']) gpasswd('-d', u, 'jupyterhub');
    }
    assert.equal((await members()).members.find((m) => m.user === 'ben')!.locked, false);
  });

  test("packages installed: the panel's record of the newest succeeded install, not a look into the home", async () => {
    // Other suites may have installed for ben already: whatever he shows now, a newer
    // succeeded job is what he shows next, and without it he is back as he was.
    const ben = async () => (await members('?q=ben')).members.find((m) => m.user === 'ben')!;
    const before = await ben();
    const id = crypto.randomBytes(12).toString('base64url');
    const db = new Database(env.db, { fileMustExist: true });
    const now = Date.now() + 60_000;
    try {
      db.prepare(
        `INSERT INTO jobs (id, kind, target, actor, state, created_at, updated_at, started_at, finished_at, progress, log_tail, result)
         VALUES (?, 'packages_install', 'ben', 'mama', 'succeeded', ?, ?, ?, ?, '{}', '[]', ?)`,
      ).run(id, now, now, now, now, JSON.stringify({ installed: { 'members-read-probe': '1.2.3' }, skipped: [], changed: true }));
      const after = await ben();
      assert.deepEqual([after.packagesInstalled, after.packages], [true, { 'members-read-probe': '1.2.3' }]);
    } finally {
      db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
      db.close();
    }
    const again = await ben();
    assert.deepEqual([again.packagesInstalled, again.packages], [before.packagesInstalled, before.packages]);
  });
});

describe('search and paging', () => {
  test('without parameters the whole list as before; q searches usernames and full names; pages are fixed slices', async () => {
    const all = await members();
    assert.equal(all.total, all.members.length);
    const byName = await members(`?q=${encodeURIComponent('MUSTERMANN anna')}`);
    assert.deepEqual(
      byName.members.map((m) => m.user),
      ['anna'],
    );
    const names = all.members.map((m) => m.user);
    const second = await members('?page=2&pageSize=1');
    assert.deepEqual([second.members.map((m) => m.user), second.total, second.pages, second.page], [[names[1]], names.length, names.length, 2]);
    const clamped = await members('?page=999&pageSize=1');
    assert.equal(clamped.page, names.length);
    const none = await members('?q=nobody-is-called-this&page=1');
    assert.deepEqual([none.members, none.total, none.pages], [[], 0, 1]);
  });

  test('bad parameters: 400, nothing read', async () => {
    for (const q of ['?page=0', '?page=x', '?pageSize=1000', `?q=${'x'.repeat(201)}`]) {
      const r = await mama.call('GET', `/api/members${q}`);
      assert.equal(r.status, 400, `${q}: ${r.body}`);
      assert.equal(r.json.error, 'invalid_input');
    }
    assert.equal((await new PanelClient().call('GET', '/api/members?q=anna')).status, 401);
  });

  test('candidates: searched on the server, bounded, protected accounts never offered', async () => {
    const r = await mama.call('GET', `/api/accounts/candidates?q=${encodeURIComponent('nachbar')}`);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(r.json, { candidates: [{ username: 'kim', fullName: 'Kim Nachbar' }], total: 1 });
    const sudo = await mama.call('GET', '/api/accounts/candidates?q=sudo');
    assert.deepEqual(sudo.json, { candidates: [], total: 0 });
    const one = await mama.call('GET', '/api/accounts/candidates?q=&limit=1');
    assert.equal(one.json.candidates.length, 1);
    assert.ok(one.json.total >= 2, JSON.stringify(one.json));
    const old = await mama.call('GET', '/api/accounts/candidates');
    assert.ok(Array.isArray(old.json.candidates) && old.json.total === undefined, 'the old call: every candidate, no paging');
  });
});
