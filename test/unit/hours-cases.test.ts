// The shared cases of the Jupyter-hours rule (test/fixtures/hours-cases.json), run
// against the panel's implementation; test/python/test_hours.py runs the same
// cases against the family hub's (system/hub/jupyterhub4family/hours.py).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { HoursError, parseHours, parseHoursFile, WEEKDAYS, type Weekday } from '../../lib/shared/hours-rule';
import { entryAllows, entryOf } from '../../lib/hours/hours-now';

interface Cases {
  entries: { name: string; hours: unknown; valid: boolean; moments: [Weekday, string, boolean][] }[];
  files: { name: string; text: string; valid: boolean; moments?: [string, Weekday, string, boolean][] }[];
}

const cases = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'hours-cases.json'), 'utf8')) as Cases;

// A local-time moment on that weekday: 2026-12-07 is a Monday.
function at(day: Weekday, time: string): Date {
  const [h, m] = time.split(':').map(Number);
  assert.ok(WEEKDAYS.includes(day), `the fixture's weekday ${day}`);
  return new Date(2026, 11, 7 + WEEKDAYS.indexOf(day), h, m, 0, 0);
}

test('the fixture has the cases both implementations must agree on', () => {
  assert.ok(cases.entries.length >= 20 && cases.files.length >= 10);
  for (const c of cases.entries) assert.ok(c.moments.length > 0, `${c.name}: at least one moment`);
  for (const c of cases.files) assert.equal(c.valid, (c.moments?.length ?? 0) > 0, `${c.name}: moments exactly for a valid file`);
});

for (const c of cases.entries) {
  test(`entry: ${c.name}`, () => {
    if (c.valid) assert.doesNotThrow(() => parseHours(c.hours));
    else assert.throws(() => parseHours(c.hours), HoursError);
    const file = parseHoursFile(JSON.stringify({ version: 1, users: { kid: c.hours } }));
    assert.equal(entryOf(file, 'kid').kind === 'malformed', !c.valid, 'a refused entry is malformed');
    for (const [day, time, allowed] of c.moments) {
      assert.equal(entryAllows(entryOf(file, 'kid'), at(day, time)), allowed, `${day} ${time}`);
    }
  });
}

for (const c of cases.files) {
  test(`file: ${c.name}`, () => {
    if (!c.valid) {
      assert.throws(() => parseHoursFile(c.text), HoursError);
      return;
    }
    const file = parseHoursFile(c.text);
    for (const [user, day, time, allowed] of c.moments!) {
      assert.equal(entryAllows(entryOf(file, user), at(day, time)), allowed, `${user} ${day} ${time}`);
    }
  });
}
