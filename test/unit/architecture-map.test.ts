// docs/ARCHITECTURE.md opens with a map of the folders; a new developer reads it
// first, so it must name every folder the code has and no folder it lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
const map = doc.slice(doc.indexOf('## Map'), doc.indexOf('One request, a parent adds a kid'));

function folders(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('__'))
    .map((e) => e.name);
}

test('the map names every folder of the code, one level down in each part', () => {
  assert.ok(map.length > 1000, 'the map section was found');
  const missing: string[] = [];
  for (const top of ['app', 'server', 'lib', 'privileged-helper', 'system', 'scripts', 'test', 'bench']) {
    if (!map.includes(`\`${top}/`)) missing.push(`${top}/`);
  }
  // lib/ and privileged-helper/ by their full path, the others by the folder's own name in their row.
  for (const dir of folders('lib')) if (!map.includes(`\`lib/${dir}/\``)) missing.push(`lib/${dir}/`);
  for (const dir of folders('privileged-helper')) if (!map.includes(`\`${dir}/\``)) missing.push(`privileged-helper/${dir}/`);
  for (const dir of folders('test')) if (!map.includes(`\`${dir}/\``)) missing.push(`test/${dir}/`);
  assert.deepEqual(missing, [], 'folders the map of docs/ARCHITECTURE.md does not name');
});

test('every lib/ folder the map names exists', () => {
  const named = [...map.matchAll(/`(lib\/[a-z0-9-]+\/)`/g)].map((m) => m[1]!);
  assert.ok(named.length >= 10);
  assert.deepEqual(
    named.filter((p) => !existsSync(join(ROOT, p))),
    [],
  );
});
