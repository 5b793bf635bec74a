// Issue 30 item 2 in a parent's browser: the family page in German on a 375 px
// phone shows "Speicher und Prozessor" with the kids' and the parents' defaults
// (from the machine's size while nothing is set); papa sets the kids' memory from
// the phone and one kid's own limit on her card (the file on disk follows), and
// the page passes axe with no sideways scrolling.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/browser/limits.test.ts
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { catalogs } from '../../lib/i18n/messages';
import { sandboxEnv } from '../sandbox/fixtures';
import { checkPage, launchBrowser, openWatchedPage, signIn } from './browser';

assert.equal(process.env.JH4F_SANDBOX, '1', 'limits.test.ts runs only inside the sandbox (bash test/sandbox/run.sh ...)');
const env = sandboxEnv();
const de = catalogs.de.limits;
const FILE = '/etc/jupyterhub4family/limits.json';
const onDisk = () => (fs.existsSync(FILE) ? JSON.parse(fs.readFileSync(FILE, 'utf8')) : null);
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  fs.rmSync(FILE, { force: true });
});

test('in German on a phone: the kids’ default and one kid’s own limit, saved through the helper, axe-clean', async () => {
  const { context, page: p, problems } = await openWatchedPage(browser, { locale: 'de-DE' });
  try {
    fs.rmSync(FILE, { force: true });
    await signIn(p, 'papa', catalogs.de);
    await p.goto(`${env.panelUrl}/family?q=anna`);
    const section = p.getByTestId('limits');
    await section.getByRole('heading', { name: de.heading, level: 2 }).waitFor();
    const kids = section.getByTestId('limits-kids');
    const memory = kids.getByRole('group', { name: de.kidsLegend }).getByLabel(de.memoryLabel);
    assert.match(await memory.locator('option:checked').innerText(), /^Standard \(/, 'nothing set: the default');
    await checkPage(p, 'family page (de) with the limits section');

    await memory.selectOption({ label: '1 GiB' });
    await kids.getByRole('button', { name: de.save }).click();
    await kids.getByTestId('limits-kids-status').getByText(de.saved).waitFor();
    assert.deepEqual(onDisk()?.kids, { memoryMiB: 1024 });

    const card = p.getByTestId('member-anna');
    await card.getByText(de.change, { exact: true }).click();
    const own = card.getByTestId('limits-kid');
    await own.getByLabel(de.memoryLabel).selectOption({ label: '512 MiB' });
    await own.getByLabel(de.cpuLabel).selectOption({ label: de.cpuLow });
    await checkPage(p, 'family page (de) with a kid’s own limit open');
    await own.getByRole('button', { name: de.save }).click();
    await own.getByTestId('limits-kid-status').getByText(de.saved).waitFor();
    assert.deepEqual(onDisk()?.users, { anna: { memoryMiB: 512, cpuWeight: 50 } });
    await p.reload();
    await p.getByTestId('member-anna').getByText('höchstens 512 MiB, Prozessor gering (eigene Grenze)').waitFor();
    assert.deepEqual(problems, [], 'no page errors, CSP violations or failed responses');
  } finally {
    await context.close();
  }
});
