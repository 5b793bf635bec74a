// Issue 16 items 3-5 in a parent's browser: the family page in German on a 375 px
// phone shows each kid's disk use (measured in the background: the first visit
// says "wird gemessen …", a later one the size), the free space of /home and the
// idle-stop setting; papa changes the setting from the phone (saved, audited) and
// the page passes axe with no sideways scrolling.
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/browser/upkeep.test.ts
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { catalogs, format } from '../../lib/i18n/messages';
import { sandboxEnv } from '../sandbox/fixtures';
import { launchBrowser, newContext, scrollsHorizontally, seriousAxeViolations, signIn, watchConsole } from './browser';

assert.equal(process.env.JH4F_SANDBOX, '1', 'upkeep.test.ts runs only inside the sandbox (bash test/sandbox/run.sh ...)');
const env = sandboxEnv();
const de = catalogs.de;
let browser: Browser;

function idleSetting(): { value: string; by: string | null } | null {
  const db = new Database(env.db, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT value, updated_by FROM family_settings WHERE key = 'idle_stop_minutes'").get() as { value: string; updated_by: string | null } | undefined;
    return row ? { value: row.value, by: row.updated_by } : null;
  } finally {
    db.close();
  }
}

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('in German on a phone: disk use per kid, free space of /home and the idle setting, axe-clean', async () => {
  const ctx = await newContext(browser, { locale: 'de-DE', width: 375, height: 740 });
  const p = await ctx.newPage();
  const problems = watchConsole(p);
  try {
    await signIn(p, 'papa', de);

    await p.goto(`${env.panelUrl}/family`);
    await p.getByRole('heading', { name: de.upkeep.heading, level: 2 }).waitFor();
    assert.match(await p.getByTestId('home-free').innerText(), /^Freier Platz in \/home: [0-9,]+\s[kMGT]?B von [0-9,]+\s[kMGT]?B$/);

    // The measurement runs in the background; a later visit shows anna's size (German number format).
    const anna = p.getByTestId('member-anna').getByTestId('disk-use');
    const deadline = Date.now() + 60_000;
    while ((await anna.getAttribute('data-bytes')) === null) {
      assert.ok(Date.now() < deadline, `anna's disk use never showed: ${await anna.innerText()}`);
      assert.match(await anna.innerText(), new RegExp(`^(${de.upkeep.diskMeasuring}|${de.upkeep.diskFailed})$`));
      await p.waitForTimeout(1000);
      await p.reload();
    }
    assert.match(await anna.innerText(), /^[0-9,]+\s[kMGT]?B$/);

    const select = p.getByLabel(de.upkeep.idleLabel);
    assert.equal(await select.inputValue(), '180', 'the default: 3 hours');
    assert.equal(await p.getByRole('option', { name: format(de.upkeep.idleHours, { hours: 3 }) }).count(), 1);
    assert.equal(await p.getByRole('option', { name: de.upkeep.idleNever }).count(), 1);

    const violations = await seriousAxeViolations(p);
    assert.deepEqual(
      violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      [],
      'family page (de) with disk use and idle setting',
    );
    assert.equal(await scrollsHorizontally(p), false, 'family page (de) scrolls sideways at 375 px');

    await select.selectOption('360');
    await p.getByRole('button', { name: de.upkeep.idleSave, exact: true }).click();
    await p.getByTestId('idle-status').getByText(de.upkeep.idleSaved).waitFor();
    assert.deepEqual(idleSetting(), { value: '360', by: 'papa' });
    await p.reload();
    assert.equal(await p.getByLabel(de.upkeep.idleLabel).inputValue(), '360', 'kept after a reload');

    await p.getByLabel(de.upkeep.idleLabel).selectOption('180');
    await p.getByRole('button', { name: de.upkeep.idleSave, exact: true }).click();
    await p.getByTestId('idle-status').getByText(de.upkeep.idleSaved).waitFor();
    assert.deepEqual(idleSetting(), { value: '180', by: 'papa' });
    assert.deepEqual(
      problems.filter((m) => !/Failed to load resource/.test(m)),
      [],
      'no page errors or CSP violations',
    );
  } finally {
    await ctx.close();
  }
});
