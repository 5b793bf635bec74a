// Takes the README's screenshots from a fresh sandbox:
//   sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx scripts/screenshot.ts
// A parent signed in, on a phone-sized screen: the family page and the overview.
import path from 'node:path';
import { catalogs } from '../lib/i18n/messages';
import { launchBrowser, newContext } from '../test/browser/browser';
import { parents, sandboxEnv } from '../test/sandbox/fixtures';

async function main() {
  const env = sandboxEnv();
  const t = catalogs.en;
  const browser = await launchBrowser();
  try {
    const context = await newContext(browser, { width: 390, height: 844 });
    const page = await context.newPage();
    await page.goto(`${env.panelUrl}/`);
    await page.getByLabel(t.login.username).fill('mama');
    await page.getByLabel(t.login.password).fill(parents.mama);
    await page.getByRole('button', { name: t.login.submit }).click();
    await page.getByTestId('hub-state').waitFor({ timeout: 20_000 });
    const docs = path.resolve(__dirname, '..', 'docs');
    await page.screenshot({ path: path.join(docs, 'screenshot-overview.png'), fullPage: false });
    await page.goto(`${env.panelUrl}/family`);
    await page.getByTestId('member-anna').waitFor();
    await page.screenshot({ path: path.join(docs, 'screenshot.png'), fullPage: false });
    console.log(`screenshots written to ${docs}`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
