// Jupyter hours and "Bedtime now" in a parent's browser, in German on a 375 px
// phone: papa sets Anna's hours on the family page (a wrong line is named next to
// its day, nothing is sent), the card then shows them, the file the hub reads has
// them; on the overview "Jetzt Schlafenszeit" asks first, then says what it did.
// Every state is checked with axe-core (no serious/critical violations) and for
// sideways scrolling.
//
// Run: sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/browser/hours.test.ts
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { catalogs, format } from '../../lib/i18n/messages';
import { requireSandboxHub } from '../sandbox/fixtures';
import { PanelClient } from '../sandbox/http';
import { checkPage, launchBrowser, openWatchedPage, signIn } from './browser';

const env = requireSandboxHub('family');
const de = catalogs.de;
const HOURS_FILE = '/etc/jupyterhub4family/hours.json';

let browser: Browser;
let page: Page;
let problems: string[];

before(async () => {
  browser = await launchBrowser();
  ({ page, problems } = await openWatchedPage(browser, { locale: 'de-DE' }));
});

after(async () => {
  await browser?.close();
  // Anna back to "always" for the tests after this one.
  const mama = new PanelClient();
  if ((await mama.login('mama', 'mama-pass-1')).status === 200) await mama.call('POST', '/api/members/anna/hours', { hours: 'always' });
});

test("papa sets Anna's Jupyter hours in German on a phone", async () => {
  await signIn(page, 'papa', de);

  await page.goto(`${env.panelUrl}/family?q=anna`);
  const card = page.getByTestId('member-anna');
  await card.waitFor();
  await card.getByText(`${de.hours.label}:`).waitFor();
  await checkPage(page, 'family page (de)');

  await card.getByRole('button', { name: de.hours.edit }).click();
  const form = card.getByRole('form', { name: format(de.hours.editTitle, { user: 'anna' }) });
  await form.waitFor();
  await form.getByLabel(de.hours.modeDays).check();
  for (const day of ['mon', 'tue', 'wed', 'thu', 'fri'] as const) await form.getByLabel(de.hours.days[day], { exact: true }).fill('16:00-20:00');
  // A mistake: named next to its day, nothing sent.
  await form.getByLabel(de.hours.days.sat, { exact: true }).fill('25:00-26:00');
  await form.getByRole('button', { name: de.hours.save }).click();
  await form
    .getByRole('alert')
    .getByText(format(de.hours.dayInvalid, { day: de.hours.days.sat }))
    .waitFor();
  assert.equal(await form.getByLabel(de.hours.days.sat, { exact: true }).getAttribute('aria-invalid'), 'true');
  await checkPage(page, 'hours editor with an error (de)');

  await form.getByLabel(de.hours.days.sat, { exact: true }).fill('10:00-12:00, 14:00-16:00');
  await form.getByRole('button', { name: de.hours.save }).click();
  await card.getByTestId('hours-status').getByText(de.hours.saved).waitFor();
  await card.getByTestId('hours-summary').getByText('Mo–Fr 16:00–20:00; Sa 10:00–12:00, 14:00–16:00').waitFor();
  await checkPage(page, 'family page after saving (de)');

  // The file the hub reads has them (root's, written by the helper).
  const file = JSON.parse(fs.readFileSync(HOURS_FILE, 'utf8'));
  assert.deepEqual(file.users.anna, {
    mon: ['16:00-20:00'],
    tue: ['16:00-20:00'],
    wed: ['16:00-20:00'],
    thu: ['16:00-20:00'],
    fri: ['16:00-20:00'],
    sat: ['10:00-12:00', '14:00-16:00'],
    sun: [],
  });
});

test('"Jetzt Schlafenszeit" on the overview asks first, then says what it did', async () => {
  await page.goto(`${env.panelUrl}/`);
  const section = page.getByTestId('bedtime');
  await section.getByRole('heading', { name: de.hours.bedtimeHeading }).waitFor();
  await checkPage(page, 'overview with bedtime (de)');
  await section.getByRole('button', { name: de.hours.bedtimeButton }).click();
  const dialog = page.getByRole('dialog', { name: de.hours.bedtimeTitle });
  await dialog.waitFor();
  await checkPage(page, 'bedtime confirmation (de)');
  await dialog.getByRole('button', { name: de.hours.bedtimeConfirm }).click();
  // No kid has a server running in this test: it says so.
  await section.getByTestId('bedtime-result').getByText(de.hours.bedtimeNone).waitFor();
  assert.equal(await dialog.isVisible(), false);
  assert.deepEqual(problems, [], 'failed responses and browser console errors');
});
