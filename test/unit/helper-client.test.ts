// lib/helper/client.ts: JSON-line parsing and the one exit-code table (and the
// typed calls of lib/helper/commands.ts refusing bad input before any call).
// Run with --conditions=react-server so `import 'server-only'` is a no-op.
import { test } from 'node:test';
import { PublicError } from '../../lib/errors/errors';
import assert from 'node:assert/strict';
import { errorForExit, EXIT_CODE_TABLE, parseHelperOutput } from '../../lib/helper/client';
import { addMember, createUser, setPassword } from '../../lib/helper/commands';

test('one line of success output is the result', () => {
  const p = parseHelperOutput('{"ok":true,"changed":true,"user":"anna"}\n');
  assert.deepEqual(p.result, { ok: true, changed: true, user: 'anna' });
  assert.deepEqual(p.progress, []);
  assert.equal(errorForExit(0, null, p), null);
});

test('progress lines go to progress, the last line is the result', () => {
  const out = '{"progress":{"step":"account"}}\n{"progress":"50%"}\n{"ok":true,"user":"lena"}\n';
  const p = parseHelperOutput(out);
  assert.deepEqual(p.progress, [{ step: 'account' }, '50%']);
  assert.equal(p.result?.ok, true);
  assert.deepEqual(p.garbage, []);
});

test('a result line that is not last does not count; garbage is kept aside', () => {
  const p = parseHelperOutput('{"ok":true}\nnot json\n');
  assert.equal(p.result, null);
  assert.equal(p.garbage.length, 2);
  const e = errorForExit(0, null, p);
  assert.ok(e instanceof PublicError);
  assert.equal(e.code, 'system_error');
});

test('exit 0 without a result line is a system error, never success', () => {
  for (const out of ['', '\n', '[]\n', '{"ok":false,"error":"busy","message":"x"}\n']) {
    assert.equal(errorForExit(0, null, parseHelperOutput(out))?.code, 'system_error');
  }
});

test('each exit code maps to its error code and HTTP status (the shared table, lib/shared/exit-codes.ts)', () => {
  const expected: [number, string, number][] = [
    [2, 'usage', 500],
    [3, 'invalid_name', 400],
    [4, 'no_such_user', 404],
    [5, 'protected_account', 403],
    [6, 'conflict', 409],
    [7, 'busy', 503],
    [8, 'system_error', 500],
    [126, 'not_authorized', 502],
    [127, 'not_authorized', 502],
    [1, 'system_error', 500],
    [99, 'system_error', 500],
  ];
  for (const [exit, code, status] of expected) {
    const e = errorForExit(exit, null, parseHelperOutput(''));
    assert.ok(e, `exit ${exit}`);
    assert.equal(e.code, code, `exit ${exit}`);
    assert.equal(e.httpStatus, status, `exit ${exit}`);
    assert.equal(e.exitCode, exit);
    if (EXIT_CODE_TABLE[exit]) assert.equal(EXIT_CODE_TABLE[exit], code);
  }
});

test("the helper's message is used; the exit code decides the code", () => {
  const out = '{"ok":false,"error":"conflict","message":"an account named kim exists already"}\n';
  const e = errorForExit(6, null, parseHelperOutput(out))!;
  assert.equal(e.code, 'conflict');
  assert.equal(e.message, 'an account named kim exists already');
  // disagreeing line: exit code wins
  assert.equal(errorForExit(5, null, parseHelperOutput('{"ok":false,"error":"busy","message":"m"}'))!.code, 'protected_account');
});

test('not authorized (126/127) says which gate refused and what to do', () => {
  const e = errorForExit(126, null, parseHelperOutput(''), 'Error executing command as another user: Not authorized\n')!;
  assert.equal(e.code, 'not_authorized');
  assert.match(e.message, /root:jupyterhub-panel 0660/);
  assert.match(e.message, /Not authorized/);
  assert.match(errorForExit(127, null, parseHelperOutput(''))!.message, /set-up command/);
});

test('killed by a signal is a system error', () => {
  const e = errorForExit(null, 'SIGKILL', parseHelperOutput(''))!;
  assert.equal(e.code, 'system_error');
  assert.match(e.message, /SIGKILL/);
});

test('wrappers refuse bad names and passwords before running anything', async () => {
  await assert.rejects(addMember('-G', 'mama'), (e: unknown) => e instanceof PublicError && e.code === 'invalid_name');
  await assert.rejects(addMember('kim', 'Mama'), (e: unknown) => e instanceof PublicError && e.code === 'invalid_name');
  await assert.rejects(createUser('lena', 'a:b', 'pw', 'mama'), (e: unknown) => e instanceof PublicError && e.code === 'invalid_name');
  await assert.rejects(setPassword('anna', 'a\nb', 'mama'), (e: unknown) => e instanceof PublicError && e.code === 'usage');
  await assert.rejects(setPassword('anna', '', 'mama'), (e: unknown) => e instanceof PublicError && e.code === 'usage');
});
