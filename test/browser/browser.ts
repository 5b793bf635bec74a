// Debian's Chromium driven by playwright-core (never a downloaded browser), and an
// axe-core check. Shared by the browser tests.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { catalogs, type Messages } from '../../lib/i18n/messages';
import { parents, sandboxEnv } from '../sandbox/fixtures';

const require = createRequire(__filename);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // As root Chromium needs --no-sandbox; the rest keeps it off the (closed) network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newContext(browser: Browser, options: { locale?: string; width?: number; height?: number } = {}): Promise<BrowserContext> {
  return browser.newContext({
    ignoreHTTPSErrors: true,
    locale: options.locale ?? 'en-US',
    extraHTTPHeaders: { 'accept-language': options.locale ?? 'en-US' },
    viewport: { width: options.width ?? 1024, height: options.height ?? 768 },
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * Runs axe-core in the page and returns the serious and critical violations.
 * axe is injected through Playwright (not a <script> tag), so the page's CSP stays as it is.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async () => {
    // @ts-expect-error axe is a global the injected source defines
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  })) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** True when the page scrolls sideways (content wider than the viewport). */
export async function scrollsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** Collects CSP violations and page errors, to assert the CSP did not break the page. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  return problems;
}

/** Fills the login form (in the catalog's language) and submits it; resolves with the login API's status and body. */
export async function submitLogin(page: Page, username: string, password: string, t: Messages = catalogs.en): Promise<{ status: number; body: string }> {
  await page.getByLabel(t.login.username).fill(username);
  await page.getByLabel(t.login.password).fill(password);
  const isLogin = (r: { url(): string; method(): string }) => r.url().endsWith('/api/session') && r.method() === 'POST';
  const answer = page.waitForResponse((r) => isLogin(r.request()));
  // A request the browser gave up on (net::ERR_...) has no response: say so at once.
  const failed = page.waitForEvent('requestfailed', { predicate: isLogin }).then((r) => {
    throw new Error(`the login request failed in the browser: ${r.failure()?.errorText ?? 'no reason given'}`);
  });
  failed.catch(() => undefined);
  await page.getByRole('button', { name: t.login.submit }).click();
  const response = await Promise.race([answer, failed]);
  return { status: response.status(), body: await response.text().catch(() => '(the body is gone)') };
}

/**
 * Signs a fixture parent in from the login page and waits for the signed-in
 * page. A refused login fails here with the panel's answer, so a test that
 * cannot sign in says why instead of timing out on the next step.
 */
export async function signIn(page: Page, parent: keyof typeof parents, t: Messages = catalogs.en): Promise<void> {
  await page.goto(`${sandboxEnv().panelUrl}/`);
  const login = await submitLogin(page, parent, parents[parent], t);
  if (login.status !== 200) throw new Error(`${parent}'s login answered ${login.status}: ${login.body}`);
  await page.getByTestId('signed-in-as').waitFor();
}

/** Asserts the page has no serious or critical axe violation and does not scroll sideways (the tests' phones are 375 px wide). */
export async function checkPage(page: Page, name: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${name}: axe serious/critical violations`,
  );
  assert.equal(await scrollsHorizontally(page), false, `${name} scrolls sideways at ${page.viewportSize()?.width ?? '?'} px`);
}

/** Collects the responses >= 400 the page gets (the console only says "Failed to load resource"), favicon misses left out. */
export function watchFailedResponses(page: Page, into: string[] = []): string[] {
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) into.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return into;
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors (CSP reports among them) and responses >= 400, as they happen. */
  problems: string[];
}

/**
 * A fresh context (a 375 px phone unless told otherwise) and its page, with every
 * problem in one list. The console's own "Failed to load resource" lines are left
 * out: their responses are in the list with method, status and URL.
 */
export async function openWatchedPage(browser: Browser, options: { locale?: string; width?: number; height?: number } = {}): Promise<WatchedPage> {
  const context = await newContext(browser, { width: 375, height: 740, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(msg.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  watchFailedResponses(page, problems);
  return { context, page, problems };
}
