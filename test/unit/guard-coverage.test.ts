// Every route handler is a public endpoint: each state-changing
// one must be built with lib/http/guard.ts (guarded / publicMutation),
// each read with guardedRead unless it is on the short public list.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const APP = path.resolve(__dirname, '..', '..', 'app');
/** Reads that need no session. */
const PUBLIC_READS = new Set(['api/health']);

function files(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files(full, out);
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(full);
  }
  return out;
}

test('every mutating route handler goes through the guard', () => {
  const routes = files(APP).filter((f) => path.basename(f) === 'route.ts');
  assert.ok(routes.length > 0);
  for (const file of routes) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(APP, path.dirname(file));
    for (const m of text.matchAll(/export\s+(async\s+function|function|const)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b(.*)/g)) {
      const [, kind, method, rest = ''] = m;
      const where = `${rel} ${method}`;
      if (method === 'GET' || method === 'HEAD') {
        if (PUBLIC_READS.has(rel)) continue;
        assert.ok(kind === 'const' && /^\s*=\s*guardedRead\(/.test(rest), `${where} must be guardedRead(...)`);
      } else {
        assert.ok(kind === 'const' && /^\s*=\s*(guarded|publicMutation)\(/.test(rest), `${where} must be guarded(...) or publicMutation(...)`);
      }
    }
    // A handler defined any other way (export { x as POST }, default exports) is not allowed either.
    assert.doesNotMatch(text, /export\s*\{[^}]*\bas\s+(POST|PUT|PATCH|DELETE|GET)\b/, `${rel}: re-exported handler`);
  }
});

test('publicMutation is used only by the login route', () => {
  for (const file of files(APP).filter((f) => path.basename(f) === 'route.ts')) {
    const rel = path.relative(APP, path.dirname(file));
    if (rel === 'api/session') continue;
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /publicMutation\(/, `${rel} uses publicMutation`);
  }
});

// A server action is a public endpoint too, and the guard has no wrapper for one:
// the panel has none, and this fails the day someone adds one unguarded.
test('there are no server actions (every endpoint is a guarded route handler)', () => {
  const all = files(APP);
  assert.ok(all.length > 10, 'app/ was read');
  const withActions = all.filter((file) => /^\s*['"]use server['"]/m.test(fs.readFileSync(file, 'utf8')));
  assert.deepEqual(
    withActions.map((f) => path.relative(APP, f)),
    [],
  );
});

// Issue 14: one error model. The guard answers every error through the error
// table (lib/errors/error-table.ts) and hands each handler its actor; a route that
// wrote its own {error: ...} body or built {username, clientAddress} by hand
// would bring back the per-route copies.
test('routes neither answer errors themselves nor build the actor by hand', () => {
  const routes = files(APP).filter((f) => path.basename(f) === 'route.ts');
  for (const file of routes) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(APP, path.dirname(file));
    assert.doesNotMatch(text, /\berror:\s*['"`]/, `${rel} writes an error body itself`);
    assert.doesNotMatch(text, /username:\s*session\.username,\s*clientAddress/, `${rel} builds the actor by hand`);
  }
});
