// Jupyter hours on a machine with the seed hub (jupyterhub4family 1.0): its
// configuration is the hub account's, not ours, so the hours are not available.
// The family page says so in a clear sentence; the helper refuses set-hours
// (conflict) and changes nothing; the refusal is audited.
//
// Run: sudo JH4F_SANDBOX_HUB=seed bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-reporter=spec test/integration/hours-seed.test.ts
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before, test } from 'node:test';
import Database from 'better-sqlite3';
import { catalogs } from '../../lib/i18n/messages';
import { parents, requireSandboxHub } from '../sandbox/fixtures';
import { PanelClient } from '../sandbox/http';

const env = requireSandboxHub('seed');
const mama = new PanelClient();

before(async () => {
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
});

test('seed hub: the family page says hours are not available; set-hours is refused, nothing written, audited', async () => {
  for (const [lang, t] of [
    ['en', catalogs.en],
    ['de', catalogs.de],
  ] as const) {
    const page = await mama.call('GET', '/family?q=anna', undefined, { 'accept-language': lang });
    assert.equal(page.status, 200);
    const start = page.body.indexOf('data-testid="member-anna"');
    assert.ok(start >= 0, 'anna has a card');
    const card = page.body.slice(start, page.body.indexOf('</li>', start));
    assert.ok(card.includes(t.hours.notAvailable.replace(/'/g, '&#x27;')) || card.includes(t.hours.notAvailable), `${lang}: the card says hours are not available`);
    assert.ok(!card.includes(t.hours.edit), `${lang}: no editor`);
  }

  const db = new Database(env.db, { readonly: true, fileMustExist: true });
  const mark = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM audit').get() as { id: number }).id;
  const r = await mama.call('POST', '/api/members/anna/hours', { hours: { mon: ['16:00-20:00'] } });
  assert.equal(r.status, 409, r.body);
  assert.equal(fs.existsSync('/etc/jupyterhub4family/hours.json'), false, 'no hours file on a seed machine');
  const rows = db.prepare("SELECT outcome, error FROM audit WHERE id > ? AND action = 'hours_set' AND outcome != 'ok'").all(mark) as Array<{ outcome: string; error: string }>;
  db.close();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.outcome, 'refused');
  assert.match(rows[0]!.error, /conflict: Jupyter hours need the family hub/);
});
