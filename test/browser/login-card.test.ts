// The kid's login card in a parent's browser, on a 375 px phone:
// mama onboards "Lotte Kärcher" and gets the card with the address to type, the
// username, the password just set and the SHA-256 fingerprint of the hub's
// certificate, equal to what `openssl x509 -fingerprint -sha256` says of the hub's
// certificate file and to the certificate the hub really serves. Printed, the
// card alone fills exactly one A4 or Letter page. Later, from the member's card on
// the family page (by keyboard), the same card without a password. Names that are
// not members get 404. Then the machine joins a LAN (a veth pair in the sandbox's
// own network namespace): the card shows the LAN addresses and the host name,
// never 127.0.0.1, and says which addresses the certificate does not cover.
//
// Setup (test/sandbox/run.sh): the family hub on https://127.0.0.1:8000 with its
// certificate /etc/jupyterhub4family/tls/cert.pem (made by the set-up, inside a
// network namespace that has only loopback); the panel on 8010; mama (jupyterhub_adm),
// anna (member), kim (not a member); no account lotte (removed again at the end).
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 test/browser/login-card.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { catalogs, format } from '../../lib/i18n/messages';
import { requireSandboxHub } from '../sandbox/fixtures';
import { checkPage, launchBrowser, newContext, openWatchedPage, signIn } from './browser';
import { removeAccount } from './accounts';
import { until } from '../sandbox/wait';

// The family hub's certificate has subjectAltNames and is readable by the panel; a seed
// hub's is neither (the card then says it has no fingerprint: unit-tested).
const env = requireSandboxHub('family');
const t = catalogs.en;
const KID = 'lotte';
const KID_NAME = 'Lotte Kärcher';
const LAN_V4 = '192.168.77.10';
const LAN_V6 = 'fd77::10';
const VETH = 'jh4f-lan0';
const VETH_PEER = 'jh4f-lan1';
const hubPort = new URL(env.hubUrl).port;

let browser: Browser;
let page: Page;
let problems: string[];
/** What the first browser's page saw, before the LAN test started a new browser. */
const earlierProblems: string[] = [];

/** `openssl x509 -fingerprint -sha256` of the hub's certificate file: what the card must show. */
function opensslFingerprint(file: string): string {
  const out = execFileSync('/usr/bin/openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  return out.trim().replace(/^sha256 Fingerprint=/i, '');
}

/** The fingerprint of the certificate the hub presents on its port (what the browser's warning shows). */
function servedFingerprint(): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(env.hubUrl);
    const sock = tls.connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      const fp = sock.getPeerCertificate().fingerprint256;
      sock.end();
      resolve(fp);
    });
    sock.on('error', reject);
  });
}

/** Non-loopback addresses another device could use, as the sandbox's network namespace has them now. */
function otherAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i && !i.internal && !/^fe[89ab]/i.test(i.address))
    .map((i) => i!.address);
}

/**
 * A LAN inside the sandbox's own network namespace (the host's network is not
 * touched): a veth pair with no link-local addresses (addrgenmode none) and its
 * IPv6 address without duplicate detection, so nothing changes after the links are up.
 */
function makeLan(): void {
  const ip = (...args: string[]) => execFileSync('/usr/sbin/ip', args, { stdio: 'pipe' });
  ip('link', 'add', VETH, 'type', 'veth', 'peer', 'name', VETH_PEER);
  for (const dev of [VETH, VETH_PEER]) ip('link', 'set', 'dev', dev, 'addrgenmode', 'none');
  ip('addr', 'add', `${LAN_V4}/24`, 'dev', VETH);
  ip('-6', 'addr', 'add', `${LAN_V6}/64`, 'dev', VETH, 'nodad');
  ip('link', 'set', VETH, 'up');
  ip('link', 'set', VETH_PEER, 'up');
}

/** Both ends report state UP (the kernel's link watch has run) and no address is tentative. */
function lanSettled(): boolean {
  const links = execFileSync('/usr/sbin/ip', ['-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' });
  const addrs = execFileSync('/usr/sbin/ip', ['-o', 'addr', 'show', 'dev', VETH], { encoding: 'utf8' });
  const up = (dev: string) => new RegExp(`^\\d+: ${dev}@\\S+: .*\\bstate UP\\b`, 'm').test(links);
  return up(VETH) && up(VETH_PEER) && !/tentative/.test(addrs) && otherAddresses().includes(LAN_V4);
}

/** Pages in a PDF Chromium made: its page objects (/Type /Page, not /Pages). */
function pdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}

/** Printed: the card alone, black on white, one page of A4 and one of Letter. */
async function checkPrint(p: Page, name: string) {
  await p.emulateMedia({ media: 'print' });
  try {
    // A string, not a function: tsx names functions with a helper the page does not have.
    const seen = await p.evaluate(`(() => {
      const shown = (el) => !!el && getComputedStyle(el).display !== 'none' && el.offsetHeight > 0;
      const card = document.querySelector('.login-card');
      const style = card ? getComputedStyle(card) : null;
      return {
        card: shown(card),
        nav: shown(document.querySelector('nav')),
        header: shown(document.querySelector('header')),
        buttons: [...document.querySelectorAll('button')].filter(shown).map((b) => b.textContent),
        otherLinks: [...document.querySelectorAll('a')].filter(shown).map((a) => a.textContent),
        color: style && style.color,
        background: style && style.backgroundColor,
        bodyBackground: getComputedStyle(document.body).backgroundColor,
      };
    })()`);
    assert.deepEqual(
      seen,
      { card: true, nav: false, header: false, buttons: [], otherLinks: [], color: 'rgb(0, 0, 0)', background: 'rgb(255, 255, 255)', bodyBackground: 'rgb(255, 255, 255)' },
      `${name}: printed, only the card, black on white`,
    );
    for (const format of ['A4', 'Letter'] as const) {
      const pdf = await p.pdf({ format, printBackground: true });
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.equal(pdfPages(pdf), 1, `${name}: the card prints on exactly one ${format} page`);
    }
  } finally {
    await p.emulateMedia({ media: 'screen' });
  }
}

before(async () => {
  removeAccount(KID);
  browser = await launchBrowser();
  ({ page, problems } = await openWatchedPage(browser));
});

after(async () => {
  await browser?.close();
  try {
    execFileSync('/usr/sbin/ip', ['link', 'del', VETH], { stdio: 'pipe' });
  } catch {
    /* not made, or gone */
  }
  removeAccount(KID);
});

test('signed out, a login card sends you to the login page and shows nothing', async () => {
  const response = await page.goto(`${env.panelUrl}/family/card/anna`);
  assert.equal(new URL(page.url()).pathname.replace(/\/$/, ''), '/panel');
  await page.getByRole('heading', { name: t.login.heading }).waitFor();
  assert.ok(response);
  assert.equal(await page.getByTestId('login-card').count(), 0);
  assert.ok(!(await page.content()).includes(opensslFingerprint(env.hubCa)), 'no fingerprint before login');
});

let kidPassword = '';
const fingerprint = opensslFingerprint(env.hubCa);

test('after onboarding, the card shows the address, the username, the password just set and the fingerprint', async () => {
  assert.equal(await servedFingerprint(), fingerprint, "the hub serves the certificate file's certificate (the comparison below means what a browser sees)");
  await signIn(page, 'mama', t);

  await page.goto(`${env.panelUrl}/family/onboard`);
  await page.getByLabel(t.onboard.fullName).fill(KID_NAME);
  await page.waitForFunction((kid) => (document.getElementById('onboard-username') as HTMLInputElement | null)?.value === kid, KID, { timeout: 10_000 });
  await page.getByRole('button', { name: t.onboard.suggestPassword }).click();
  await page.waitForFunction(() => ((document.getElementById('onboard-password') as HTMLInputElement | null)?.value ?? '').length > 0);
  kidPassword = await page.locator('#onboard-password').inputValue();
  await page.getByLabel(t.onboard.prepareJupyter).uncheck();
  await page.getByRole('button', { name: t.onboard.submit }).click();
  const submitted = performance.now();
  try {
    await page.getByTestId('onboard-result').waitFor({ timeout: 60_000 });
    console.log(`# onboarding answered in ${Math.round(performance.now() - submitted)} ms`);
  } catch (error) {
    throw new Error(
      `no onboarding result at ${page.url()}: ${(
        await page
          .locator('body')
          .textContent()
          .catch(() => '?')
      )?.slice(0, 1500)}; page problems: ${problems.join(' | ')}; ${error}`,
    );
  }

  const card = page.getByTestId('login-card');
  await card.getByRole('heading', { name: format(t.card.title, { name: KID_NAME }) }).waitFor();
  assert.equal((await card.getByTestId('kid-username').textContent())?.trim(), KID);
  assert.equal((await card.getByTestId('kid-password').textContent())?.trim(), kidPassword);
  assert.equal((await card.getByTestId('fingerprint').textContent())?.trim(), fingerprint);

  // The sandbox's own network namespace: loopback only, unless something gave it more.
  const others = otherAddresses();
  const address = (await card.getByTestId('hub-address').textContent())?.trim() ?? '';
  if (others.length === 0) {
    assert.equal(address, `https://127.0.0.1:${hubPort}/`, 'loopback only: this machine is all there is');
    assert.equal((await card.getByTestId('only-this-machine').textContent())?.trim(), t.card.onlyThisMachine);
  } else {
    assert.ok(!/127\.0\.0\.1|\[::1\]/.test(address), address);
    assert.equal(await card.getByTestId('only-this-machine').count(), 0);
  }
  await checkPage(page, 'onboard result with the login card');
  await checkPrint(page, 'onboard result');
  // Printed or not, the password never went to the server after onboarding, nor into the page's URL.
  assert.ok(!page.url().includes(kidPassword));
});

test("from the family page, by keyboard: the member's login card, with no password", async () => {
  await page.goto(`${env.panelUrl}/family`);
  const member = page.getByTestId(`member-${KID}`);
  await member.waitFor();
  const link = member.getByRole('link', { name: `${t.card.link} ${format(t.card.linkFor, { user: KID })}` });
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`/panel/family/card/${KID}$`));
  await page.getByRole('heading', { name: format(t.card.pageHeading, { name: KID_NAME }), level: 1 }).waitFor();

  const card = page.getByTestId('login-card');
  assert.equal((await card.getByTestId('kid-username').textContent())?.trim(), KID);
  assert.equal(await card.getByTestId('kid-password').count(), 0, 'no password on a later card');
  assert.equal((await card.getByTestId('kid-password-not-shown').textContent())?.trim(), t.card.passwordNotShown);
  assert.ok(!(await page.content()).includes(kidPassword), 'the password is nowhere in the page');
  assert.equal((await card.getByTestId('fingerprint').textContent())?.trim(), fingerprint);
  assert.equal(await card.getByTestId('certificate-problem').count(), 0);
  await checkPage(page, 'login card page');
  await checkPrint(page, 'login card page');
  // The print button is a real button for the keyboard too.
  const print = page.getByRole('button', { name: t.card.print });
  await print.focus();
  assert.equal(await print.evaluate((el) => el === document.activeElement), true);
});

test('names that are not members get 404 with a clear message: unknown, not a member, not a valid name', async () => {
  for (const name of ['nobody-here', 'kim', 'root', '-G', 'Anna', encodeURIComponent('аnna'), 'a'.repeat(33)]) {
    const response = await page.goto(`${env.panelUrl}/family/card/${name}`);
    assert.equal(response?.status(), 404, name);
    assert.equal((await page.getByTestId('card-not-found').textContent())?.trim(), t.card.notFoundText, name);
    assert.equal(await page.getByTestId('login-card').count(), 0, name);
  }
  await checkPage(page, 'login card 404');
  // anna is a member: her card is there.
  assert.equal((await page.goto(`${env.panelUrl}/family/card/anna`))?.status(), 200);
  assert.equal((await page.getByTestId('kid-username').textContent())?.trim(), 'anna');
});

test('on a LAN: the LAN addresses and the host name, never 127.0.0.1; addresses the certificate lacks are marked', async () => {
  // Chromium watches the machine's network: an address or link that changes while a
  // page loads aborts its requests (net::ERR_NETWORK_CHANGED, seen 2.4 s after the
  // change), and a page whose scripts were aborted never hydrates (the login button
  // stays disabled). So the LAN is made with the browser closed, the links settle,
  // and a new browser starts on a network that no longer changes.
  earlierProblems.push(...problems);
  await browser.close();
  makeLan();
  await until('the LAN links to be up, with no address still tentative', async () => lanSettled(), 10_000);
  assert.ok(otherAddresses().includes(LAN_V4), `the sandbox has a LAN address now: ${execFileSync('/usr/sbin/ip', ['-br', 'addr'], { encoding: 'utf8' })}`);
  browser = await launchBrowser();
  ({ page, problems } = await openWatchedPage(browser));
  await signIn(page, 'mama', t);

  await page.goto(`${env.panelUrl}/family/card/${KID}`);
  const card = page.getByTestId('login-card');
  const addresses = [(await card.getByTestId('hub-address').textContent()) ?? '', ...(await card.getByTestId('other-addresses').getByRole('listitem').allTextContents())].map((s) =>
    s.trim(),
  );
  const text = addresses.join('\n');
  assert.ok(!/127\.0\.0\.1|\[::1\]|localhost/.test(text), text);
  assert.equal(await card.getByTestId('only-this-machine').count(), 0);
  // The host name is in the certificate the set-up made, so it comes first; the
  // LAN addresses came after the certificate and are marked as not in it.
  const host = os.hostname().toLowerCase().split('.')[0]!;
  assert.ok(addresses[0]!.startsWith(`https://${host}:${hubPort}/`), text);
  assert.ok(!addresses[0]!.includes(t.card.notInCertificate), text);
  const v4 = addresses.find((a) => a.startsWith(`https://${LAN_V4}:${hubPort}/`));
  const v6 = addresses.find((a) => a.startsWith(`https://[${LAN_V6}]:${hubPort}/`));
  assert.ok(v4?.includes(t.card.notInCertificate), text);
  assert.ok(v6?.includes(t.card.notInCertificate), text);
  await checkPage(page, 'login card on a LAN');
  await checkPrint(page, 'login card on a LAN');
});

test('in German on a phone: the card reads in German and passes axe', async () => {
  const de = catalogs.de;
  const ctx = await newContext(browser, { locale: 'de-DE', width: 375, height: 740 });
  const p = await ctx.newPage();
  try {
    // signIn checks the login's answer first, so a failure here says what the panel answered.
    await signIn(p, 'papa', de);
    await p.goto(`${env.panelUrl}/family/card/${KID}`);
    await p.getByRole('heading', { name: format(de.card.pageHeading, { name: KID_NAME }), level: 1 }).waitFor();
    assert.match((await p.getByTestId('login-card').textContent()) ?? '', new RegExp(de.card.stepSignIn.slice(0, 20)));
    await checkPage(p, 'login card (de)');
    await checkPrint(p, 'login card (de)');
  } finally {
    await ctx.close();
  }
});

test('no page errors, CSP violations or failed requests along the way (404s of the not-member cards aside)', () => {
  assert.deepEqual(
    [...earlierProblems, ...problems].filter((m) => !/^404 GET .*\/family\/card\//.test(m)),
    [],
    'no page errors or CSP violations',
  );
});
