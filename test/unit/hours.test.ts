import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entryAllows, entryOf, isWithinHours } from '../../lib/hours/hours-now';
import { HoursError, parseHours, parseHoursFile, parseRange, renderHoursFile, type WeekHours } from '../../lib/shared/hours-rule';
import { hoursSummary } from '../../lib/hours/hours-summary';
import { catalogs } from '../../lib/i18n/messages';

// Local-time dates: the rule uses the machine's time zone, and so does this test.
const at = (y: number, mo: number, d: number, h: number, mi: number) => new Date(y, mo - 1, d, h, mi, 0, 0);
// 2026-12-07 is a Monday.
const MON = 7;

test('parseRange takes HH:MM-HH:MM up to 24:00 and refuses the rest with a reason', () => {
  assert.deepEqual(parseRange('16:00-20:00'), { start: 960, end: 1200 });
  assert.deepEqual(parseRange('00:00-24:00'), { start: 0, end: 1440 });
  for (const bad of ['25:00-26:00', '16:00-24:30', '16:60-17:00', '8:00-9:00', '16:00 - 20:00', '', '24:00-24:00', 'always']) {
    assert.throws(() => parseRange(bad), HoursError, bad);
  }
  assert.throws(() => parseRange('20:00-16:00'), /past midnight is two ranges: 20:00-24:00 and 00:00-16:00/);
  assert.throws(() => parseRange('16:00-16:00'), /end must be after the start/);
  assert.throws(() => parseRange(1600), HoursError);
});

test('parseHours: "always", per weekday lists; unknown days, overlaps and too many ranges are refused', () => {
  assert.equal(parseHours('always'), null);
  const h = parseHours({ mon: ['18:00-19:00', '16:00-17:00'], sat: [] })!;
  assert.deepEqual(h.mon, [
    { start: 960, end: 1020 },
    { start: 1080, end: 1140 },
  ]);
  assert.deepEqual(h.tue, []);
  assert.throws(() => parseHours({ monday: ['16:00-20:00'] }), /unknown day "monday"/);
  assert.throws(() => parseHours({ mon: '16:00-20:00' }), /list of ranges/);
  assert.throws(() => parseHours({ mon: ['16:00-18:00', '17:00-19:00'] }), /overlap/);
  assert.throws(() => parseHours({ mon: ['01:00-02:00', '03:00-04:00', '05:00-06:00', '07:00-08:00', '09:00-10:00'] }), /at most 4/);
  assert.throws(() => parseHours(['mon']), HoursError);
  assert.throws(() => parseHours(null), HoursError);
  assert.throws(() => parseHours('never'), HoursError);
  // Adjacent ranges are fine (16:00-18:00 ends where 18:00-20:00 starts).
  assert.equal(parseHours({ fri: ['16:00-18:00', '18:00-20:00'] })!.fri.length, 2);
});

test('isWithinHours: start included, end excluded, per weekday, 24:00 reaches midnight', () => {
  const h = parseHours({ mon: ['16:00-20:00'], tue: ['22:00-24:00'], wed: ['00:00-01:00'] }) as WeekHours;
  assert.equal(isWithinHours(h, at(2026, 12, MON, 15, 59)), false);
  assert.equal(isWithinHours(h, at(2026, 12, MON, 16, 0)), true);
  assert.equal(isWithinHours(h, at(2026, 12, MON, 19, 59)), true);
  assert.equal(isWithinHours(h, at(2026, 12, MON, 20, 0)), false);
  // Monday's hours do not apply on Tuesday at the same time.
  assert.equal(isWithinHours(h, at(2026, 12, MON + 1, 17, 0)), false);
  // Tuesday 22:00-24:00 then Wednesday 00:00-01:00: across midnight as two ranges.
  assert.equal(isWithinHours(h, at(2026, 12, MON + 1, 23, 59)), true);
  assert.equal(isWithinHours(h, at(2026, 12, MON + 2, 0, 0)), true);
  assert.equal(isWithinHours(h, at(2026, 12, MON + 2, 1, 0)), false);
  // Sunday (getDay() 0) maps to "sun", which has no hours.
  assert.equal(isWithinHours(h, at(2026, 12, MON + 6, 17, 0)), false);
  assert.equal(isWithinHours(null, at(2026, 12, MON + 6, 3, 0)), true);
});

test('the file: missing user is always, a malformed entry refuses that kid only, rendering keeps the others', () => {
  const file = parseHoursFile(JSON.stringify({ version: 1, users: { anna: { mon: ['16:00-20:00'] }, ben: { mon: ['25:00-26:00'] } } }));
  const monday17 = at(2026, 12, MON, 17, 0);
  assert.equal(entryOf(file, 'anna').kind, 'hours');
  assert.equal(entryAllows(entryOf(file, 'anna'), monday17), true);
  assert.equal(entryAllows(entryOf(file, 'anna'), at(2026, 12, MON, 21, 0)), false);
  assert.equal(entryOf(file, 'ben').kind, 'malformed');
  assert.equal(entryAllows(entryOf(file, 'ben'), monday17), false);
  assert.equal(entryAllows(entryOf(file, 'kim'), monday17), true);
  assert.equal(entryAllows(entryOf(null, 'anna'), monday17), true);
  // __proto__ as a user name is data, not a prototype.
  assert.equal(entryOf(parseHoursFile('{"version":1,"users":{"__proto__":"always"}}'), 'toString').kind, 'always');

  const text = renderHoursFile(file, 'anna', null);
  const again = parseHoursFile(text);
  assert.deepEqual(Object.keys(again.raw), ['ben']);
  assert.deepEqual(again.raw.ben, { mon: ['25:00-26:00'] });
  const withCarl = parseHoursFile(renderHoursFile(again, 'carl', parseHours({ sat: ['10:00-12:00'] })));
  assert.deepEqual(withCarl.raw.carl, { mon: [], tue: [], wed: [], thu: [], fri: [], sat: ['10:00-12:00'], sun: [] });

  for (const bad of ['', 'null', '[]', '{"version":2,"users":{}}', '{"version":1}', '{"version":1,"users":[]}']) {
    assert.throws(() => parseHoursFile(bad), HoursError, bad);
  }
});

test('the card summary groups consecutive days with the same ranges, in both languages', () => {
  const h = parseHours({ mon: ['16:00-20:00'], tue: ['16:00-20:00'], wed: ['16:00-20:00'], fri: ['16:00-20:00'], sat: ['10:00-12:00', '14:00-16:00'] })!;
  assert.equal(hoursSummary(h, catalogs.en.hours), 'Mon–Wed 16:00–20:00; Fri 16:00–20:00; Sat 10:00–12:00, 14:00–16:00');
  assert.equal(hoursSummary(h, catalogs.de.hours), 'Mo–Mi 16:00–20:00; Fr 16:00–20:00; Sa 10:00–12:00, 14:00–16:00');
  assert.equal(hoursSummary(parseHours({})!, catalogs.de.hours), catalogs.de.hours.never);
});
