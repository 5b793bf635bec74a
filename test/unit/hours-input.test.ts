// lib/hours/hours-input.ts: what parents type for a day, read into the shared rule's ranges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readDayLine } from '../../lib/hours/hours-input';

test('the ways people write hours all give the rule its HH:MM-HH:MM', () => {
  const cases: [string, string[]][] = [
    ['16:00-20:00', ['16:00-20:00']],
    ['16-20', ['16:00-20:00']],
    ['4pm-8pm', ['16:00-20:00']],
    ['4 pm - 8 pm', ['16:00-20:00']],
    ['4-8pm', ['16:00-20:00']],
    ['16:00 – 20:00', ['16:00-20:00']],
    ['16.00 bis 20.00', ['16:00-20:00']],
    ['16 Uhr - 20 Uhr', ['16:00-20:00']],
    ['16h-20h', ['16:00-20:00']],
    ['9:30am to 12pm', ['09:30-12:00']],
    ['12am-1am', ['00:00-01:00']],
    ['22-24', ['22:00-24:00']],
    ['7-8, 16-20', ['07:00-08:00', '16:00-20:00']],
    ['7-8; 16-20', ['07:00-08:00', '16:00-20:00']],
    ['7-8 and 16-20', ['07:00-08:00', '16:00-20:00']],
    ['7-8 und 16-20', ['07:00-08:00', '16:00-20:00']],
    ['', []],
    ['   ', []],
  ];
  for (const [line, ranges] of cases) assert.deepEqual(readDayLine('mon', line), { ok: true, ranges }, line);
});

test('each mistake is named for its day with a problem code and the part that is wrong', () => {
  assert.deepEqual(readDayLine('mon', '20-16'), { ok: false, problem: 'endNotAfterStart', part: '20:00–16:00' });
  assert.deepEqual(readDayLine('tue', '16-25'), { ok: false, problem: 'notTime', part: '16-25' });
  assert.deepEqual(readDayLine('wed', 'after school'), { ok: false, problem: 'notRange', part: 'after school' });
  assert.deepEqual(readDayLine('thu', '16-20, 19-21'), { ok: false, problem: 'overlap', part: '16:00–20:00' });
  assert.equal((readDayLine('fri', '1-2, 3-4, 5-6, 7-8, 9-10') as { problem: string }).problem, 'tooMany');
  assert.equal(readDayLine('sat', '13pm-14pm').ok, false);
  assert.equal(readDayLine('sun', '16:75-20').ok, false);
});

test('the week at a glance names the days off in their place', async () => {
  const { weekAtAGlance } = await import('../../lib/hours/hours-summary');
  const { parseHours } = await import('../../lib/shared/hours-rule');
  const { catalogs, format } = await import('../../lib/i18n/messages');
  const week = parseHours({ mon: ['16:00-20:00'], tue: ['16:00-20:00'], wed: ['16:00-20:00'], thu: ['16:00-20:00'], fri: ['16:00-20:00'] })!;
  const en = catalogs.en.hours;
  assert.equal(weekAtAGlance(week, en), `Mon–Fri 16:00–20:00; ${format(en.offDays, { days: 'Sat–Sun' })}`);
  assert.equal(weekAtAGlance(week, catalogs.de.hours), 'Mo–Fr 16:00–20:00; Sa–So frei');
  const gaps = parseHours({ mon: ['07:00-08:00', '16:00-20:00'], wed: ['16:00-20:00'], sun: ['10:00-12:00'] })!;
  assert.equal(weekAtAGlance(gaps, catalogs.de.hours), 'Mo 07:00–08:00, 16:00–20:00; Di frei; Mi 16:00–20:00; Do–Sa frei; So 10:00–12:00');
});
