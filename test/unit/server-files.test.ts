// The list of node_modules files the set-up command and the package install
// (scripts/server-files.mjs): what the production server loads is in it, what only
// the build uses is not. Needs the build (`system/install.sh --prepare` makes it).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const REPO = path.resolve(import.meta.dirname, '..', '..');

test('the shipped node_modules: the server, Next in production, the native modules; no compiler, no sharp', () => {
  assert.ok(fs.existsSync(path.join(REPO, '.next', 'next-server.js.nft.json')), 'no build: run system/install.sh --prepare');
  const out = execFileSync(process.execPath, [path.join(REPO, 'scripts', 'server-files.mjs'), REPO], { encoding: 'utf8' });
  const files = out.trim().split('\n');
  for (const needed of [
    'node_modules/next/dist/server/next.js',
    'node_modules/next/dist/server/next-server.js',
    'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    'node_modules/node-linux-pam/package.json',
    'node_modules/node-linux-pam/build/Release/node-linux-pam.node',
    'node_modules/bindings/bindings.js',
    'node_modules/react/package.json',
  ]) {
    assert.ok(files.includes(needed), `${needed} is missing from the list`);
  }
  for (const f of files) {
    assert.match(f, /^node_modules\//);
    assert.doesNotMatch(f, /^node_modules\/(@next\/swc-|@img\/|sharp\/|typescript\/|tailwindcss\/)/, f);
    assert.ok(fs.lstatSync(path.join(REPO, f)), `${f} does not exist`);
  }
  const bytes = files.reduce((sum, f) => sum + fs.lstatSync(path.join(REPO, f)).size, 0);
  // Not a speed figure: the whole production node_modules is over 250 MiB, the
  // traced server under 60 (the package's installed-size goal).
  assert.ok(bytes < 60 * 1024 * 1024, `${(bytes / 1048576).toFixed(1)} MiB`);
});
