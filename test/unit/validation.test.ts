import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { addMemberSchema, fieldProblems, loginSchema, newPasswordSchema, onboardSchema, passwordSchema, setPasswordSchema, usernameSchema } from '../../lib/http/validation';

const table = JSON.parse(readFileSync(new URL('../fixtures/names.json', import.meta.url), 'utf8')) as {
  good: string[];
  bad: string[];
  fullNames: { good: string[]; bad: string[] };
};

test('usernameSchema agrees with the shared names table (good names)', () => {
  for (const name of table.good) assert.equal(usernameSchema.safeParse(name).success, true, JSON.stringify(name));
});

test('usernameSchema agrees with the shared names table (bad names)', () => {
  for (const name of table.bad) assert.equal(usernameSchema.safeParse(name).success, false, JSON.stringify(name));
});

test('usernameSchema refuses a 1 MB name and non-strings', () => {
  assert.equal(usernameSchema.safeParse('a'.repeat(1024 * 1024)).success, false);
  for (const v of [null, undefined, 42, ['anna'], { a: 1 }]) assert.equal(usernameSchema.safeParse(v).success, false);
});

test('onboardSchema full names agree with the shared table', () => {
  const base = { username: 'anna', password: 'longenough' };
  for (const fullName of table.fullNames.good) assert.equal(onboardSchema.safeParse({ ...base, fullName }).success, true, JSON.stringify(fullName));
  for (const fullName of table.fullNames.bad) assert.equal(onboardSchema.safeParse({ ...base, fullName }).success, false, JSON.stringify(fullName));
});

test('login refuses the case-5 names and says which field is wrong', () => {
  for (const username of ['alice\nbob', 'alice\tx', 'alice\u0000x']) {
    const r = loginSchema.safeParse({ username, password: 'x' });
    assert.equal(r.success, false);
    if (!r.success) assert.deepEqual(fieldProblems(r.error), { username: 'invalid_username' });
  }
});

test('login passwords: NUL, empty and over 1024 characters are refused; 1024 is fine', () => {
  assert.equal(passwordSchema.safeParse('secret\u0000anything').success, false);
  assert.equal(passwordSchema.safeParse('').success, false);
  assert.equal(passwordSchema.safeParse('x'.repeat(1025)).success, false);
  assert.equal(passwordSchema.safeParse('x'.repeat(1024)).success, true);
  assert.equal(passwordSchema.safeParse('with\nnewline and ünïcödé').success, true);
});

test('login refuses unknown keys and non-objects', () => {
  assert.equal(loginSchema.safeParse({ username: 'mama', password: 'x', admin: true }).success, false);
  assert.equal(loginSchema.safeParse('mama').success, false);
  assert.equal(loginSchema.safeParse(null).success, false);
});

test('new passwords: at least 8 characters, no line breaks (the helper reads one line)', () => {
  assert.equal(newPasswordSchema.safeParse('short').success, false);
  assert.equal(newPasswordSchema.safeParse('long enough').success, true);
  assert.equal(newPasswordSchema.safeParse('long\nenough').success, false);
  assert.equal(newPasswordSchema.safeParse('long\renough').success, false);
});

test('variants are picked from onboardSchema', () => {
  assert.deepEqual(Object.keys(addMemberSchema.shape), ['username']);
  assert.deepEqual(Object.keys(setPasswordSchema.shape), ['password']);
  assert.deepEqual(onboardSchema.parse({ username: 'kid', fullName: 'Kid', password: 'longenough' }).installPackages, true);
});
