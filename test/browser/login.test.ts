// A parent's browser against the sandbox's production panel.
//
// Setup (test/sandbox/run.sh): the panel at https://127.0.0.1:8010/panel as
// jupyterhub-panel with the PAM service jupyterhub-panel; accounts mama
// (jupyterhub_adm, "Maria Mustermann"), anna (a kid, group jupyterhub); Debian's
// Chromium through playwright-core. Checks the real session row and cookie jar.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/browser/login.test.ts
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { catalogs, format, type Messages } from '../../lib/i18n/messages';
import { kids, parents, sandboxEnv } from '../sandbox/fixtures';
import { request } from '../sandbox/http';
import { launchBrowser, newContext, scrollsHorizontally, seriousAxeViolations, submitLogin, watchConsole } from './browser';

const env = sandboxEnv();
const en: Messages = catalogs.en;
let browser: Browser;

function sessionRows(hash: string): number {
  const conn = new Database(env.db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare('SELECT count(*) AS n FROM sessions WHERE id_hash = ?').get(hash) as { n: number }).n;
  } finally {
    conn.close();
  }
}

function clearThrottle(): void {
  const conn = new Database(env.db, { fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    conn.exec('DELETE FROM login_throttle');
  } finally {
    conn.close();
  }
}

async function alertText(page: Page): Promise<string> {
  const alert = page.locator('form [role="alert"]');
  await alert.filter({ hasText: /\S/ }).waitFor({ timeout: 15_000 });
  return (await alert.textContent())?.trim() ?? '';
}

/**
 * The panel opens panel.db on first use; a lookup of a (well-formed, unknown)
 * session makes it do so, so the test never creates the file as root.
 */
async function ensureDatabase(): Promise<void> {
  const res = await request(`${env.panelUrl}/api/session`, { headers: { cookie: `jh4f_session=${'A'.repeat(43)}` } });
  assert.equal(res.status, 401);
}

before(async () => {
  await ensureDatabase();
  clearThrottle();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  clearThrottle();
});

test('a parent logs in, sees their name, reloads and is still in, logs out and is out', async () => {
  const context = await newContext(browser, { width: 375, height: 740 });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${env.panelUrl}/`);
  // A mark in this document: it survives only if no full page load happens.
  await page.evaluate(() => Object.assign(window, { jh4fSameDocument: true }));
  const login = await submitLogin(page, 'mama', parents.mama);
  assert.equal(login.status, 200, login.body);
  const signedIn = format(en.nav.signedInAs, { name: 'Maria Mustermann (mama)' });
  await page.getByText(signedIn).waitFor({ timeout: 15_000 });
  const sameDocument = () => page.evaluate(() => (window as unknown as { jh4fSameDocument?: boolean }).jh4fSameDocument === true);
  assert.equal(await sameDocument(), true, 'the overview came by client-side navigation, not a page load');
  // The nav's Family link, too, is a client-side navigation.
  await page.getByRole('navigation', { name: en.nav.label }).getByRole('link', { name: en.nav.family }).click();
  await page.getByRole('heading', { name: en.family.heading, level: 1 }).waitFor({ timeout: 15_000 });
  assert.equal(await sameDocument(), true, 'the family page came by client-side navigation');
  assert.match(page.url(), /\/panel\/family$/);
  await page.getByRole('navigation', { name: en.nav.label }).getByRole('link', { name: en.nav.overview }).click();
  await page.getByRole('heading', { name: format(en.home.heading, { name: 'Maria Mustermann' }), level: 1 }).waitFor({ timeout: 15_000 });

  // The cookie: HttpOnly, Secure, SameSite=Strict, Path=/panel, host-only.
  const cookies = await context.cookies(env.panelUrl);
  const session = cookies.find((c) => c.name === 'jh4f_session');
  assert.ok(session, 'the session cookie is set');
  assert.equal(session.path, '/panel');
  assert.equal(session.httpOnly, true);
  assert.equal(session.secure, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(session.domain, '127.0.0.1', 'host-only');
  assert.equal(await page.evaluate(() => document.cookie.includes('jh4f_session')), false, 'scripts cannot read it');
  // SECURITY-CASES 21: the hub on port 8000 of the same host gets no panel cookie.
  assert.deepEqual(await context.cookies('https://127.0.0.1:8000/user/anna/lab'), []);
  assert.deepEqual(await context.cookies('https://127.0.0.1:8000/'), []);
  const hash = crypto.createHash('sha256').update(session.value).digest('hex');
  assert.equal(sessionRows(hash), 1);

  assert.deepEqual(await seriousAxeViolations(page), [], 'signed-in page: no serious axe violations');
  assert.equal(await scrollsHorizontally(page), false, 'signed-in page fits 375 px');

  await page.reload();
  await page.getByText(signedIn).waitFor();

  await page.getByRole('button', { name: en.nav.logout }).click();
  await page.getByRole('heading', { name: en.login.heading }).waitFor({ timeout: 15_000 });
  assert.equal(sessionRows(hash), 0, 'the session ended on the server');
  assert.equal(
    (await context.cookies(env.panelUrl)).some((c) => c.name === 'jh4f_session'),
    false,
  );
  // Issue 32: the device cookie stays at logout, with the session cookie's attributes and 180 days.
  const device = (await context.cookies(env.panelUrl)).find((c) => c.name === 'jh4f_device_mama');
  assert.ok(device, 'the device cookie is kept at logout');
  assert.deepEqual([device.path, device.httpOnly, device.secure, device.sameSite, device.domain], ['/panel', true, true, 'Strict', '127.0.0.1']);
  assert.ok(device.expires > Date.now() / 1000 + 179 * 24 * 3600, `expires ${device.expires}`);
  await page.reload();
  await page.getByRole('heading', { name: en.login.heading }).waitFor();
  assert.equal(await page.getByText(signedIn).count(), 0);
  assert.deepEqual(
    problems.filter((p) => /Content Security Policy|Refused to/i.test(p)),
    [],
  );
  await context.close();
});

test('a kid with the right password is told they are not a family admin', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${env.panelUrl}/`);
  await submitLogin(page, 'anna', kids.anna);
  assert.equal(await alertText(page), en.login.notFamilyAdmin);
  assert.equal((await context.cookies(env.panelUrl)).length, 0);
  await context.close();
});

test('a wrong password and an unknown user get the same message', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${env.panelUrl}/`);
  await submitLogin(page, 'mama', 'not-her-password');
  const wrongPassword = await alertText(page);
  await page.reload();
  await submitLogin(page, 'nobody-here', 'whatever-1');
  const unknownUser = await alertText(page);
  assert.equal(wrongPassword, en.login.invalidCredentials);
  assert.equal(unknownUser, wrongPassword);
  await context.close();
});

test('in German the messages come from the German catalog', async () => {
  const de = catalogs.de;
  const context = await newContext(browser, { locale: 'de-DE' });
  const page = await context.newPage();
  await page.goto(`${env.panelUrl}/`);
  await submitLogin(page, 'anna', kids.anna, de);
  assert.equal(await alertText(page), de.login.notFamilyAdmin);
  await page.reload();
  await submitLogin(page, 'mama', parents.mama, de);
  await page.getByText(format(de.nav.signedInAs, { name: 'Maria Mustermann (mama)' })).waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: de.nav.logout }).click();
  await page.getByRole('heading', { name: de.login.heading }).waitFor({ timeout: 15_000 });
  await context.close();
});
