// The start page a parent sees after login: the hub health dashboard.
// Setup (test/sandbox/run.sh): the production panel, Debian's JupyterHub 3.0 running
// as jupyterhub (not connected to the panel: no service token yet), parent mama.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { catalogs } from '../../lib/i18n/messages';
import { sandboxEnv } from '../sandbox/fixtures';
import { launchBrowser, newContext, scrollsHorizontally, seriousAxeViolations, signIn, watchConsole } from './browser';

// Outside the sandbox this fails at once, before a browser starts.
sandboxEnv();
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const locale of ['en-US', 'de-DE'] as const) {
  test(`after login the dashboard shows the hub's state (${locale}), passes axe and fits 375 px`, async () => {
    const t = catalogs[locale === 'en-US' ? 'en' : 'de'];
    const context = await newContext(browser, { locale, width: 375, height: 800 });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await signIn(page, 'mama', t);
    // The checks load after the page: wait until the overall state is shown.
    const overall = page.getByTestId('hub-state');
    await overall.waitFor({ timeout: 20_000 });
    const state = await overall.getAttribute('data-state');
    assert.ok(['up', 'degraded'].includes(state ?? ''), `hub state ${state}`);
    assert.equal(await scrollsHorizontally(page), false, 'no horizontal scrolling at 375 px');
    assert.deepEqual(await seriousAxeViolations(page), []);
    assert.deepEqual(
      problems.filter((p) => /Content Security Policy|Refused to/i.test(p)),
      [],
    );
    await context.close();
  });
}
