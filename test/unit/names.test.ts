import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fullNameProblem, isValidFullName, isValidUsername, usernameProblem, USERNAME_MAX_BYTES } from '../../lib/shared/username-rule';

const table = JSON.parse(readFileSync(new URL('../fixtures/names.json', import.meta.url), 'utf8')) as {
  good: string[];
  bad: string[];
  fullNames: { good: string[]; bad: string[] };
};

test('the shared table has both kinds of user names', () => {
  assert.ok(table.good.length >= 5);
  assert.ok(table.bad.length >= 20);
});

for (const name of table.good) {
  test(`user name ${JSON.stringify(name)} is accepted`, () => {
    assert.equal(isValidUsername(name), true);
    assert.equal(usernameProblem(name), null);
  });
}

for (const name of table.bad) {
  test(`user name ${JSON.stringify(name)} is refused`, () => {
    assert.equal(isValidUsername(name), false);
    assert.equal(typeof usernameProblem(name), 'string');
  });
}

test('a 32-byte name is the longest accepted, 33 bytes is refused', () => {
  assert.equal(isValidUsername('a'.repeat(USERNAME_MAX_BYTES)), true);
  assert.equal(isValidUsername('a'.repeat(USERNAME_MAX_BYTES + 1)), false);
});

test('a 1 MB and a 10 MB name are refused quickly', () => {
  const started = performance.now();
  assert.equal(isValidUsername('a'.repeat(1024 * 1024)), false);
  assert.equal(isValidUsername('a'.repeat(10 * 1024 * 1024)), false);
  assert.equal(fullNameProblem('a'.repeat(10 * 1024 * 1024)) !== null, true);
  assert.ok(performance.now() - started < 200);
});

test('non-strings are refused', () => {
  for (const v of [undefined, null, 1, {}, ['anna'], true]) {
    assert.equal(isValidUsername(v), false);
    assert.equal(isValidFullName(v), false);
  }
});

for (const name of table.fullNames.good) {
  test(`full name ${JSON.stringify(name)} is accepted`, () => {
    assert.equal(fullNameProblem(name), null);
    assert.equal(isValidFullName(name), true);
  });
}

for (const name of table.fullNames.bad) {
  test(`full name ${JSON.stringify(name)} is refused`, () => {
    assert.equal(typeof fullNameProblem(name), 'string');
    assert.equal(isValidFullName(name), false);
  });
}

test('full names count characters, not UTF-16 units or bytes', () => {
  assert.equal(isValidFullName('\u00fc'.repeat(100)), true); // 200 UTF-8 bytes
  assert.equal(isValidFullName('\ud83d\ude00'.repeat(100)), true); // 200 UTF-16 units
  assert.equal(isValidFullName('\ud83d\ude00'.repeat(101)), false);
});
