// "Make private" in a parent's browser, in German on a 375 px phone: an account
// added to the hub with an old 0755 home shows on its card that others on this
// computer can open its files; one press closes the home folder (0700) and the
// page says so. axe-clean, no sideways scrolling.
//
// Setup (test/sandbox/run.sh): papa (jupyterhub_adm); this file makes the account
// gast (home 0755) and removes it again at the end.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 test/browser/home-private.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { catalogs, format } from '../../lib/i18n/messages';
import { parents, sandboxEnv } from '../sandbox/fixtures';
import { PanelClient } from '../sandbox/http';
import { checkPage, launchBrowser, newContext, signIn } from './browser';
import { removeAccount } from './accounts';

const env = sandboxEnv();
const de = catalogs.de;
const KID = 'gast';
let browser: Browser;

before(async () => {
  removeAccount(KID);
  execFileSync('/usr/sbin/useradd', ['--create-home', '--comment', 'Gast Kind', KID], { stdio: 'pipe' });
  execFileSync('/usr/bin/chmod', ['0755', `/home/${KID}`]);
  const papa = new PanelClient();
  assert.equal((await papa.login('papa', parents.papa)).status, 200);
  const add = await papa.call('POST', '/api/members', { username: KID });
  assert.equal(add.status, 200, add.body);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  removeAccount(KID);
});

test('in German on a phone: the card says others can open the files; "Privat machen" closes the home', async () => {
  const ctx = await newContext(browser, { locale: 'de-DE', width: 375, height: 740 });
  const p = await ctx.newPage();
  try {
    await signIn(p, 'papa', de);
    await p.goto(`${env.panelUrl}/family?q=${KID}`);
    const card = p.getByTestId(`member-${KID}`);
    const warning = card.getByTestId('home-open');
    await warning.waitFor();
    assert.match((await warning.textContent()) ?? '', new RegExp(format(de.family.homeOpen, { name: 'Gast Kind' })));
    await checkPage(p, 'family page with an open home (de)');

    await warning.getByRole('button', { name: de.family.homeMakePrivate }).click();
    await p.getByTestId('notice').waitFor();
    assert.equal((await p.getByTestId('notice').textContent())?.trim(), format(de.family.homeMadePrivate, { user: KID }));
    assert.equal((fs.lstatSync(`/home/${KID}`).mode & 0o777).toString(8), '700');
    await p.goto(`${env.panelUrl}/family?q=${KID}`);
    await p.getByTestId(`member-${KID}`).waitFor();
    assert.equal(await p.getByTestId(`member-${KID}`).getByTestId('home-open').count(), 0, 'closed: the warning is gone');
    await checkPage(p, 'family page after making the home private (de)');
  } finally {
    await ctx.close();
  }
});
