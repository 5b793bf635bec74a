// Package install progress in a parent's browser on a 375 px phone:
// mama starts "Prepare Jupyter now" on ben's card; the page shows the bar, the
// phase in words and the steps in the order the helper reported them, then
// "Jupyter ready" with the versions; after a reload it still does (read from the
// API, then the event stream). Then onboarding with "prepare Jupyter now" shows
// the same progress on the result. Every state is checked with axe-core.
//
// Setup (test/sandbox/run.sh): mama (jupyterhub_adm); ben (jupyterhub) without
// packages; a wheelhouse served by a slow loopback mirror (test/integration/
// support/wheelhouse.ts) named in the root-owned packages.json; the onboarded
// account lena is removed again at the end.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/browser/install-progress.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { catalogs, format } from '../../lib/i18n/messages';
import { sandboxEnv } from '../sandbox/fixtures';
import {
  DEMO,
  demoFiles,
  makeWheelhouse,
  removePackagesConfig,
  removeUserPackages,
  startSlowMirror,
  WHEELHOUSE,
  writePackagesConfig,
  type SlowMirror,
} from '../integration/support/wheelhouse';
import { checkPage, launchBrowser, newContext, openWatchedPage, seriousAxeViolations, signIn } from './browser';

const env = sandboxEnv();
const t = catalogs.en;
let browser: Browser;
let page: Page;
let problems: string[];
let mirror: SlowMirror;

before(async () => {
  makeWheelhouse(3_000_000);
  mirror = await startSlowMirror(WHEELHOUSE, 600_000); // ~5 s download: progress is visible
  writePackagesConfig({ packages: [DEMO.lab], noIndex: true, findLinks: [mirror.url], pipRetries: 0 });
  removeUserPackages('ben');
  browser = await launchBrowser();
  ({ page, problems } = await openWatchedPage(browser));
  await signIn(page, 'mama', t);
});

after(async () => {
  await browser?.close();
  await mirror?.close();
  removePackagesConfig();
  removeUserPackages('ben');
  try {
    execFileSync('/usr/sbin/userdel', ['--remove', '--', 'lena'], { stdio: 'pipe' });
  } catch {
    /* not created */
  }
});

test("the member's card shows the install live, in order, then Jupyter ready with versions; a reload keeps it", async () => {
  await page.goto(`${env.panelUrl}/family`);
  const card = page.getByTestId('member-ben');
  await card.getByTestId('packages').waitFor();
  assert.equal((await card.getByTestId('packages').textContent())?.trim(), t.family.packagesNo);
  await card.getByRole('button', { name: t.jobs.install }).click();
  const box = card.getByTestId('install-ben');
  await card
    .getByRole('progressbar', { name: format(t.jobs.progressLabel, { name: 'ben' }) })
    .or(card.getByRole('progressbar'))
    .first()
    .waitFor();
  // Mid-way: the phase in words names what pip is doing.
  await box
    .getByTestId('install-phase')
    .filter({ hasText: format(t.jobs.phase_downloadingBytes, { package: DEMO.core, size: '3.0 MB' }) })
    .waitFor({ timeout: 30_000 });
  await checkPage(page, 'family page during the install');
  await box.locator('[data-state="succeeded"]').or(card.locator('[data-testid="install-ben"][data-state="succeeded"]')).first().waitFor({ timeout: 60_000 });
  const ready = card.getByTestId('install-ready');
  assert.match((await ready.textContent()) ?? '', new RegExp(`${t.jobs.ready}.*${DEMO.lab} 2\\.1`));
  const steps = await card
    .getByTestId('install-steps')
    .locator('li')
    .evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-phase')}:${li.textContent}`));
  const order = (s: string) => steps.findIndex((x) => x === s);
  const c = order(`collecting:${format(t.jobs.phase_collecting, { package: DEMO.lab })}`);
  const d = order(`downloading:${format(t.jobs.phase_downloadingBytes, { package: DEMO.core, size: '3.0 MB' })}`);
  const i = order(`installing:${format(t.jobs.phase_installing, { package: DEMO.core })}`);
  const done = order(`done:${format(t.jobs.phase_done, { package: DEMO.lab })}`);
  assert.ok(c >= 0 && c < d && d < i && i < done, steps.join(' | '));
  await checkPage(page, 'family page, install done');
  assert.ok(demoFiles('ben').length > 0);

  await page.reload();
  const again = page.getByTestId('member-ben');
  await again.locator('[data-testid="install-ben"][data-state="succeeded"]').waitFor();
  assert.match((await again.getByTestId('packages').textContent()) ?? '', new RegExp(`${DEMO.lab} 2\\.1`));
  // The state comes from the server at once; the steps are replayed from the event stream.
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="member-ben"] [data-testid="install-steps"] li').length === n, steps.length, { timeout: 15_000 });
  assert.equal(await again.getByTestId('install-steps').locator('li').count(), steps.length, 'the steps are replayed after a reload');
  await checkPage(page, 'family page after a reload');
});

test("a failed install shows pip's last lines and offers a retry (German)", async () => {
  const de = catalogs.de;
  const ctx = await newContext(browser, { width: 375, height: 740, locale: 'de-DE' });
  const p = await ctx.newPage();
  await signIn(p, 'mama', de);
  writePackagesConfig({ packages: ['jh4f-no-such-package'], noIndex: true, findLinks: [WHEELHOUSE] });
  removeUserPackages('anna');
  await p.goto(`${env.panelUrl}/family`);
  const card = p.getByTestId('member-anna');
  await card.getByRole('button', { name: de.jobs.install }).click();
  await card.locator('[data-testid="install-anna"][data-state="failed"]').waitFor({ timeout: 60_000 });
  assert.match((await card.getByTestId('install-failed').textContent()) ?? '', /No matching distribution found for jh4f-no-such-package/);
  await card.getByRole('button', { name: de.jobs.retry }).waitFor();
  const v = await seriousAxeViolations(p);
  assert.deepEqual(
    v.map((x) => x.id),
    [],
  );
  await ctx.close();
  writePackagesConfig({ packages: [DEMO.lab], noIndex: true, findLinks: [mirror.url], pipRetries: 0 });
});

test('onboarding with "prepare Jupyter now" shows the install on the result', async () => {
  await page.goto(`${env.panelUrl}/family/onboard`);
  await page.getByLabel(t.onboard.fullName).fill('Lena Test');
  await page.getByLabel(t.onboard.username).fill('lena');
  await page.getByLabel(t.onboard.password, { exact: true }).fill('lena-pass-12345');
  const prepare = page.getByLabel(t.onboard.prepareJupyter);
  assert.equal(await prepare.isChecked(), true);
  await page.getByRole('button', { name: t.onboard.submit }).click();
  const result = page.getByTestId('onboard-result');
  await result.locator('[data-testid="install-lena"][data-state="succeeded"]').waitFor({ timeout: 90_000 });
  assert.match((await result.getByTestId('install-ready').textContent()) ?? '', new RegExp(`${DEMO.lab} 2\\.1`));
  await checkPage(page, 'onboarding result');
  // The console's "Failed to load resource" lines carry no URL; the response listener names them.
  assert.deepEqual(problems, []);
});
