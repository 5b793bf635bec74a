import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passphraseEntropyBits, PASSPHRASE_WORDS, suggestPassphrase, WORDS } from '../../lib/family/passphrase';
import { newPasswordSchema } from '../../lib/http/validation';

test('passphrase: the word list is distinct, short lower-case ASCII words', () => {
  assert.equal(new Set(WORDS).size, WORDS.length, 'no duplicates');
  for (const w of WORDS) assert.match(w, /^[a-z]{3,8}$/);
});

test('passphrase: a suggestion carries at least 40 bits', () => {
  assert.ok(passphraseEntropyBits() >= 40, `only ${passphraseEntropyBits().toFixed(1)} bits`);
});

test('passphrase: 4 words from the list joined by "-", then a digit', () => {
  for (let i = 0; i < 200; i++) {
    const p = suggestPassphrase();
    const m = /^([a-z]+(?:-[a-z]+){3})([0-9])$/.exec(p);
    assert.ok(m, p);
    const words = m[1]!.split('-');
    assert.equal(words.length, PASSPHRASE_WORDS);
    for (const w of words) assert.ok(WORDS.includes(w), w);
    assert.equal(newPasswordSchema.safeParse(p).success, true, 'the panel accepts its own suggestion');
  }
});

test('passphrase: uses the random source it is given (crypto.randomInt by default)', () => {
  const picks = [0, 1, 2, 3, 7];
  let i = 0;
  const p = suggestPassphrase((max) => {
    const v = picks[i++]!;
    assert.ok(v < max);
    return v;
  });
  assert.equal(p, `${WORDS[0]}-${WORDS[1]}-${WORDS[2]}-${WORDS[3]}7`);
});

test('passphrase: suggestions differ', () => {
  const seen = new Set(Array.from({ length: 100 }, () => suggestPassphrase()));
  assert.ok(seen.size >= 99);
});
