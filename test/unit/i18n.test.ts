import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogs, de, en, format } from '../../lib/i18n/messages';
import { pickLocale } from '../../lib/i18n/locale';

function leaves(obj: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of leaves(value as object, path)) out.set(k, v);
  }
  return out;
}

test('German has exactly the keys English has, none empty, with the same placeholders', () => {
  const english = leaves(en);
  const german = leaves(de);
  assert.deepEqual([...german.keys()].sort(), [...english.keys()].sort());
  for (const [key, text] of english) {
    const other = german.get(key)!;
    assert.ok(text.trim() && other.trim(), `${key} is empty`);
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    assert.deepEqual(placeholders(other), placeholders(text), `${key}: placeholders differ`);
  }
  assert.deepEqual(Object.keys(catalogs).sort(), ['de', 'en']);
});

test('pickLocale follows Accept-Language quality values and falls back to English', () => {
  assert.equal(pickLocale('de-DE,de;q=0.9,en;q=0.8'), 'de');
  assert.equal(pickLocale('en-US,en;q=0.9,de;q=0.8'), 'en');
  assert.equal(pickLocale('fr-FR,de;q=0.5'), 'de');
  assert.equal(pickLocale('fr-FR'), 'en');
  assert.equal(pickLocale('de;q=0, en;q=0.1'), 'en');
  assert.equal(pickLocale(''), 'en');
  assert.equal(pickLocale(null), 'en');
  assert.equal(pickLocale('x'.repeat(100_000)), 'en');
});

test('format fills placeholders and leaves unknown ones visible', () => {
  assert.equal(format('Wait {seconds} s', { seconds: 30 }), 'Wait 30 s');
  assert.equal(format('Hello {name}', {}), 'Hello {name}');
});
