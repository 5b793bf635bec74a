// Runs after the sandboxed tests, outside the sandbox, on the host itself.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { snapshot } from './snapshot';

test("a full test run leaves the host's /etc/passwd, /etc/group, /etc/shadow, /home, install paths and /tmp unchanged", () => {
  const beforeFile = process.env.JH4F_HOST_BEFORE;
  assert.ok(beforeFile, 'JH4F_HOST_BEFORE must name the snapshot taken before the run (scripts/test.sh sets it)');
  const before = JSON.parse(fs.readFileSync(beforeFile, 'utf8'));
  const after = snapshot();
  // The sandbox created accounts (mama, anna, jupyterhub-panel, kids made by onboarding)
  // and installed the panel: none of it may show here.
  assert.deepEqual(after.files, before.files);
  assert.deepEqual(after.trees, before.trees);
  assert.deepEqual(after.tmp, before.tmp, "an account other than root left something in the host's /tmp");
});
