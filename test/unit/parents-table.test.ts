// docs/ARCHITECTURE.md says, in "Parents on the hub", what each helper command
// that takes a USER does when USER is a parent. This keeps the table whole: one
// row for every such command of lib/shared/commands.ts (a new command must say
// how it treats a parent), each naming an outcome and a reason the helper has.
// test/integration/parents.test.ts runs the rows against the real helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELPER_COMMAND_SPECS, HELPER_COMMANDS } from '../../lib/shared/commands';
import { HELPER_REASONS } from '../../lib/shared/helper-reasons';
import { parentRows } from '../lib/parents-table';

test('the table has one row for each helper command that takes a USER, and no other', () => {
  const rows = parentRows();
  const withUser = HELPER_COMMANDS.filter((c) => HELPER_COMMAND_SPECS[c].positionals.includes('user'));
  assert.ok(withUser.length >= 7, withUser.join(' '));
  assert.deepEqual(rows.map((r) => r.command).sort(), [...withUser].sort());
});

test('each refusal names a reason the helper has', () => {
  for (const row of parentRows()) {
    if (row.outcome.kind === 'allowed') continue;
    assert.ok((HELPER_REASONS as readonly string[]).includes(row.outcome.reason), `${row.command}: ${row.text}`);
  }
});

test('the decision stays written: parents may join and leave the hub, never get a password or hours from the panel', () => {
  const by = new Map(parentRows().map((r) => [r.command, r.text]));
  assert.equal(by.get('add-member'), 'allowed');
  assert.equal(by.get('remove-member'), 'allowed');
  assert.equal(by.get('set-password'), 'refused: `is_parent`');
  assert.equal(by.get('set-hours'), 'refused: `is_parent`');
});

test('a row that says something else is an error, not a silent skip', () => {
  assert.throws(() => parentRows('## Parents on the hub\n| `add-member` | maybe | x |\n'), /not "allowed"/);
  assert.throws(() => parentRows('# nothing here\n'), /no section/);
});
