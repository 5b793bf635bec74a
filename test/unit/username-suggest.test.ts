import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isValidUsername } from '../../lib/shared/username-rule';
import { FALLBACK_USERNAME, nameWords, suggestUsername, usernameCandidates } from '../../lib/family/username-suggest';

const none = () => false;
const takenFrom = (...names: string[]) => {
  const set = new Set(names);
  return (n: string) => set.has(n);
};

test('suggest: "Jürgen Müller" becomes juergen (first name, German transliteration)', () => {
  assert.equal(suggestUsername('Jürgen Müller', none), 'juergen');
});

test('suggest: German letters ä ö ü ß and capitals Ä Ö Ü', () => {
  assert.equal(suggestUsername('Bärbel', none), 'baerbel');
  assert.equal(suggestUsername('Jörg', none), 'joerg');
  assert.equal(suggestUsername('Ünal', none), 'uenal');
  assert.equal(suggestUsername('Ömer', none), 'oemer');
  assert.equal(suggestUsername('Änne', none), 'aenne');
  assert.equal(suggestUsername('Grießbach', none), 'griessbach');
  assert.equal(suggestUsername('ÄÖÜ', none), 'aeoeue');
});

test('suggest: a decomposed umlaut (u + combining diaeresis) is transliterated too', () => {
  assert.equal(suggestUsername('Ju\u0308rgen', none), 'juergen');
});

test('suggest: other accents are stripped', () => {
  assert.equal(suggestUsername('José García', none), 'jose');
  assert.equal(suggestUsername('François', none), 'francois');
  assert.equal(suggestUsername('Zoë', none), 'zoe');
  assert.equal(suggestUsername('Łukasz', none), 'lukasz');
  assert.equal(suggestUsername('Søren', none), 'soren');
  assert.equal(suggestUsername('Ångström', none), 'angstroem');
});

test('suggest: hyphenated first names stay together, apostrophes and spaces go', () => {
  assert.equal(suggestUsername('Anna-Lena Schmidt', none), 'anna-lena');
  assert.equal(suggestUsername("  O'Brien  ", none), 'o');
  assert.equal(suggestUsername('MAX', none), 'max');
});

test('suggest: collisions get the last-name initial, then the last name, then numbers', () => {
  assert.equal(suggestUsername('Jürgen Müller', takenFrom('juergen')), 'juergenm');
  assert.equal(suggestUsername('Jürgen Müller', takenFrom('juergen', 'juergenm')), 'juergenmueller');
  assert.equal(suggestUsername('Jürgen Müller', takenFrom('juergen', 'juergenm', 'juergenmueller')), 'juergen2');
  assert.equal(suggestUsername('Jürgen', takenFrom('juergen')), 'juergen2');
  assert.equal(suggestUsername('Jürgen', takenFrom('juergen', 'juergen2', 'juergen3')), 'juergen4');
});

test('suggest: names with nothing usable fall back to kid', () => {
  assert.equal(suggestUsername('Наташа', none), FALLBACK_USERNAME);
  assert.equal(suggestUsername('😀', none), FALLBACK_USERNAME);
  assert.equal(suggestUsername('', none), FALLBACK_USERNAME);
  assert.equal(suggestUsername('123', none), FALLBACK_USERNAME);
  assert.equal(suggestUsername('Наташа', takenFrom('kid')), 'kid2');
});

test('suggest: leading digits and hyphens are dropped so the name starts with a letter', () => {
  assert.equal(suggestUsername('2pac', none), 'pac');
  assert.equal(suggestUsername('-anna', none), 'anna');
});

test('suggest: long names are cut to 32 bytes, numbered ones too', () => {
  const long = 'Maximilianmaximilianmaximilianmaximilian Müller';
  const first = suggestUsername(long, none)!;
  assert.equal(first.length, 32);
  const taken = new Set(usernameCandidates(long).slice(0, 3));
  const numbered = suggestUsername(long, (n) => taken.has(n))!;
  assert.equal(numbered.length, 32);
  assert.match(numbered, /2$/);
});

test('suggest: null when every candidate is taken', () => {
  assert.equal(
    suggestUsername('Anna', () => true),
    null,
  );
});

test('suggest: every candidate is valid per lib/shared/username-rule.ts, for every full name of the shared table and more', () => {
  const table = JSON.parse(readFileSync(new URL('../fixtures/names.json', import.meta.url), 'utf8')) as {
    fullNames: { good: string[]; bad: string[] };
    good: string[];
    bad: string[];
  };
  const inputs = [
    ...table.fullNames.good,
    ...table.fullNames.bad,
    ...table.good,
    ...table.bad,
    'Jürgen Müller',
    '--help',
    '-G x',
    '..',
    'a:b',
    ' \t\n',
    'x'.repeat(5000),
    'ß'.repeat(40),
    '-a-b-',
    'a--b',
  ];
  for (const input of inputs) {
    const candidates = usernameCandidates(input);
    assert.ok(candidates.length >= 50, `candidates for ${JSON.stringify(input)}`);
    for (const c of candidates) assert.ok(isValidUsername(c), `${JSON.stringify(c)} from ${JSON.stringify(input)}`);
  }
});

test('nameWords: lower-case ASCII words', () => {
  assert.deepEqual(nameWords('Jürgen Müller'), ['juergen', 'mueller']);
  assert.deepEqual(nameWords('Anna-Lena  von Bülow'), ['anna-lena', 'von', 'buelow']);
});
