// The start page a parent sees after login: the hub health dashboard.
// Setup (test/sandbox/run.sh): the production panel and the family hub (Debian's
// JupyterHub, started in the background: no systemd in the sandbox), parent mama.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { catalogs } from '../../lib/i18n/messages';
import { requireSandboxHub } from '../sandbox/fixtures';
import { checkPage, launchBrowser, newContext, signIn, watchConsole } from './browser';

// Outside the sandbox (or in a seed one) this fails at once, before a browser starts.
requireSandboxHub('family');
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const locale of ['en-US', 'de-DE'] as const) {
  for (const width of [375, 1280]) {
    test(`the overview leads with one sentence, the checks of this hub under Details (${locale}, ${width} px), passes axe`, async () => {
      const t = catalogs[locale === 'en-US' ? 'en' : 'de'];
      const context = await newContext(browser, { locale, width, height: 800 });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signIn(page, 'mama', t);
      // The checks load after the page: wait until the overall state is shown.
      const overall = page.getByTestId('hub-state');
      await overall.waitFor({ timeout: 20_000 });
      const state = (await overall.getAttribute('data-state')) as 'up' | 'degraded';
      assert.ok(['up', 'degraded'].includes(state ?? ''), `hub state ${state}`);
      // The lead is the catalog's sentence for that state, in the page's language.
      assert.equal(await page.getByTestId('hub-lead').textContent(), t.hub.lead[state]);
      if (state === 'up') assert.equal(await page.getByTestId('hub-advice').count(), 0, 'no "everything works" after the lead');
      else {
        // A shared test machine is degraded by its load, memory or disk only.
        const advice = await page.getByTestId('hub-advice').textContent();
        assert.ok([t.hub.advice.degraded, t.hub.advice.freeDisk].includes(advice ?? ''), advice ?? '');
      }

      // The technical checks are there, but closed: a parent sees none of them at first.
      const details = page.getByTestId('hub-details');
      assert.equal(await details.getAttribute('open'), null, 'Details start closed');
      const checks = page.getByTestId('hub-checks');
      assert.equal(await checks.isVisible(), false, 'the checks are hidden under Details');
      await checkPage(page, `overview ${locale} ${width}`);

      await details.locator('summary').click();
      assert.equal(await details.locator('summary').textContent(), t.hub.details);
      await checks.waitFor();
      const ids = await checks.locator('[data-check]').evaluateAll((els) => els.map((e) => e.getAttribute('data-check')));
      assert.ok(ids.includes('service') && ids.includes('hub-health'), ids.join(' '));
      // Only what applies to the family hub: no seed hub's crontab and screen.
      const shown = (await checks.textContent()) ?? '';
      assert.ok(shown.includes(t.hub.check['service-background']), shown);
      assert.ok(!shown.includes(t.hub.check['service-seed']), 'no crontab-and-screen check on the family hub');
      assert.doesNotMatch(shown, /crontab|screen/);
      assert.equal(await page.getByTestId('hub-kind').getAttribute('data-kind'), 'family-background');
      await checkPage(page, `overview ${locale} ${width}, Details open`);
      assert.deepEqual(
        problems.filter((p) => /Content Security Policy|Refused to/i.test(p)),
        [],
      );
      await context.close();
    });
  }
}
