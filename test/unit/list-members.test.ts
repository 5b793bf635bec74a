// list-members' "packages installed" (privileged-helper/root/commands/list-members.ts):
// real folders and files of the account count, links never do (SECURITY-CASES 36).
// Fixture homes in a temporary folder, owned by the user running the test; the
// sandboxed test (test/integration/helper.test.ts) plants the links as a real kid.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ENTRY_POINTS, packagesInstalled } from '../../privileged-helper/agent/packages-installed';

const uid = process.getuid!();
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-list-members-'));
after(() => fs.rmSync(base, { recursive: true, force: true }));

let n = 0;
/** A fresh home; `layout` gets its path and makes ~/.local etc. */
function home(layout: (h: string) => void): string {
  const h = path.join(base, `home${n++}`);
  fs.mkdirSync(h);
  layout(h);
  return h;
}
const realInstall = (h: string) => {
  fs.mkdirSync(path.join(h, '.local/bin'), { recursive: true });
  for (const f of ENTRY_POINTS) fs.writeFileSync(path.join(h, '.local/bin', f), '#!/bin/sh\n');
};
// Somewhere else with the same layout, standing in for a folder only root may read.
const elsewhere = home(realInstall);

test('real entry points in real folders: installed', () => {
  assert.equal(packagesInstalled(home(realInstall), uid), true);
});

test('one entry point missing, no ~/.local, a relative or root home: not installed', () => {
  const oneMissing = home((h) => {
    realInstall(h);
    fs.rmSync(path.join(h, '.local/bin', ENTRY_POINTS[0]!));
  });
  assert.equal(packagesInstalled(oneMissing, uid), false);
  assert.equal(
    packagesInstalled(
      home(() => undefined),
      uid,
    ),
    false,
  );
  assert.equal(packagesInstalled('relative/home', uid), false);
  assert.equal(packagesInstalled('/', uid), false);
});

test('files and folders of another owner do not count', () => {
  assert.equal(packagesInstalled(home(realInstall), uid + 1), false);
});

test('a link anywhere on the way is not followed', () => {
  const cases: Record<string, (h: string) => void> = {
    'entry points -> a file': (h) => {
      fs.mkdirSync(path.join(h, '.local/bin'), { recursive: true });
      for (const f of ENTRY_POINTS) fs.symlinkSync(path.join(elsewhere, '.local/bin', f), path.join(h, '.local/bin', f));
    },
    '~/.local/bin -> a folder': (h) => {
      fs.mkdirSync(path.join(h, '.local'));
      fs.symlinkSync(path.join(elsewhere, '.local/bin'), path.join(h, '.local/bin'));
    },
    '~/.local -> a folder': (h) => fs.symlinkSync(path.join(elsewhere, '.local'), path.join(h, '.local')),
  };
  for (const [what, layout] of Object.entries(cases)) {
    assert.equal(packagesInstalled(home(layout), uid), false, what);
  }
  const linkedHome = path.join(base, 'linked-home');
  fs.symlinkSync(elsewhere, linkedHome);
  assert.equal(packagesInstalled(linkedHome, uid), false, 'home -> a folder');
});

test('a FIFO or a folder in place of an entry point is not a file (and opening nothing blocks)', () => {
  const h = home((x) => {
    fs.mkdirSync(path.join(x, '.local/bin'), { recursive: true });
    fs.mkdirSync(path.join(x, '.local/bin', ENTRY_POINTS[0]!));
  });
  assert.equal(packagesInstalled(h, uid), false);
  const fifoHome = home((x) => fs.mkdirSync(path.join(x, '.local')));
  // ~/.local/bin as a FIFO: opened as a folder, it fails at once instead of waiting for a writer.
  const r = spawnSync('/usr/bin/mkfifo', [path.join(fifoHome, '.local/bin')]);
  assert.equal(r.status, 0);
  assert.equal(packagesInstalled(fifoHome, uid), false);
});
