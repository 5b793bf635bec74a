// The family story in a parent's browser, on a 375 px phone:
// mama onboards "Jürgen Müller", the suggested username is juergen; Jürgen logs
// into the real JupyterHub with that password and gets in; mama removes him; his
// next hub login is refused; the audit page shows all of it. Every page is
// checked with axe-core (no serious/critical violations) and for sideways scrolling.
//
// Setup (test/sandbox/run.sh): the production panel on https://127.0.0.1:8010/panel,
// Debian's JupyterHub 3.0 on https://127.0.0.1:8000 with PAM and allowed_groups
// {jupyterhub}; mama (jupyterhub_adm); no account juergen (removed again at the end).
//
// Run: sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/browser/family.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { catalogs, format, type Messages } from '../../lib/i18n/messages';
import { parents, sandboxEnv } from '../sandbox/fixtures';
import { HubVisitor, PanelClient } from '../sandbox/http';
import { auditRows } from '../sandbox/audit-rows';
import { checkPage, launchBrowser, newContext, openWatchedPage, scrollsHorizontally, seriousAxeViolations, signIn, watchConsole } from './browser';
import { removeAccount } from './accounts';

assert.equal(process.env.JH4F_SANDBOX, '1', 'family.test.ts runs only inside the sandbox (sudo bash test/sandbox/run.sh ...)');
const env = sandboxEnv();
const t = catalogs.en;
const KID = 'juergen';

let browser: Browser;
let page: Page;
let problems: string[];

/** A login at the real hub's form (test/sandbox/http.ts HubVisitor). */
async function hubLogin(username: string, password: string): Promise<{ status: number; loggedIn: boolean; body: string }> {
  return new HubVisitor().login(username, password);
}

before(async () => {
  removeAccount(KID);
  browser = await launchBrowser();
  ({ page, problems } = await openWatchedPage(browser));
});

after(async () => {
  await browser?.close();
  removeAccount(KID);
});

test('signed out, the family, onboarding and audit pages send you to the login', async () => {
  for (const path of ['/family', '/family/onboard', '/audit']) {
    await page.goto(`${env.panelUrl}${path}`);
    assert.equal(new URL(page.url()).pathname.replace(/\/$/, ''), '/panel', path);
    await page.getByRole('heading', { name: t.login.heading }).waitFor();
  }
});

let kidPassword = '';

test('a parent onboards "Jürgen Müller": the suggested username is juergen, the result says how to log in', async () => {
  await signIn(page, 'mama', t);

  await page.goto(`${env.panelUrl}/family`);
  await page.getByRole('heading', { name: t.family.heading, level: 1 }).waitFor();
  await page.getByTestId('member-anna').waitFor();
  await checkPage(page, 'family page');

  await page.getByRole('link', { name: t.family.onboardLink }).click();
  await page.getByRole('heading', { name: t.onboard.heading }).waitFor();
  await checkPage(page, 'onboard page');
  await page.getByLabel(t.onboard.fullName).fill('Jürgen Müller');
  const username = page.getByLabel(t.onboard.username);
  await page.waitForFunction(() => (document.getElementById('onboard-username') as HTMLInputElement | null)?.value === 'juergen', null, { timeout: 10_000 });
  assert.equal(await username.inputValue(), KID);

  await page.getByRole('button', { name: t.onboard.suggestPassword }).click();
  const password = page.locator('#onboard-password');
  await page.waitForFunction(() => ((document.getElementById('onboard-password') as HTMLInputElement | null)?.value ?? '').length > 0);
  kidPassword = await password.inputValue();
  assert.match(kidPassword, /^[a-z]+(-[a-z]+){3}[0-9]$/);
  // "Prepare Jupyter now" is on by default; this story leaves the install to its own test.
  const prepare = page.getByLabel(t.onboard.prepareJupyter);
  assert.equal(await prepare.isChecked(), true, '"prepare Jupyter now" is on by default');
  await prepare.uncheck();

  await page.getByRole('button', { name: t.onboard.submit }).click();
  const result = page.getByTestId('onboard-result');
  await result.waitFor({ timeout: 30_000 });
  assert.equal((await page.getByTestId('kid-username').textContent())?.trim(), KID);
  assert.equal((await page.getByTestId('hub-address').textContent())?.trim(), 'https://127.0.0.1:8000/');
  await page.getByRole('heading', { name: format(t.onboard.resultHeading, { name: 'Jürgen Müller' }) }).waitFor();
  await checkPage(page, 'onboard result');
  assert.ok(execFileSync('getent', ['group', 'jupyterhub'], { encoding: 'utf8' }).trim().split(':')[3]!.split(',').includes(KID));
});

test('the kid logs into the real JupyterHub with that password and gets in', async () => {
  const wrong = await hubLogin(KID, 'not-the-password');
  assert.equal(wrong.loggedIn, false, 'a wrong password is refused (the check below means something)');
  const r = await hubLogin(KID, kidPassword);
  assert.equal(r.loggedIn, true, `hub login: ${r.status} ${r.body.slice(0, 300)}`);
});

test('the parent removes him after a confirmation naming the consequences; his next hub login is refused', async () => {
  await page.goto(`${env.panelUrl}/family`);
  const card = page.getByTestId(`member-${KID}`);
  await card.waitFor();
  await card.getByRole('button', { name: t.family.remove }).click();
  const dialog = page.getByRole('dialog', { name: format(t.family.removeTitle, { user: KID }) });
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? '', /can no longer sign in to JupyterHub/);
  await checkPage(page, 'remove dialog');
  await dialog.getByRole('button', { name: format(t.family.removeConfirm, { user: KID }) }).click();
  await page
    .getByTestId('notice')
    .filter({ hasText: format(t.family.removed, { user: KID }) })
    .waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId(`member-${KID}`).count(), 0);
  assert.ok(!execFileSync('getent', ['group', 'jupyterhub'], { encoding: 'utf8' }).trim().split(':')[3]!.split(',').includes(KID));

  const r = await hubLogin(KID, kidPassword);
  assert.equal(r.loggedIn, false, `the hub let a removed member in: ${r.status}`);
});

test('the audit page shows all of it, newest first, filtered by member', async () => {
  await page.goto(`${env.panelUrl}/audit?target=${KID}`);
  await page.getByRole('heading', { name: t.audit.heading, level: 1 }).waitFor();
  const rows = await page
    .getByTestId('audit-entry')
    .evaluateAll((els) =>
      els.map((e) => ({ action: e.getAttribute('data-action'), outcome: e.getAttribute('data-outcome'), target: e.getAttribute('data-target'), text: e.textContent ?? '' })),
    );
  // One entry per change: user_create, onboard, member_remove (and the server stop), no "started" halves.
  assert.ok(rows.length >= 3, JSON.stringify(rows));
  assert.ok(rows.every((r) => r.target === KID));
  assert.ok(!rows.some((r) => r.text.includes(t.audit.outcomes.started)), 'every change shows its outcome, not its start');
  const actions = rows.map((r) => r.action);
  // Newest first: the removal comes before the onboarding.
  assert.ok(actions.indexOf('member_remove') < actions.indexOf('onboard'), actions.join(','));
  for (const action of ['user_create', 'onboard', 'member_remove']) {
    assert.ok(
      rows.some((r) => r.action === action && r.outcome === 'ok' && r.text.includes('mama')),
      `${action} row`,
    );
  }
  const body = (await page.locator('main').textContent()) ?? '';
  assert.ok(body.includes(t.audit.actions.member_remove) && body.includes(t.audit.actions.onboard));
  assert.ok(!body.includes(kidPassword), 'the password is not in the audit log');
  await checkPage(page, 'audit page');
  assert.deepEqual(problems, [], 'no failed requests, page errors or CSP violations');
});

test('a big family (65 members): one page of 20, search by full name, paging, and the add-member search', async () => {
  // Throwaway accounts appended to the sandbox's account files (useradd for 65 takes
  // long and tests nothing of ours); /etc is put back afterwards.
  const files = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow'] as const;
  const saved = files.map((f) => [f, fs.readFileSync(f)] as const);
  const names: string[] = [];
  let passwd = '';
  let shadow = '';
  for (let i = 1; i <= 63; i++) {
    const name = `famkid${String(i).padStart(2, '0')}`;
    names.push(name);
    passwd += `${name}:x:${21000 + i}:100:${i === 42 ? 'Zoë Zimmermann' : `Family Kid ${i}`}:/home/${name}:/bin/bash\n`;
    shadow += `${name}:!:19000:0:99999:7:::\n`;
  }
  const own = watchConsole(page);
  try {
    fs.appendFileSync('/etc/passwd', passwd);
    fs.appendFileSync('/etc/shadow', shadow);
    execFileSync('/usr/bin/gpasswd', ['-M', ['anna', 'ben', ...names].join(','), 'jupyterhub'], { stdio: 'pipe' });

    await page.goto(`${env.panelUrl}/family`);
    const count = page.getByTestId('member-count');
    assert.equal((await count.textContent())?.trim(), format(t.family.showing, { from: 1, to: 20, total: 65 }));
    assert.equal(await page.locator('li[data-testid^="member-"]').count(), 20);
    await checkPage(page, 'family page, 65 members');

    // Paging: plain links that keep working without scripts.
    const pager = page.getByRole('navigation', { name: t.family.pagerLabel });
    assert.match((await pager.textContent()) ?? '', new RegExp(format(t.family.pageOf, { page: 1, pages: 4 })));
    await pager.getByRole('link', { name: t.family.nextPage }).click();
    await page.waitForURL(/[?&]page=2/);
    assert.equal((await page.getByTestId('member-count').textContent())?.trim(), format(t.family.showing, { from: 21, to: 40, total: 65 }));
    await page.getByTestId('member-famkid19').waitFor();

    // Search by full name, accents not needed.
    await page.getByLabel(t.family.searchLabel).fill('zoe zimmer');
    await page.getByRole('button', { name: t.family.searchSubmit }).click();
    await page.waitForURL(/[?&]q=zoe/);
    assert.deepEqual(await page.locator('li[data-testid^="member-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))), ['member-famkid42']);
    assert.equal(await page.getByRole('navigation', { name: t.family.pagerLabel }).count(), 0);
    await checkPage(page, 'family page, searched');
    await page.getByRole('link', { name: t.family.searchClear }).click();
    await page.getByTestId('member-anna').waitFor();

    // Add a member by searching the accounts that could be added (kim is "Kim Nachbar").
    await page.getByLabel(t.family.candidateSearchLabel).fill('nachb');
    // Before the search answers, the first few candidates are shown (kim among them): wait for the answer.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="candidates"] button').length === 1, null, { timeout: 10_000 });
    const pick = page.getByTestId('candidates').getByRole('button', { name: /kim/ });
    assert.match((await pick.textContent()) ?? '', /kim \(Kim Nachbar\)/);
    await pick.click();
    assert.equal(await page.getByLabel(t.family.candidateSearchLabel).inputValue(), 'kim');
    await checkPage(page, 'family page, candidate search');
    await page.getByRole('button', { name: t.family.addSubmit }).click();
    await page
      .getByTestId('notice')
      .filter({ hasText: format(t.family.added, { user: 'kim' }) })
      .waitFor({ timeout: 30_000 });
    assert.ok(execFileSync('getent', ['group', 'jupyterhub'], { encoding: 'utf8' }).trim().split(':')[3]!.split(',').includes('kim'));
    assert.deepEqual(
      own.filter((p) => !/Failed to load resource/.test(p)),
      [],
      'no page errors or CSP violations',
    );
  } finally {
    for (const [file, content] of saved) fs.writeFileSync(file, content);
  }
});

/** The catalog's reason texts of a language, as patterns ({user} and the like match any text). */
function reasonPatterns(m: Messages): RegExp[] {
  const texts = [...Object.values(m.helperErrors), ...Object.values(m.family.errors), ...Object.values(m.errors)];
  return texts.map((x) => new RegExp(`^${x.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.+')}$`));
}

for (const width of [375, 1280]) {
  test(`the audit log in German (${width} px): one entry per change, the reason in German, codes only under Details`, async () => {
    const de = catalogs.de;
    // Changes the helper refuses, made by papa: the panel's own account, a sudoer, an account that does not exist.
    const mark = auditRows(env.db).lastAuditId();
    const papa = new PanelClient();
    assert.equal((await papa.login('papa', parents.papa)).status, 200);
    const tries = [
      ['DELETE', '/api/members/jupyterhub-panel', 'member_remove', 'jupyterhub-panel'],
      ['POST', '/api/members', 'member_add', 'sudoer'],
      ['POST', '/api/members', 'member_add', 'nosuchkid'],
    ] as const;
    for (const [method, path, , target] of tries) {
      const r = await papa.call(method, path, method === 'POST' ? { username: target } : undefined);
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path} ${target}: ${r.status} ${r.body}`);
    }
    const ctx = await newContext(browser, { locale: 'de-DE', width, height: 800 });
    const p = await ctx.newPage();
    try {
      await signIn(p, 'papa', de);
      await p.goto(`${env.panelUrl}/audit`);
      await p.getByRole('heading', { name: de.audit.heading, level: 1 }).waitFor();
      const entries = await p.getByTestId('audit-entry').evaluateAll((els) =>
        els.map((e) => ({
          id: Number(e.getAttribute('data-id')),
          action: e.getAttribute('data-action'),
          target: e.getAttribute('data-target'),
          phase: e.getAttribute('data-phase'),
          reason: e.querySelector('[data-testid="audit-reason"]')?.textContent ?? null,
          codes: e.querySelector('[data-testid="audit-codes"]')?.textContent ?? null,
          // Everything the entry shows but its details line.
          shown: [...e.childNodes]
            .filter((n) => !(n instanceof Element && n.getAttribute('data-testid') === 'audit-codes'))
            .map((n) => n.textContent ?? '')
            .join(' '),
        })),
      );
      const german = reasonPatterns(de);
      const english = reasonPatterns(t);
      for (const [, , action, target] of tries) {
        // This round's: each change wrote a start and an outcome row, and shows once.
        const mine = entries.filter((e) => e.id > mark && e.action === action && e.target === target);
        assert.equal(mine.length, 1, `one entry for ${action} ${target}: ${JSON.stringify(entries)}`);
        const e = mine[0]!;
        assert.equal(e.phase, 'done', `${action} ${target} shows its outcome`);
        const reason = (e.reason ?? '').replace(`${de.audit.error}:`, '').trim();
        assert.ok(
          german.some((r) => r.test(reason)),
          `a German reason for ${action} ${target}: ${reason}`,
        );
        assert.ok(!english.some((r) => r.test(reason)), `no English reason for ${action} ${target}: ${reason}`);
        // Raw codes (snake_case) and the helper's English sentence only in the details line.
        assert.doesNotMatch(e.shown, /\b[a-z]+_[a-z_]+\b|refused:|service account|Error:/, `${action} ${target}: ${e.shown}`);
        assert.match(e.codes ?? '', new RegExp(`^${de.audit.details}: [a-z_]+`), `${action} ${target} has its codes under Details`);
      }
      await checkPage(p, `audit (de, ${width} px)`);
    } finally {
      await ctx.close();
    }
  });
}

test('in German on a phone: family, onboarding and audit pages read in German and pass axe', async () => {
  const de = catalogs.de;
  const ctx = await newContext(browser, { locale: 'de-DE', width: 375, height: 740 });
  const p = await ctx.newPage();
  try {
    await signIn(p, 'papa', de);
    for (const [path, heading] of [
      ['/family', de.family.heading],
      ['/family/onboard', de.onboard.heading],
      ['/audit', de.audit.heading],
    ] as const) {
      await p.goto(`${env.panelUrl}${path}`);
      await p.getByRole('heading', { name: heading, level: 1 }).waitFor();
      const violations = await seriousAxeViolations(p);
      assert.deepEqual(
        violations.map((v) => v.id),
        [],
        `${path} (de)`,
      );
      assert.equal(await scrollsHorizontally(p), false, `${path} (de) scrolls sideways`);
    }
    // The suggested password reads whole in its field (the parent copies it onto the card).
    await p.goto(`${env.panelUrl}/family/onboard`);
    await p.getByRole('button', { name: de.onboard.suggestPassword }).click();
    await p.waitForFunction(() => ((document.getElementById('onboard-password') as HTMLInputElement | null)?.value ?? '').length > 0);
    const field = await p.locator('#onboard-password').evaluate((el: HTMLInputElement) => ({ value: el.value, type: el.type, scroll: el.scrollWidth, client: el.clientWidth }));
    assert.equal(field.type, 'text', 'a suggested password is shown');
    assert.ok(field.scroll <= field.client, `the password ${field.value} fits its field at 375 px (${field.scroll} > ${field.client} px)`);
  } finally {
    await ctx.close();
  }
});
