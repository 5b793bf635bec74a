// Issue 26 item 2: the overview says where the machine stands, with real apt and
// dpkg in the sandbox (no network; its overlays make every package change
// throwaway). test/integration/support/local-apt-repo.ts installs version 1.0 of
// two small packages and offers 1.1 of each, one from a suite labelled like
// Debian's security archive, one from an ordinary suite; apt sees only these.
// - GET /api/updates and the overview page (German, 375 px, axe) say one security
//   and one other update wait;
// - after `apt-get -y dist-upgrade` by root (as unattended-upgrades would) they say
//   "up to date", and the last upgrade names the 2 packages;
// - apt failing (a malformed sources file) shows as "could not check" with apt's
//   error under Details, never as "up to date";
// - Debian's /run/reboot-required marker shows "restart needed", naming the
//   packages under Details;
// - old code: the hub's own package changes under the running hub (dpkg-repack of
//   the installed jupyterhub, then dpkg -i of it: dpkg unpacks every file again, as
//   an upgrade does); the hub then runs old code, the panel and the helper do not;
//   after the panel restarts the hub it runs the current code again.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 test/integration/updates-status.test.ts
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { catalogs, format } from '../../lib/i18n/messages';
import { checkPage, launchBrowser, newContext, signIn } from '../browser/browser';
import { parents, requireSandboxHub } from '../sandbox/fixtures';
import { PanelClient } from '../sandbox/http';
import { OTHER_PACKAGE, REPO_ROOT, restore, run, SECURITY_PACKAGE, setUpLocalRepository } from './support/local-apt-repo';

requireSandboxHub('family');
const mama = new PanelClient();
const de = catalogs.de.updates;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let browser: Browser;

/** Polls the API until `ok` holds for its report (it answers within WAIT_MS, with the report it has while a new check runs). */
async function reportWhere(what: string, ok: (r: any) => boolean, ms = 90_000): Promise<any> {
  const deadline = Date.now() + ms;
  let last: any = null;
  for (;;) {
    const res = await mama.call('GET', '/api/updates');
    assert.equal(res.status, 200, res.body);
    last = res.json;
    if (last.report && !last.refreshing && ok(last.report)) return last.report;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last answer ${JSON.stringify(last)}`);
    await sleep(1000);
  }
}

const names = (list: { name: string }[]) => list.map((p) => p.name);
const service = (r: any, s: string) => r.services.list.find((x: any) => x.service === s);

before(async () => {
  setUpLocalRepository();
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  restore();
});

test('without a session the updates are not shown', async () => {
  const res = await new PanelClient().call('GET', '/api/updates');
  assert.equal(res.status, 401, res.body);
});

test('one security and one other update wait: the API and the overview in German on a phone say so', async () => {
  const r = await reportWhere('the two pending updates', (x) => x.pending.ok && x.pending.security.length + x.pending.other.length === 2);
  console.log(`the report took ${r.ms} ms (apt-get -s with the two test repositories' lists)`);
  assert.deepEqual(names(r.pending.security), [SECURITY_PACKAGE]);
  assert.deepEqual(names(r.pending.other), [OTHER_PACKAGE]);
  assert.equal(r.pending.security[0].from, '1.0');
  assert.equal(r.pending.security[0].to, '1.1');
  assert.equal(r.reboot.ok && r.reboot.required, false);

  const ctx = await newContext(browser, { locale: 'de-DE', width: 375, height: 800 });
  const page = await ctx.newPage();
  await signIn(page, 'mama', catalogs.de);
  const state = page.getByTestId('updates-state');
  await state.waitFor({ timeout: 30_000 });
  assert.equal(await state.getAttribute('data-state'), 'pending');
  assert.equal(await page.getByTestId('updates-security').textContent(), format(de.securityWaiting, { count: 1 }));
  assert.equal(await page.getByTestId('updates-other').textContent(), format(de.otherWaiting, { count: 1 }));
  await page.getByTestId('updates-details').locator('summary').click();
  assert.match((await page.getByTestId('updates-details').textContent()) ?? '', new RegExp(`${SECURITY_PACKAGE} 1\\.0 → 1\\.1 \\(Debian-Security`));
  await checkPage(page, 'overview with pending updates (de, 375 px)');
  await ctx.close();
});

test('after root runs apt-get dist-upgrade: up to date, and the last upgrade names the 2 packages', async () => {
  run('/usr/bin/apt-get', ['-y', '-q', 'dist-upgrade']);
  const r = await reportWhere('up to date', (x) => x.pending.ok && x.pending.security.length + x.pending.other.length === 0);
  assert.ok(r.lastUpgrade.ok, JSON.stringify(r.lastUpgrade));
  assert.deepEqual([...r.lastUpgrade.upgrade.packages].sort(), [OTHER_PACKAGE, SECURITY_PACKAGE].sort());
  assert.ok(Date.now() - Date.parse(r.lastUpgrade.upgrade.at) < 10 * 60_000, `the last upgrade is this one: ${r.lastUpgrade.upgrade.at}`);
});

test('the reboot-required marker shows as "restart needed" with its packages under Details, on the phone in German', async () => {
  fs.writeFileSync('/run/reboot-required', '*** System restart required ***\n');
  fs.writeFileSync('/run/reboot-required.pkgs', `${SECURITY_PACKAGE}\n${SECURITY_PACKAGE}\n`);
  const r = await reportWhere('the reboot marker', (x) => x.reboot.ok && x.reboot.required);
  assert.deepEqual(r.reboot.packages, [SECURITY_PACKAGE]);

  const ctx = await newContext(browser, { locale: 'de-DE', width: 375, height: 800 });
  const page = await ctx.newPage();
  await signIn(page, 'mama', catalogs.de);
  await page.getByTestId('updates-state').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('updates-state').getAttribute('data-state'), 'up_to_date');
  assert.equal(((await page.getByTestId('updates-state').textContent()) ?? '').trim(), de.upToDate);
  assert.equal(await page.getByTestId('updates-reboot').textContent(), de.rebootNeeded);
  await page.getByTestId('updates-details').locator('summary').click();
  assert.equal(await page.getByTestId('updates-reboot-packages').textContent(), format(de.detailsRebootPackages, { packages: SECURITY_PACKAGE }));
  await checkPage(page, 'overview up to date, restart needed (de, 375 px)');
  await ctx.close();
  fs.rmSync('/run/reboot-required');
  fs.rmSync('/run/reboot-required.pkgs');
  await reportWhere('the marker gone', (x) => x.reboot.ok && !x.reboot.required);
});

test('apt failing shows as "could not check" with apt’s error under Details, never as up to date', async () => {
  const broken = '/etc/apt/sources.list.d/jh4f-broken.list';
  fs.writeFileSync(broken, 'deb [trusted=yes file:/nowhere ./\n');
  try {
    const r = await reportWhere('apt to fail', (x) => !x.pending.ok);
    assert.match(r.pending.reason, /^E: .*jh4f-broken\.list/, r.pending.reason);
    const ctx = await newContext(browser, { locale: 'de-DE', width: 375, height: 800 });
    const page = await ctx.newPage();
    await signIn(page, 'mama', catalogs.de);
    const state = page.getByTestId('updates-state');
    await state.waitFor({ timeout: 30_000 });
    assert.equal(await state.getAttribute('data-state'), 'unknown');
    assert.equal(((await state.textContent()) ?? '').trim(), de.couldNotCheck);
    await page.getByTestId('updates-details').locator('summary').click();
    assert.ok(((await page.getByTestId('updates-details').textContent()) ?? '').includes(format(de.detailsReason, { reason: r.pending.reason })));
    await checkPage(page, 'overview, apt failing (de, 375 px)');
    await ctx.close();
  } finally {
    fs.rmSync(broken, { force: true });
  }
  await reportWhere('apt to answer again', (x) => x.pending.ok);
});

test('the hub runs old code after dpkg unpacks its package again; the panel and the helper do not; a restart of the hub clears it', async () => {
  const first = await reportWhere('the services checked', (x) => x.services.ok);
  assert.deepEqual(
    first.services.list.map((s: any) => [s.service, s.state]),
    [
      ['hub', 'current'],
      ['panel', 'current'],
      ['helper', 'current'],
    ],
    JSON.stringify(first.services),
  );
  // The start time's clock counts whole seconds of boot time: let the package change come clearly after the hub's start.
  await sleep(1500);
  const dir = `${REPO_ROOT}/repack`;
  fs.mkdirSync(dir, { recursive: true });
  run('/usr/bin/dpkg-repack', ['--tag=none', '-d', '-Zgzip', 'jupyterhub'], dir);
  const repacked = fs.readdirSync(dir).find((f) => /^jupyterhub_.*\.deb$/.test(f));
  assert.ok(repacked, `dpkg-repack made no .deb in ${dir}`);
  run('/usr/bin/dpkg', ['-i', `${dir}/${repacked}`]);

  const old = await reportWhere('the hub on old code', (x) => x.services.ok && service(x, 'hub')?.state === 'old');
  assert.ok(service(old, 'hub').changed.includes('jupyterhub'), JSON.stringify(service(old, 'hub')));
  assert.equal(service(old, 'panel').state, 'current');
  assert.equal(service(old, 'helper').state, 'current');

  const ctx = await newContext(browser, { locale: 'de-DE', width: 375, height: 800 });
  const page = await ctx.newPage();
  await signIn(page, 'mama', catalogs.de);
  const services = page.getByTestId('updates-services');
  await services.waitFor({ timeout: 30_000 });
  assert.equal(await services.getAttribute('data-old'), 'hub');
  assert.equal(await services.textContent(), format(de.oldCode, { services: de.service.hub }));
  await checkPage(page, 'overview, the hub on old code (de, 375 px)');
  await ctx.close();

  const restarted = await mama.call('POST', '/api/hub/restart', {});
  assert.equal(restarted.status, 200, restarted.body);
  const after = await reportWhere('the hub on current code', (x) => x.services.ok && service(x, 'hub')?.state === 'current');
  assert.deepEqual(service(after, 'hub').changed, []);
});
