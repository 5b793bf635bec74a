// Issue 26 item 3: "Install updates now", with real apt, dpkg, the root helper and
// the panel in the sandbox (no network; its overlays make every package change
// throwaway). test/integration/support/local-apt-repo.ts installs 1.0 of two small
// packages and offers 1.1 of each, one from a suite labelled like Debian's security
// archive, one from an ordinary suite.
// - the helper refuses what it does not expect: another mode than the saved one,
//   "off", a package name as an operand, an unknown option; nothing changes;
// - security only (the saved mode): the overview's button (English, 375 px, axe)
//   upgrades the security package and leaves the other; the job's events show it
//   planned, unpacked and set up; the audit row names it;
// - all updates: the button (German, 375 px, axe) upgrades the other one; the
//   report then says up to date; the audit row names it;
// - a package whose postinst fails: the job fails with dpkg's message, the helper's
//   dpkg --configure -a leaves dpkg --audit clean; the audit row says failed;
// - updates off: the panel refuses (409), audited, nothing queued.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 test/integration/updates-install.test.ts
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { catalogs, format } from '../../lib/i18n/messages';
import { checkPage, launchBrowser, newContext, signIn } from '../browser/browser';
import { auditRows } from '../sandbox/audit-rows';
import { parents, requireSandboxHub, sandboxEnv } from '../sandbox/fixtures';
import { helperAs } from '../sandbox/helper-call';
import { PanelClient } from '../sandbox/http';
import { readJobEvents } from '../sandbox/job-events';
import { addBrokenUpgrade, BROKEN_PACKAGE, OTHER_PACKAGE, restore, run, SECURITY_PACKAGE, setUpLocalRepository } from './support/local-apt-repo';

requireSandboxHub('family');
const env = sandboxEnv();
const { lastAuditId, auditSince } = auditRows(env.db);
const mama = new PanelClient();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let browser: Browser;

const version = (pkg: string) => run('/usr/bin/dpkg-query', ['-W', '-f', '${Version}', pkg]);

async function setMode(mode: string): Promise<void> {
  const r = await mama.call('PUT', '/api/updates/mode', { mode });
  assert.equal(r.status, 200, r.body);
}

async function reportWhere(what: string, ok: (r: any) => boolean, ms = 90_000): Promise<any> {
  const deadline = Date.now() + ms;
  let last: any = null;
  for (;;) {
    const res = await mama.call('GET', '/api/updates');
    assert.equal(res.status, 200, res.body);
    last = res.json;
    if (last.report && !last.refreshing && ok(last.report)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last answer ${JSON.stringify(last)}`);
    await sleep(1000);
  }
}

const pendingCount = (x: any) => x.pending.security.length + x.pending.other.length;

before(async () => {
  setUpLocalRepository();
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
  await setMode('security');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await setMode('security').catch(() => undefined);
  restore();
});

test('the helper refuses any argument it does not expect, and changes nothing', () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['upgrade-system', '--mode', 'all', '--actor', 'mama'], 6, /"reason":"update_mode_mismatch"/],
    [['upgrade-system', '--mode', 'off', '--actor', 'mama'], 2, /"reason":"update_mode_invalid"/],
    [['upgrade-system', SECURITY_PACKAGE, '--mode', 'security', '--actor', 'mama'], 2, /"error":"usage"/],
    [['upgrade-system', '--mode', 'security', '--package', OTHER_PACKAGE, '--actor', 'mama'], 2, /"error":"usage"/],
    [['upgrade-system', '--mode', 'security'], 2, /"reason":"actor_missing"/],
    [['upgrade-system', '--mode', 'security', '--actor', 'anna'], 5, /"error":"protected_account"/],
  ];
  for (const [argv, exit, said] of cases) {
    const r = helperAs('jupyterhub-panel', argv);
    assert.equal(r.status, exit, `${argv.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, said, argv.join(' '));
  }
  assert.equal(version(SECURITY_PACKAGE), '1.0');
  assert.equal(version(OTHER_PACKAGE), '1.0');
});

test('security only: "Install updates now" on a phone upgrades the security package, not the other, with progress, audited', async () => {
  const en = catalogs.en.updates;
  await reportWhere('the two pending updates', (x) => x.pending.ok && pendingCount(x) === 2);
  const since = lastAuditId();
  const ctx = await newContext(browser, { locale: 'en-US', width: 375, height: 800 });
  const page = await ctx.newPage();
  await signIn(page, 'mama', catalogs.en);
  const button = page.getByRole('button', { name: en.install });
  await button.waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('updates-install').locator('p').first().textContent(), en.installHintSecurity);
  await checkPage(page, 'overview with the install button (en, 375 px)');
  await button.click();
  await page.locator('[data-testid="upgrade"][data-state="succeeded"]').waitFor({ timeout: 180_000 });
  assert.equal(await page.getByTestId('upgrade-done').locator('p').first().textContent(), en.installDone);
  await page.getByTestId('upgrade-details').locator('summary').click();
  assert.equal(await page.getByTestId('upgrade-packages').textContent(), format(en.installUpgraded, { packages: SECURITY_PACKAGE }));
  const steps = (await page.getByTestId('upgrade-steps').locator('li').allTextContents()).join('\n');
  assert.ok(steps.includes(format(en.installPhase_installing, { package: SECURITY_PACKAGE })), steps);
  assert.ok(steps.includes(format(en.installPhase_done, { package: SECURITY_PACKAGE })), steps);
  await checkPage(page, 'overview, updates installed (en, 375 px)');
  await ctx.close();

  assert.equal(version(SECURITY_PACKAGE), '1.1');
  assert.equal(version(OTHER_PACKAGE), '1.0', 'security only leaves the other update');
  const answer = await reportWhere('the other update still pending', (x) => x.pending.ok && pendingCount(x) === 1);
  assert.deepEqual(
    answer.report.pending.other.map((p: any) => p.name),
    [OTHER_PACKAGE],
  );
  const job = answer.upgrade;
  assert.equal(job.kind, 'system_upgrade');
  assert.equal(job.target, 'security');
  assert.deepEqual(job.upgraded, { [SECURITY_PACKAGE]: { from: '1.0', to: '1.1' } });
  // The stored events, replayed: planned, fetched (apt says Get: in the download
  // run and again in the install run), unpacked and set up, in that order.
  const events = await readJobEvents(mama, job.id);
  const phases = events.filter((e) => e.event === 'progress' && e.data.package === SECURITY_PACKAGE).map((e) => e.data.phase);
  assert.deepEqual(
    phases.filter((p, i) => p !== phases[i - 1]),
    ['collecting', 'downloading', 'installing', 'done'],
    JSON.stringify(events),
  );
  const rows = auditSince(since).filter((r) => r.action === 'system_upgrade');
  assert.deepEqual(
    rows.map((r) => [r.target, r.outcome, r.d.phase, r.d.mode]),
    [
      ['system', 'ok', 'start', 'security'],
      ['system', 'ok', 'done', 'security'],
    ],
  );
  assert.deepEqual(rows[1]!.d.upgraded, { [SECURITY_PACKAGE]: { from: '1.0', to: '1.1' } });
  assert.equal(rows[1]!.actor, 'mama');
});

test('all updates: the button in German on a phone upgrades the rest; then the overview says up to date', async () => {
  const de = catalogs.de.updates;
  await setMode('all');
  const since = lastAuditId();
  const ctx = await newContext(browser, { locale: 'de-DE', width: 375, height: 800 });
  const page = await ctx.newPage();
  await signIn(page, 'mama', catalogs.de);
  const button = page.getByRole('button', { name: de.install });
  await button.waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('updates-install').locator('p').first().textContent(), de.installHintAll);
  await button.click();
  await page.locator('[data-testid="upgrade"][data-state="succeeded"]').waitFor({ timeout: 180_000 });
  assert.equal(await page.getByTestId('upgrade-done').locator('p').nth(1).textContent(), format(de.installDoneCount, { count: 1 }));
  await page.locator('[data-testid="updates-state"][data-state="up_to_date"]').waitFor({ timeout: 60_000 });
  assert.equal(((await page.getByTestId('updates-state').textContent()) ?? '').trim(), de.upToDate);
  await checkPage(page, 'overview, all updates installed (de, 375 px)');
  await ctx.close();

  assert.equal(version(OTHER_PACKAGE), '1.1');
  const answer = await reportWhere('up to date', (x) => x.pending.ok && pendingCount(x) === 0);
  assert.deepEqual([...answer.report.lastUpgrade.upgrade.packages], [OTHER_PACKAGE]);
  const done = auditSince(since).filter((r) => r.action === 'system_upgrade' && r.d.phase === 'done');
  assert.equal(done.length, 1);
  assert.equal(done[0]!.outcome, 'ok');
  assert.deepEqual(done[0]!.d.upgraded, { [OTHER_PACKAGE]: { from: '1.0', to: '1.1' } });
});

test('a package whose postinst fails: the job fails with its message, and dpkg is left consistent', async () => {
  addBrokenUpgrade();
  await reportWhere('the broken package pending', (x) => x.pending.ok && pendingCount(x) === 1);
  const since = lastAuditId();
  const r = await mama.call('POST', '/api/updates/install', {});
  assert.equal(r.status, 202, r.body);
  const events = await readJobEvents(mama, r.json.jobId, 180_000);
  const end = events.at(-1)!;
  assert.equal(end.event, 'end');
  const job = end.data.job;
  assert.equal(job.state, 'failed', JSON.stringify(job));
  assert.match(job.error, /dpkg: error processing package jh4f-test-broken/, job.error);
  assert.ok(
    job.logTail.some((l: string) => l.includes('the test made this postinst fail')),
    job.logTail.join('\n'),
  );
  // The helper's dpkg --configure -a ran: nothing half-configured, apt usable.
  assert.equal(run('/usr/bin/dpkg', ['--audit']).trim(), '');
  assert.equal(run('/usr/bin/dpkg-query', ['-W', '-f', '${db:Status-Abbrev}${Version}', BROKEN_PACKAGE]).trim(), 'ii 1.1');
  run('/usr/bin/apt-get', ['check', '-q']);
  const done = auditSince(since).filter((x) => x.action === 'system_upgrade' && x.d.phase === 'done');
  assert.equal(done.length, 1);
  assert.equal(done[0]!.outcome, 'failed');
  assert.match(done[0]!.error ?? '', /jh4f-test-broken/);
});

test('updates off: "Install updates now" is refused, audited, and nothing is queued', async () => {
  await setMode('off');
  const since = lastAuditId();
  const r = await mama.call('POST', '/api/updates/install', {});
  assert.equal(r.status, 409, r.body);
  assert.equal(r.json.error, 'conflict');
  const rows = auditSince(since).filter((x) => x.action === 'system_upgrade');
  assert.deepEqual(
    rows.map((x) => x.outcome),
    ['refused'],
  );
  const answer = await mama.call('GET', '/api/updates');
  assert.notEqual(answer.json.upgrade?.state, 'queued');
});
