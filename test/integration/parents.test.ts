// A parent on the hub, against the sandbox's real root helper, family hub and
// production panel: docs/ARCHITECTURE.md "Parents on the hub" says, per helper
// command that takes a USER, what it does when USER is a parent; every row of
// that table is run here over the helper's socket as the panel account (papa as
// USER, mama as the actor) and its real effect checked (/etc/group, papa's
// password hash, the hours file). Then what the rule means around it: the family
// page shows papa as a parent (badge, no password reset, no hours), the panel's
// API refuses his password and hours, and the hub lets him in with his own
// password even when the hours file holds a stale entry under his name.
//
// Setup (test/sandbox/run.sh): parents mama, papa (jupyterhub_adm, not in
// jupyterhub); kid anna (jupyterhub). papa is no member again at the end, and the
// hours file is as it was.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 test/integration/parents.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parseHelperOutput } from '../../lib/helper/client';
import { parentRows, type ParentRow } from '../lib/parents-table';
import { kids, parents, requireSandboxHub } from '../sandbox/fixtures';
import { helperAs } from '../sandbox/helper-call';
import { HubVisitor, PanelClient, hubApi } from '../sandbox/http';

requireSandboxHub('family');

const PANEL = 'jupyterhub-panel';
const HOURS_FILE = '/etc/jupyterhub4family/hours.json';
const mama = new PanelClient();

function inGroup(user: string, group: string): boolean {
  const line = execFileSync('/usr/bin/getent', ['group', group], { encoding: 'utf8' }).trim();
  return (line.split(':')[3] ?? '').split(',').includes(user);
}
function setMember(user: string, want: boolean): void {
  if (inGroup(user, 'jupyterhub') !== want) execFileSync('/usr/bin/gpasswd', [want ? '-a' : '-d', user, '--', 'jupyterhub'], { stdio: 'pipe' });
}
function shadowHash(user: string): string | undefined {
  return fs
    .readFileSync('/etc/shadow', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`))
    ?.split(':')[1];
}
function hoursText(): string | null {
  try {
    return fs.readFileSync(HOURS_FILE, 'utf8');
  } catch {
    return null;
  }
}

/**
 * USER's card on a family page searched for USER (the only card then): from its
 * start to the add-member section after the list, before the page's scripts.
 */
function cardOf(html: string, user: string): string {
  const start = html.indexOf(`data-testid="member-${user}"`);
  assert.ok(start > 0, `${user}'s card is on the page`);
  const end = html.indexOf('id="add-heading"', start);
  assert.ok(end > start, 'the add section follows the list');
  return html.slice(start, end);
}

/** Each row's call with papa as USER, and what is checked besides the answer. */
const CALLS: Record<string, { argv: string[]; stdin?: string; check?: (r: { result: Record<string, unknown> }) => void }> = {
  'add-member': { argv: ['add-member', 'papa', '--actor', 'mama'], check: (r) => assert.equal(r.result.changed, true) },
  'create-user': { argv: ['create-user', 'papa', '--full-name', 'Someone Else', '--actor', 'mama'], stdin: 'other-pass-1\n' },
  'set-password': { argv: ['set-password', 'papa', '--actor', 'mama'], stdin: 'hijack-pass-1\n' },
  'install-packages': { argv: ['install-packages', 'papa', '--actor', 'mama'], check: (r) => assert.equal(r.result.user, 'papa', 'pip ran as papa') },
  'disk-use': { argv: ['disk-use', 'papa'], check: (r) => assert.equal(typeof r.result.bytes, 'number') },
  'set-hours': { argv: ['set-hours', 'papa', '--hours', '{"mon":[]}', '--actor', 'mama'] },
  'make-home-private': { argv: ['make-home-private', 'papa', '--actor', 'mama'] },
  'remove-member': { argv: ['remove-member', 'papa', '--actor', 'mama'], check: (r) => assert.equal(r.result.changed, true) },
};

/** The row's outcome as the helper's answer: allowed is exit 0; refused is protected_account (5); conflict is 6. */
function expectRow(row: ParentRow, status: number | null, result: Record<string, unknown> | null, stdout: string): void {
  const where = `${row.command} for a parent (docs: "${row.text}"): exit ${status}, ${stdout}`;
  if (row.outcome.kind === 'allowed') {
    assert.equal(status, 0, where);
    assert.equal(result?.ok, true, where);
    return;
  }
  const [exit, error] = row.outcome.kind === 'refused' ? [5, 'protected_account'] : [6, 'conflict'];
  assert.equal(status, exit, where);
  assert.equal(result?.error, error, where);
  assert.equal(result?.reason, row.outcome.reason, where);
}

before(async () => {
  setMember('papa', false);
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
});

after(async () => {
  await hubApi('DELETE', '/hub/api/users/papa/server').catch(() => undefined);
  setMember('papa', false);
});

describe("the helper's commands for a parent, as docs/ARCHITECTURE.md's table says", () => {
  test('every row, over the helper socket as the panel: the outcome it names, and the real effect', () => {
    const rows = parentRows();
    assert.deepEqual(rows.map((r) => r.command).sort(), Object.keys(CALLS).sort(), 'a call here for every row of the table');
    // Joining first and leaving last, so every other row meets papa as a member.
    const order = ['add-member', ...rows.map((r) => r.command).filter((c) => c !== 'add-member' && c !== 'remove-member'), 'remove-member'];
    const hashBefore = shadowHash('papa');
    const hoursBefore = hoursText();
    for (const command of order) {
      const row = rows.find((r) => r.command === command)!;
      const call = CALLS[command]!;
      const r = helperAs(PANEL, call.argv, call.stdin);
      const result = parseHelperOutput(r.stdout).result as Record<string, unknown> | null;
      expectRow(row, r.status, result, r.stdout);
      if (row.outcome.kind === 'allowed') call.check?.({ result: result! });
      if (command === 'add-member') assert.ok(inGroup('papa', 'jupyterhub'), 'papa joined the hub group');
      if (command === 'remove-member') assert.ok(!inGroup('papa', 'jupyterhub'), 'papa left the hub group');
    }
    assert.equal(shadowHash('papa'), hashBefore, "papa's password is his own still");
    assert.equal(hoursText(), hoursBefore, 'the hours file is unchanged');
    assert.ok(fs.existsSync('/home/papa') && fs.statSync('/home/papa').uid === Number(execFileSync('/usr/bin/id', ['-u', 'papa'], { encoding: 'utf8' })), 'papa keeps his account');
  });

  test('a parent who is not a member: password and hours are refused as a parent all the same', () => {
    setMember('papa', false);
    for (const command of ['set-password', 'set-hours', 'make-home-private']) {
      const row = parentRows().find((r) => r.command === command)!;
      const r = helperAs(PANEL, CALLS[command]!.argv, CALLS[command]!.stdin);
      expectRow(row, r.status, parseHelperOutput(r.stdout).result as Record<string, unknown> | null, r.stdout);
    }
  });
});

describe('a parent on the hub, in the panel and at the hub', () => {
  test('the family page shows papa as a parent: the badge, his account, no password reset, no hours; remove is there', async () => {
    setMember('papa', true);
    const list = await mama.call('GET', '/api/members?q=papa');
    assert.equal(list.status, 200, list.body);
    const papa = (list.json.members as Array<Record<string, unknown>>).find((m) => m.user === 'papa');
    assert.equal(papa?.familyAdmin, true, JSON.stringify(papa));
    assert.equal(papa?.protected, false);
    for (const [lang, badge, hours, reset, remove] of [
      ['en', 'Parent', 'no limit (parents are not limited)', 'Reset password', 'Remove'],
      ['de', 'Elternteil', 'keine Grenze (Eltern sind nicht begrenzt)', 'Passwort zurücksetzen', 'Entfernen'],
    ] as const) {
      const page = await mama.call('GET', '/family?q=papa', undefined, { 'accept-language': lang });
      assert.equal(page.status, 200);
      const card = cardOf(page.body, 'papa');
      assert.ok(card.includes(`>${badge}<`), `${lang}: the parent badge`);
      assert.match(card, new RegExp(`data-testid="hours-summary"[^>]*>${hours.replace(/[()]/g, '\\$&')}<`), `${lang}: hours say parents are not limited`);
      assert.ok(!card.includes(reset), `${lang}: no password reset for a parent`);
      assert.ok(card.includes(remove), `${lang}: a parent can be removed from the hub`);
    }
    // The kid next to him keeps both.
    const kidPage = await mama.call('GET', '/family?q=anna', undefined, { 'accept-language': 'en' });
    assert.ok(cardOf(kidPage.body, 'anna').includes('Reset password'), "anna's card has the reset");
  });

  test("the panel's API refuses a parent's password and hours (403, as a parent), nothing changes", async () => {
    setMember('papa', true);
    const hashBefore = shadowHash('papa');
    const hoursBefore = hoursText();
    const pw = await mama.call('POST', '/api/members/papa/password', { password: 'hijack-pass-1' }, { 'accept-language': 'en' });
    assert.equal(pw.status, 403, pw.body);
    assert.equal(pw.json.error, 'protected_account');
    assert.match(pw.json.message, /papa is a parent/);
    const hours = await mama.call('POST', '/api/members/papa/hours', { hours: { mon: [] } });
    assert.equal(hours.status, 403, hours.body);
    assert.equal(hours.json.error, 'protected_account');
    assert.equal(shadowHash('papa'), hashBefore);
    assert.equal(hoursText(), hoursBefore);
  });

  test('at the hub papa logs in with his own password, even with a stale hours entry under his name; the kid with the same entry is held', async () => {
    setMember('papa', true);
    const before = hoursText();
    // As if papa had had hours as a kid once: root writes the file the way the helper does (temp file, rename).
    const never = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    const tmp = `${HOURS_FILE}.test-${process.pid}`;
    fs.writeFileSync(tmp, `${JSON.stringify({ version: 1, users: { papa: never, anna: never } })}\n`, { mode: 0o644 });
    fs.renameSync(tmp, HOURS_FILE);
    try {
      const papa = await new HubVisitor().login('papa', parents.papa);
      assert.equal(papa.loggedIn, true, `the hub refused papa: ${papa.status} ${papa.body.slice(0, 300)}`);
      const anna = await new HubVisitor().login('anna', kids.anna);
      assert.equal(anna.loggedIn, false, 'anna is held to the same entry');
      const wrong = await new HubVisitor().login('papa', 'not-his-password');
      assert.equal(wrong.loggedIn, false, 'his own password, not any');
    } finally {
      if (before === null) fs.rmSync(HOURS_FILE, { force: true });
      else {
        fs.writeFileSync(tmp, before, { mode: 0o644 });
        fs.renameSync(tmp, HOURS_FILE);
      }
    }
  });
});
