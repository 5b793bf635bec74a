// A member whose home others can open (issue 33, point 4): an account the panel did
// not make keeps Debian's old 0755 home when a parent adds it to the hub, so a
// sibling reads its notebooks. The family page says so and "Make private" closes
// the folder itself (0700) through the helper's make-home-private, which runs as
// the member, follows no link and touches nothing inside. Refusals change nothing
// and are audited.
//
// Setup (test/sandbox/run.sh): mama (parent), anna (member), kim (not a member).
// This file makes the accounts lodger (home 0755, a notebook inside) and linky
// (home a symbolic link to /etc), both removed again at the end.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 test/integration/home-private.test.ts
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { parseHelperOutput } from '../../lib/helper/client';
import { parents, sandboxEnv } from '../sandbox/fixtures';
import { helperAs } from '../sandbox/helper-call';
import { PanelClient } from '../sandbox/http';

const env = sandboxEnv();
const mama = new PanelClient();
const NOTEBOOK = '/home/lodger/secret-diary.ipynb';

function sh(cmd: string, ...args: string[]): void {
  execFileSync(cmd, args, { stdio: 'pipe' });
}
function removeAccount(user: string): void {
  spawnSync('/usr/sbin/userdel', ['--remove', user], { stdio: 'ignore' });
}
/** "uid:gid mode" of a path itself (lstat). */
function facts(p: string): string {
  const st = fs.lstatSync(p);
  return `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
}
/** Can anna read FILE (as anna, no root)? */
function annaReads(file: string): boolean {
  return spawnSync('/usr/sbin/runuser', ['-u', 'anna', '--', '/usr/bin/head', '-c', '1', '--', file], { stdio: 'ignore' }).status === 0;
}
function audit(action: string, sinceId: number): Array<{ target: string; outcome: string; detail: Record<string, unknown> }> {
  const conn = new Database(env.db, { readonly: true, fileMustExist: true });
  try {
    return (
      conn.prepare('SELECT target, outcome, detail FROM audit WHERE action = ? AND id > ? ORDER BY id').all(action, sinceId) as Array<{ target: string; outcome: string; detail: string }>
    ).map((r) => ({ ...r, detail: JSON.parse(r.detail ?? '{}') as Record<string, unknown> }));
  } finally {
    conn.close();
  }
}
function lastAuditId(): number {
  const conn = new Database(env.db, { readonly: true, fileMustExist: true });
  try {
    return Number((conn.prepare('SELECT max(id) AS id FROM audit').get() as { id: number | null }).id ?? 0);
  } finally {
    conn.close();
  }
}
async function memberFacts(user: string): Promise<Record<string, unknown> | undefined> {
  const r = await mama.call('GET', `/api/members?q=${user}`);
  assert.equal(r.status, 200, r.body);
  return (r.json.members as Array<Record<string, unknown>>).find((m) => m.user === user);
}

before(async () => {
  removeAccount('lodger');
  removeAccount('linky');
  // An account made before the panel, the old Debian way: a home others may enter.
  sh('/usr/sbin/useradd', '--create-home', '--shell', '/bin/bash', '--comment', 'The Lodger', 'lodger');
  sh('/usr/bin/chmod', '0755', '/home/lodger');
  sh('/usr/sbin/runuser', '-u', 'lodger', '--', '/bin/sh', '-c', `umask 022; echo '{"cells":[]}' > ${NOTEBOOK}`);
  // An account whose home in /etc/passwd is a link to a folder that is not its own.
  sh('/usr/sbin/useradd', '--no-create-home', '--home-dir', '/home/linky', '--shell', '/bin/bash', 'linky');
  fs.symlinkSync('/etc', '/home/linky');
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
});

after(() => {
  fs.rmSync('/home/linky', { force: true });
  removeAccount('lodger');
  removeAccount('linky');
});

test('added to the hub, an old 0755 home shows as open to others, and a sibling can read its notebook', async () => {
  const add = await mama.call('POST', '/api/members', { username: 'lodger' });
  assert.equal(add.status, 200, add.body);
  assert.equal(facts('/home/lodger').split(' ')[1], '755');
  assert.equal(annaReads(NOTEBOOK), true, 'the open home is what the check below closes');
  assert.equal((await memberFacts('lodger'))?.homeOpen, true);
  // Another member's flag says what her folder's mode says (the sandbox's fixture homes are Debian 12's 0755).
  const annaOpen = (fs.lstatSync('/home/anna').mode & 0o005) !== 0;
  assert.equal((await memberFacts('anna'))?.homeOpen, annaOpen);
  // The family page shows it on lodger's card, with the button.
  const page = await mama.call('GET', '/family?q=lodger');
  assert.equal(page.status, 200);
  assert.match(page.body, /data-testid="home-open"/);
});

test('"Make private": the home folder itself becomes 0700, as lodger; nothing inside changes; the sibling is out; audited', async () => {
  const mark = lastAuditId();
  const notebookBefore = facts(NOTEBOOK);
  const r = await mama.call('POST', '/api/members/lodger/home-private', {});
  assert.equal(r.status, 200, r.body);
  assert.deepEqual([r.json.before, r.json.after], ['755', '700']);
  const uid = Number(execFileSync('/usr/bin/id', ['-u', 'lodger'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('/usr/bin/id', ['-g', 'lodger'], { encoding: 'utf8' }));
  assert.equal(facts('/home/lodger'), `${uid}:${gid} 700`, 'owner kept, group and others out');
  assert.equal(facts(NOTEBOOK), notebookBefore, 'the notebook itself is untouched');
  assert.equal(annaReads(NOTEBOOK), false, 'the sibling can no longer open it');
  assert.equal((await memberFacts('lodger'))?.homeOpen, false);
  const rows = audit('home_private', mark);
  assert.deepEqual(
    rows.map((row) => [row.target, row.outcome, row.detail.phase]),
    [
      ['lodger', 'ok', 'start'],
      ['lodger', 'ok', 'done'],
    ],
  );
  assert.deepEqual([rows[1]!.detail.before, rows[1]!.detail.after, rows[1]!.detail.changed], ['755', '700', true]);
  // Again: nothing to do, still fine.
  const again = await mama.call('POST', '/api/members/lodger/home-private', {});
  assert.equal(again.status, 200, again.body);
  assert.deepEqual([again.json.before, again.json.after], ['700', '700']);
});

test('refused with nothing changed, and audited: not a member, protected, a parent, a bad name, a home that is a link', async () => {
  sh('/usr/bin/gpasswd', '-a', 'linky', 'jupyterhub');
  try {
    const etcBefore = facts('/etc');
    const kimBefore = facts('/home/kim');
    const mark = lastAuditId();
    // [user, status, error code, the helper's reason in the audit row]
    const cases: Array<[string, number, string, string | null]> = [
      ['kim', 403, 'protected_account', 'not_member'],
      ['root', 403, 'protected_account', null],
      ['mama', 403, 'protected_account', 'is_parent'],
      ['linky', 409, 'conflict', 'home_not_own_folder'],
    ];
    for (const [user, status, code] of cases) {
      const r = await mama.call('POST', `/api/members/${user}/home-private`, {});
      assert.equal(r.status, status, `${user}: ${r.body}`);
      assert.equal(r.json.error, code, `${user}: ${r.body}`);
      assert.ok(typeof r.json.message === 'string' && r.json.message.length > 0, `${user}: a message for the parent`);
    }
    const bad = await mama.call('POST', '/api/members/-G/home-private', {});
    assert.equal(bad.status, 400, bad.body);
    assert.equal(facts('/etc'), etcBefore, '/etc, behind the link, is untouched');
    assert.equal(facts('/home/kim'), kimBefore);
    const rows = audit('home_private', mark).filter((row) => row.detail.phase !== 'start');
    assert.deepEqual(
      rows.map((row) => [row.target, row.outcome]),
      [...cases.map(([user]) => [user, 'refused']), ['-G', 'refused']],
    );
    for (const [user, , code, reason] of cases) {
      const row = rows.find((x) => x.target === user)!;
      assert.equal(row.detail.code, code, user);
      if (reason) assert.equal(row.detail.helperReason, reason, user);
      else assert.ok(row.detail.helperReason, `${user}: the protection rule's reason`);
    }
  } finally {
    sh('/usr/bin/gpasswd', '-d', 'linky', 'jupyterhub');
  }
});

test("over the helper's socket: extra arguments are refused before anything runs; only the panel reaches it", () => {
  sh('/usr/bin/chmod', '0755', '/home/lodger');
  try {
    for (const argv of [
      ['make-home-private', 'lodger', '--actor', 'mama', '--mode', '0777'],
      ['make-home-private', 'lodger', '/etc', '--actor', 'mama'],
      ['make-home-private', '--actor', 'mama'],
    ]) {
      const r = helperAs('jupyterhub-panel', argv);
      const result = parseHelperOutput(r.stdout).result as Record<string, unknown> | null;
      assert.equal(result?.error, 'usage', `${argv.join(' ')}: ${r.stdout}`);
      assert.equal(facts('/home/lodger').split(' ')[1], '755', `${argv.join(' ')} changed nothing`);
    }
    // Not the panel: the socket's gate refuses a kid.
    const kid = helperAs('anna', ['make-home-private', 'lodger', '--actor', 'mama']);
    assert.notEqual(kid.status, 0);
    assert.equal(facts('/home/lodger').split(' ')[1], '755');
  } finally {
    sh('/usr/bin/chmod', '0700', '/home/lodger');
  }
});
