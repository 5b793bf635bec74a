// Issue 26 item 1 in a parent's browser: the family page in German on a 375 px
// phone shows the Updates section (security updates only, the default; the note
// that without systemd nothing runs them at night; the file under "Details");
// choosing "off" shows its warning before anything is saved; papa saves "all
// updates" and then security again from the phone (the drop-in on disk follows),
// and the page passes axe with no sideways scrolling.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/browser/updates-setting.test.ts
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { catalogs } from '../../lib/i18n/messages';
import { sandboxEnv } from '../sandbox/fixtures';
import { checkPage, launchBrowser, openWatchedPage, signIn } from './browser';

assert.equal(process.env.JH4F_SANDBOX, '1', 'updates-setting.test.ts runs only inside the sandbox (bash test/sandbox/run.sh ...)');
const env = sandboxEnv();
const de = catalogs.de.updateSettings;
const FILE = '/etc/apt/apt.conf.d/52jupyterhub4family-updates';
const modeOnDisk = () => /^\/\/ jupyterhub4family: mode=([a-z]+)\n/.exec(fs.readFileSync(FILE, 'utf8'))?.[1];
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('in German on a phone: the Updates setting, its warning for "off", saved through the helper, axe-clean', async () => {
  const { context, page: p, problems } = await openWatchedPage(browser, { locale: 'de-DE' });
  try {
    assert.equal(modeOnDisk(), 'security', 'the set-up wrote the default');
    await signIn(p, 'papa', catalogs.de);
    await p.goto(`${env.panelUrl}/family`);
    const section = p.getByTestId('updates');
    await section.getByRole('heading', { name: de.heading, level: 2 }).waitFor();
    const group = section.getByRole('group', { name: de.label });
    assert.equal(await group.getByRole('radio', { name: de.security, exact: true }).isChecked(), true, 'the default: security updates only');
    assert.equal(await group.getByRole('radio').count(), 3);
    assert.equal(await section.getByTestId('updates-no-systemd').innerText(), de.noSystemd);
    assert.equal(await section.getByTestId('updates-off-warning').count(), 0, 'no warning while "off" is not chosen');
    await section.getByText(de.details, { exact: true }).click();
    await section.getByText(FILE).waitFor();

    // "Off": the warning shows before saving, and is part of what axe checks.
    await group.getByRole('radio', { name: de.off, exact: true }).check();
    assert.equal(await section.getByTestId('updates-off-warning').innerText(), de.offWarning);
    await checkPage(p, 'family page (de) with the Updates setting and its warning');
    assert.equal(modeOnDisk(), 'security', 'nothing saved before Save');

    await group.getByRole('radio', { name: de.all, exact: true }).check();
    assert.equal(await section.getByTestId('updates-off-warning').count(), 0);
    await section.getByRole('button', { name: de.save }).click();
    await section.getByTestId('updates-status').getByText(de.saved).waitFor();
    assert.equal(modeOnDisk(), 'all');
    await p.reload();
    assert.equal(await p.getByTestId('updates').getByRole('radio', { name: de.all, exact: true }).isChecked(), true, 'read back from the file after a reload');

    await p.getByTestId('updates').getByRole('radio', { name: de.security, exact: true }).check();
    await p.getByTestId('updates').getByRole('button', { name: de.save }).click();
    await p.getByTestId('updates').getByTestId('updates-status').getByText(de.saved).waitFor();
    assert.equal(modeOnDisk(), 'security');
    assert.deepEqual(problems, [], 'no page errors, CSP violations or failed responses');
  } finally {
    await context.close();
  }
});
