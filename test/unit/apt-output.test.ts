// lib/jobs/apt-output.ts: apt's and dpkg's lines as "Install updates now" progress.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressFromAptLine, progressFromUpgradeStep } from '../../lib/jobs/apt-output';
import { upgradedOf } from '../../lib/helper/commands';

test("the helper's plan names the packages it chose; other objects are no plan", () => {
  assert.deepEqual(progressFromUpgradeStep({ step: 'plan', packages: ['libssl3t64:amd64', 'tzdata', 7] }), [
    { phase: 'collecting', package: 'libssl3t64' },
    { phase: 'collecting', package: 'tzdata' },
  ]);
  assert.deepEqual(progressFromUpgradeStep({ step: 'download' }), []);
  assert.deepEqual(progressFromUpgradeStep(null), []);
});

test("apt's Get lines, dpkg's Unpacking and Setting up lines; anything else says nothing", () => {
  assert.deepEqual(progressFromAptLine('Get:1 http://deb.debian.org/debian-security trixie-security/main amd64 libssl3t64 amd64 3.5.1-1+deb13u1 [2,345 kB]'), [
    { phase: 'downloading', package: 'libssl3t64', bytes: 2345000 },
  ]);
  assert.deepEqual(progressFromAptLine('Unpacking libssl3t64:amd64 (3.5.1-1+deb13u1) over (3.5.1-1) ...'), [{ phase: 'installing', package: 'libssl3t64', version: '3.5.1-1+deb13u1' }]);
  assert.deepEqual(progressFromAptLine('Setting up jh4f-test-feature (1.1) ...'), [{ phase: 'done', package: 'jh4f-test-feature', version: '1.1' }]);
  for (const line of [
    'Reading package lists...',
    'Preparing to unpack .../tzdata_2025b-1_all.deb ...',
    'E: Sub-process /usr/bin/dpkg returned an error code (1)',
    'Unpacking -rf (1) over (0)',
  ]) {
    assert.deepEqual(progressFromAptLine(line), [], line);
  }
});

test("upgrade-system's answer is read field by field", () => {
  assert.deepEqual(upgradedOf({ a: { from: '1.0', to: '1.1' }, b: { from: null, to: '2' }, c: { to: 3 }, d: 'x' }), { a: { from: '1.0', to: '1.1' }, b: { from: null, to: '2' } });
  assert.deepEqual(upgradedOf(['a']), {});
});
