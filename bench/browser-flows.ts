// A parent's flows in Debian's headless Chromium (playwright-core, as the browser
// tests drive it), each in a fresh browser context (cold cache, no cookies):
// sign in on the login page, land on the overview, go to the family page; and the
// bytes the browser received on the way. Used by bench/family-page.ts.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newContext } from '../test/browser/browser';
import { parents, sandboxEnv } from '../test/sandbox/fixtures';

export { launchBrowser };

/**
 * The family page is usable when it has loaded, shows member rows, and every
 * control in <main> is hydrated (React has attached its props), so search,
 * paging and the buttons answer. Works for every version of the page.
 */
function familyUsable(): boolean {
  if (document.readyState !== 'complete') return false;
  if (document.querySelectorAll('li[data-testid^="member-"]').length === 0) return false;
  for (const c of document.querySelectorAll('main input, main select, main button')) {
    if (!Object.keys(c).some((k) => k.startsWith('__reactProps'))) return false;
  }
  return true;
}

/** The overview is usable when it has loaded and its sign-out button is hydrated. */
function overviewUsable(): boolean {
  if (document.readyState !== 'complete' || !document.querySelector('[data-testid="signed-in-as"]')) return false;
  const nav = document.querySelector('a[href="/panel/family"]');
  const buttons = [...document.querySelectorAll('header button')];
  return nav !== null && buttons.length > 0 && buttons.every((b) => Object.keys(b).some((k) => k.startsWith('__reactProps')));
}

const POLL = { polling: 20, timeout: 60_000 } as const;

export interface WireCounter {
  /** Bytes received (headers and encoded bodies) since the counter started. */
  bytes(): number;
  stop(): Promise<void>;
}

/** Counts what Chromium receives on the wire for this page (CDP Network.loadingFinished). */
export async function countWire(context: BrowserContext, page: Page): Promise<WireCounter> {
  const cdp = await context.newCDPSession(page);
  let total = 0;
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
    total += e.encodedDataLength;
  });
  await cdp.send('Network.enable');
  return { bytes: () => total, stop: () => cdp.detach() };
}

async function signIn(page: Page): Promise<number> {
  const env = sandboxEnv();
  await page.goto(`${env.panelUrl}/`, { waitUntil: 'load' });
  // Until the form is hydrated a click would submit it natively (a GET with the password in the URL).
  await page.waitForFunction(
    () => {
      const b = document.querySelector('button[type="submit"]');
      return b !== null && Object.keys(b).some((k) => k.startsWith('__reactProps'));
    },
    undefined,
    POLL,
  );
  await page.fill('#username', 'mama');
  await page.fill('#password', parents.mama);
  const t0 = performance.now();
  await page.click('button[type="submit"]');
  return t0;
}

export interface SignInTimes {
  /** Submit on the login page -> the overview usable. */
  overviewMs: number;
  /** Submit on the login page -> the family page usable, reached by its link on the overview. */
  familyMs: number;
}

/** Sign in, land on the overview, follow the "Family" link (however the page loads it). */
export async function signInToFamily(browser: Browser): Promise<SignInTimes> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    const t0 = await signIn(page);
    await page.waitForURL(/\/panel\/?$/, { timeout: 60_000 });
    await page.waitForFunction(overviewUsable, undefined, POLL);
    const overviewMs = performance.now() - t0;
    await page.click('a[href="/panel/family"]');
    await page.waitForFunction(familyUsable, undefined, POLL);
    const familyMs = performance.now() - t0;
    return { overviewMs, familyMs };
  } finally {
    await context.close();
  }
}

export interface FamilyDocument {
  /** Decoded size of the family page's HTML document (with its inline RSC payload). */
  htmlBytes: number;
  /** Bytes received on the wire for the document and what it loads (signed in; Chromium caches nothing from a site whose certificate it was told to ignore, as a parent who clicked through the warning). */
  wireBytes: number;
  /** Opening /panel/family directly (a reload, a bookmark) -> usable. */
  ms: number;
}

/** Sign in, then open /panel/family as a document. */
export async function familyDocument(browser: Browser): Promise<FamilyDocument> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await signIn(page);
    await page.waitForURL(/\/panel\/?$/, { timeout: 60_000 });
    await page.waitForFunction(overviewUsable, undefined, POLL);
    const fresh = await context.newPage();
    const wire = await countWire(context, fresh);
    const t0 = performance.now();
    const response = await fresh.goto(`${sandboxEnv().panelUrl}/family`, { waitUntil: 'commit' });
    if (!response || response.status() !== 200) throw new Error(`GET /panel/family answered ${response?.status()}`);
    await fresh.waitForFunction(familyUsable, undefined, POLL);
    const ms = performance.now() - t0;
    // The navigation entry knows the decoded size without keeping the body (megabytes) around.
    const htmlBytes = await fresh.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).decodedBodySize);
    await fresh.waitForLoadState('networkidle');
    const wireBytes = wire.bytes();
    await wire.stop();
    return { htmlBytes, wireBytes, ms };
  } finally {
    await context.close();
  }
}

/** Bytes on the wire, cold: the login page, sign-in, and the overview until the network is quiet. */
export async function coldSignInBytes(browser: Browser): Promise<number> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    const wire = await countWire(context, page);
    await signIn(page);
    await page.waitForURL(/\/panel\/?$/, { timeout: 60_000 });
    await page.waitForFunction(overviewUsable, undefined, POLL);
    await page.waitForLoadState('networkidle');
    const bytes = wire.bytes();
    await wire.stop();
    return bytes;
  } finally {
    await context.close();
  }
}

/** Bytes on the wire, cold, for the panel's 404 page (the framework's own share: the floor). */
export async function coldNotFoundBytes(browser: Browser): Promise<number> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    const wire = await countWire(context, page);
    await page.goto(`${sandboxEnv().panelUrl}/no-such-page`, { waitUntil: 'networkidle' });
    const bytes = wire.bytes();
    await wire.stop();
    return bytes;
  } finally {
    await context.close();
  }
}
