// The limits rule (lib/shared/limits-rule.ts): the shared cases of
// test/fixtures/limits-cases.json (test/python/test_limits.py runs them against
// the hub's side), and what the helper and the panel refuse.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import {
  effectiveLimits,
  LimitsError,
  machineDefaults,
  memTotalMiB,
  parseCpuWeight,
  parseLimitsFile,
  parseMemoryMiB,
  parseTarget,
  renderLimitsFile,
  type LimitsRole,
} from '../../lib/shared/limits-rule';
import { isValidUsername } from '../../lib/shared/username-rule';

const CASES = JSON.parse(fs.readFileSync(new URL('../fixtures/limits-cases.json', import.meta.url), 'utf8')) as {
  defaults: { totalMiB: number; kids: unknown; parents: unknown }[];
  effective: { file: unknown; user: string; role: LimitsRole; totalMiB: number; want: unknown }[];
  brokenFiles: string[];
};

test('the machine defaults: half the memory for a kid, three quarters for a parent', () => {
  for (const c of CASES.defaults) assert.deepEqual(machineDefaults(c.totalMiB), { kids: c.kids, parents: c.parents }, String(c.totalMiB));
});

test('a server gets the user own figure, else the family, else the machine', () => {
  for (const c of CASES.effective) {
    const file = c.file === null ? null : parseLimitsFile(JSON.stringify(c.file));
    assert.deepEqual(effectiveLimits(file, c.user, c.role, c.totalMiB), c.want, JSON.stringify(c));
  }
});

test('a file that is not ours is refused as a whole', () => {
  for (const text of CASES.brokenFiles)
    assert.throws(
      () => parseLimitsFile(text),
      (e: unknown) => e instanceof LimitsError && e.reason === 'limits_file_broken',
      text,
    );
});

test('memory: whole MiB, at least 256, at most the machine', () => {
  assert.equal(parseMemoryMiB('2048', 8192), 2048);
  assert.equal(parseMemoryMiB(8192, 8192), 8192);
  const reason = (v: unknown) => {
    try {
      parseMemoryMiB(v, 8192);
      return 'accepted';
    } catch (e) {
      return (e as LimitsError).reason;
    }
  };
  assert.equal(reason('8193'), 'limits_memory_too_large');
  assert.equal(reason(255), 'limits_memory_too_small');
  for (const bad of ['2G', '-1', '1e3', ' 512', 1.5, null, true, '99999999999']) assert.equal(reason(bad), 'limits_memory_invalid', String(bad));
});

test('CPU weight: 1 to 10000', () => {
  assert.equal(parseCpuWeight('100'), 100);
  for (const bad of ['0', '10001', 'high', 2.5, '']) assert.throws(() => parseCpuWeight(bad), /CPU weight/, String(bad));
});

test('targets: kids, parents or kid:NAME with a valid name', () => {
  assert.deepEqual(parseTarget('kids', isValidUsername), { kind: 'role', role: 'kids' });
  assert.deepEqual(parseTarget('kid:anna', isValidUsername), { kind: 'user', user: 'anna' });
  for (const bad of ['anna', 'kid:', 'kid:../x', 'kid:Anna Lee', 'everyone']) assert.throws(() => parseTarget(bad, isValidUsername), /kids, parents or kid:NAME/, bad);
});

test('rendering keeps the other entries, removes an emptied one, and round-trips', () => {
  const a = renderLimitsFile(null, { kind: 'role', role: 'kids' }, { memoryMiB: 2048 });
  const b = renderLimitsFile(parseLimitsFile(a), { kind: 'user', user: 'anna' }, { memoryMiB: 3072, cpuWeight: 50 });
  const parsed = parseLimitsFile(b);
  assert.deepEqual(parsed.kids, { memoryMiB: 2048 });
  assert.deepEqual(parsed.users.anna, { memoryMiB: 3072, cpuWeight: 50 });
  const c = renderLimitsFile(parsed, { kind: 'user', user: 'anna' }, { memoryMiB: null, cpuWeight: null });
  assert.equal(Object.hasOwn(parseLimitsFile(c).users, 'anna'), false);
  assert.equal(c, a);
});

test('MemTotal from /proc/meminfo', () => {
  assert.equal(memTotalMiB('MemTotal:        8048828 kB\nMemFree: 1 kB\n'), 7860);
  assert.equal(memTotalMiB('MemFree: 1 kB\n'), null);
});
