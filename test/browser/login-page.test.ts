// Setup: the sandbox's production panel (started by system/install.sh) at
// https://127.0.0.1:8010/panel, Debian's Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { catalogs } from '../../lib/i18n/messages';
import { sandboxEnv } from '../sandbox/fixtures';
import { launchBrowser, newContext, scrollsHorizontally, seriousAxeViolations, watchConsole } from './browser';

let browser: Browser;
const env = sandboxEnv();

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const [locale, heading, submit] of [
  ['en-US', 'Sign in', 'Sign in'],
  ['de-DE', 'Anmelden', 'Anmelden'],
] as const) {
  test(`login page under /panel/ renders in ${locale}, passes axe and fits 375 px`, async () => {
    const context = await newContext(browser, { locale, width: 375, height: 740 });
    const page = await context.newPage();
    const problems = watchConsole(page);
    const response = await page.goto(`${env.panelUrl}/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), locale.slice(0, 2));
    assert.equal(await page.getByRole('heading', { level: 2 }).textContent(), heading);
    assert.equal((await page.getByRole('button').textContent())?.trim(), submit);
    await page.getByLabel(locale === 'en-US' ? 'Username' : 'Benutzername').fill('mama');

    assert.deepEqual(await seriousAxeViolations(page), [], 'axe-core: no serious or critical violations');
    assert.equal(await scrollsHorizontally(page), false, 'no horizontal scrolling at 375 px');
    // The strict CSP (nonce, no unsafe-inline) must not block the page's own scripts:
    // the form is hydrated, so a submit does not reload the page with a query string.
    assert.deepEqual(
      problems.filter((p) => /Content Security Policy|Refused to/i.test(p)),
      [],
    );
    await context.close();
  });
}

test('the page is served with a nonce-based CSP and the nonce is on every script', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const response = await page.goto(`${env.panelUrl}/`);
  const csp = response?.headers()['content-security-policy'] ?? '';
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce, `CSP has a nonce: ${csp}`);
  assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/);
  const scripts = await page.$$eval('script', (nodes) => nodes.map((n) => n.nonce || n.getAttribute('nonce') || ''));
  assert.ok(scripts.length > 0);
  for (const value of scripts) assert.equal(value, nonce);
  await context.close();
});

test('a login page whose scripts never arrive says so and asks for a reload; once they run the line is gone', async () => {
  const context = await newContext(browser, { locale: 'de-DE', width: 375, height: 740 });
  const page = await context.newPage();
  // As a load cut off by a changing network leaves it (net::ERR_NETWORK_CHANGED).
  await page.route('**/_next/static/chunks/*.js', (route) => route.abort('internetdisconnected'));
  await page.goto(`${env.panelUrl}/`);
  const hint = page.getByTestId('login-still-loading');
  await hint.waitFor({ state: 'visible', timeout: 20_000 });
  assert.equal((await hint.textContent())?.trim(), catalogs.de.login.stillLoading);
  assert.equal(await page.getByRole('button', { name: catalogs.de.login.submit }).isDisabled(), true);
  assert.deepEqual(await seriousAxeViolations(page), [], 'axe-core: no serious or critical violations');

  await page.unroute('**/_next/static/chunks/*.js');
  await page.reload();
  await page.waitForFunction(() => !(document.querySelector('button[type=submit]') as HTMLButtonElement | null)?.disabled);
  assert.equal(await hint.count(), 0, 'hydrated: no loading line');
  await context.close();
});
