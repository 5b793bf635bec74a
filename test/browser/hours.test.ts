// Jupyter hours and "Bedtime now" in a parent's browser, in German on a 375 px
// phone and in English on a desktop: papa sets Anna's hours on the family page as
// people type them (16-20, 4pm-8pm, ...; each wrong line is named under its own
// day, nothing is sent; the week shows at a glance), the card then shows them, the file the hub reads has
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

for (const [locale, width] of [
  ['de-DE', 375],
  ['en-US', 1280],
] as const) {
  test(`papa sets Anna's Jupyter hours as people write them, each mistake under its day (${locale}, ${width} px)`, async () => {
    const t = catalogs[locale === 'de-DE' ? 'de' : 'en'];
    const { context, page: p, problems: seen } = await openWatchedPage(browser, { locale, width, height: 800 });
    try {
      await signIn(p, 'papa', t);
      await p.goto(`${env.panelUrl}/family?q=anna`);
      const card = p.getByTestId('member-anna');
      await card.waitFor();
      await card.getByText(`${t.hours.label}:`).waitFor();
      await checkPage(p, `family page (${locale})`);

      await card.getByRole('button', { name: t.hours.edit }).click();
      const form = card.getByRole('form', { name: format(t.hours.editTitle, { user: 'anna' }) });
      await form.waitFor();
      await form.getByLabel(t.hours.modeDays).check();
      const field = (day: keyof typeof t.hours.days) => form.getByLabel(t.hours.days[day], { exact: true });
      // The same hours, written five ways.
      const typed = { mon: '16-20', tue: '4pm-8pm', wed: '16:00 – 20:00', thu: '16 - 20', fri: '16:00-20:00' } as const;
      for (const [day, text] of Object.entries(typed)) await field(day as keyof typeof typed).fill(text);
      // Two mistakes: each named under its own day, nothing sent.
      await field('sat').fill('25-26');
      await field('sun').fill('20-16');
      let sent = 0;
      p.on('request', (r) => {
        if (r.url().endsWith('/api/members/anna/hours')) sent++;
      });
      await form.getByRole('button', { name: t.hours.save }).click();
      await form
        .getByTestId('hours-day-sat')
        .getByText(format(t.hours.dayProblems.notTime, { part: '25-26' }))
        .waitFor();
      await form
        .getByTestId('hours-day-sun')
        .getByText(format(t.hours.dayProblems.endNotAfterStart, { part: '20:00–16:00' }))
        .waitFor();
      assert.equal(await form.getByTestId('hours-day-error').count(), 2, 'one error each, under the two wrong days only');
      assert.equal(await field('sat').getAttribute('aria-invalid'), 'true');
      assert.equal(await field('mon').getAttribute('aria-invalid'), 'false');
      assert.equal(sent, 0, 'nothing was sent');
      await checkPage(p, `hours editor with two mistakes (${locale})`);

      await field('sat').fill('10-12, 2pm-4pm');
      await field('sun').fill('');
      // The week at a glance, as typed.
      await form
        .getByTestId('hours-glance')
        .getByText(`${t.hours.short.mon}–${t.hours.short.fri} 16:00–20:00; ${t.hours.short.sat} 10:00–12:00, 14:00–16:00; ${format(t.hours.offDays, { days: t.hours.short.sun })}`)
        .waitFor();
      assert.equal(await form.getByTestId('hours-day-error').count(), 0);
      await form.getByRole('button', { name: t.hours.save }).click();
      await card.getByTestId('hours-status').getByText(t.hours.saved).waitFor();
      await card.getByTestId('hours-summary').getByText(`${t.hours.short.mon}–${t.hours.short.fri} 16:00–20:00; ${t.hours.short.sat} 10:00–12:00, 14:00–16:00`).waitFor();
      await checkPage(p, `family page after saving (${locale})`);

      // The file the hub reads has them in its one format (root's, written by the helper).
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
      assert.deepEqual(seen, [], 'no failed requests, page errors or CSP violations');
      // Back to "always", so the next round changes something.
      const mama = new PanelClient();
      assert.equal((await mama.login('mama', 'mama-pass-1')).status, 200);
      assert.equal((await mama.call('POST', '/api/members/anna/hours', { hours: 'always' })).status, 200);
    } finally {
      await context.close();
    }
  });
}

test('"Jetzt Schlafenszeit" on the overview asks first, then says what it did', async () => {
  await signIn(page, 'papa', de);
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
