// The helper says why it failed as data: every failure carries a reason of the
// closed set lib/shared/helper-reasons.ts and its values, and the error line
// carries them next to the unchanged error code and English message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HelperFailure, noSuchUser, refused, systemError } from '../../privileged-helper/common/errors';
import { SystemState } from '../../privileged-helper/root/accounts';
import { requireUnprotectedAccount } from '../../privileged-helper/root/commands/common';
import type { CommandContext } from '../../privileged-helper/root/context';
import { actorFor } from '../../privileged-helper/root/execute';
import { passwordFromInput } from '../../privileged-helper/root/password';
import { parseGroup, parsePasswd } from '../../lib/shared/account-files';
import { HELPER_REASONS, isHelperReason, reasonValuesOf, MAX_REASON_VALUES } from '../../lib/shared/helper-reasons';
import { HOURS_REASONS, HoursError, parseHours } from '../../lib/shared/hours-rule';
import { DEFAULT_PROTECTED_GROUPS, protectedReasonFromParts, protectionReasonParts } from '../../lib/shared/protection';

const STATE = new SystemState(
  parsePasswd(
    [
      'root:x:0:0:root:/root:/bin/bash',
      'svcacct:x:995:995::/home/svcacct:/usr/sbin/nologin',
      'jupyterhub:x:1000:1002::/home/jupyterhub:/bin/bash',
      'anna:x:1004:1004:Anna:/home/anna:/bin/bash',
      'sudoer:x:1007:1007::/home/sudoer:/bin/bash',
    ].join('\n'),
  ),
  parseGroup(['sudo:x:27:sudoer', 'jupyterhub:x:1002:anna,sudoer'].join('\n')),
  { uidMin: 1000, uidMax: 60000 },
  null,
);
const ctx = { config: { protectedGroups: DEFAULT_PROTECTED_GROUPS } } as unknown as CommandContext;

function failure(fn: () => unknown): HelperFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof HelperFailure) return e;
    throw e;
  }
  assert.fail('no failure');
}

test('reasons: one closed set, no code twice; a failure without its own carries its code as reason', () => {
  assert.equal(new Set(HELPER_REASONS).size, HELPER_REASONS.length);
  for (const r of HOURS_REASONS) assert.ok(isHelperReason(r), r);
  assert.equal(isHelperReason('toString'), false);
  const f = systemError('cannot read /etc/shadow: EACCES');
  assert.deepEqual([f.reason, f.values], ['system_error', {}]);
});

test('the error line: error and message as before, reason and values next to them', () => {
  const f = refused('refused: sudoer is a member of the group sudo; ...', 'group', { user: 'sudoer', group: 'sudo' });
  f.details = { tail: ['x'] };
  assert.deepEqual(f.line(), {
    tail: ['x'],
    ok: false,
    error: 'protected_account',
    message: 'refused: sudoer is a member of the group sudo; ...',
    reason: 'group',
    values: { user: 'sudoer', group: 'sudo' },
  });
  assert.deepEqual(noSuchUser('kim').line(), { ok: false, error: 'no_such_user', message: 'there is no account named kim', reason: 'no_such_user', values: { user: 'kim' } });
});

test('a protected account is refused with the rule’s own code and its values', () => {
  const sudoer = failure(() => requireUnprotectedAccount(ctx, STATE, 'sudoer'));
  assert.deepEqual([sudoer.code, sudoer.reason, sudoer.values], ['protected_account', 'group', { user: 'sudoer', group: 'sudo' }]);
  assert.match(sudoer.message, /member of the group sudo/, 'the sentence for a person stays');
  assert.equal(failure(() => requireUnprotectedAccount(ctx, STATE, 'root')).reason, 'uid0');
  assert.equal(failure(() => requireUnprotectedAccount(ctx, STATE, 'svcacct')).reason, 'system_account');
  assert.equal(failure(() => requireUnprotectedAccount(ctx, STATE, 'jupyterhub')).reason, 'hub_account');
  const missing = failure(() => requireUnprotectedAccount(ctx, STATE, 'kim'));
  assert.deepEqual([missing.code, missing.reason, missing.values], ['no_such_user', 'no_such_user', { user: 'kim' }]);
  assert.equal(requireUnprotectedAccount(ctx, STATE, 'anna').name, 'anna');
});

test("the rule's reason and its parts turn into each other", () => {
  for (const r of ['uid0', 'hub_account', 'panel_account', 'system_account', 'group:sudo'] as const) {
    const parts = protectionReasonParts(r);
    assert.ok(isHelperReason(parts.reason), r);
    assert.equal(protectedReasonFromParts(parts.reason, parts.values), r);
  }
  assert.equal(protectedReasonFromParts('group', { group: 'Not A Group' }), null);
  assert.equal(protectedReasonFromParts('not_member', {}), null);
});

test('the actor and the password say why too', () => {
  const panel = { uid: 998, name: 'jupyterhub-panel', isPanel: true };
  const mama = { uid: 1001, name: 'mama', isPanel: false };
  assert.equal(failure(() => actorFor(panel, undefined)).reason, 'actor_missing');
  assert.deepEqual(failure(() => actorFor(mama, 'papa')).values, { actor: 'papa', caller: 'mama' });
  for (const input of ['', 'a\nb\n', 'a\r\n', 'a\0b']) {
    assert.equal(failure(() => passwordFromInput(Buffer.from(input))).reason, 'bad_password', JSON.stringify(input));
  }
});

test('bad hours carry the rule’s reason and the day or range it is about', () => {
  const overlap = failure2(() => parseHours({ mon: ['10:00-12:00', '11:00-13:00'] }));
  assert.deepEqual([overlap.reason, overlap.values], ['hours_overlap', { day: 'mon', first: '10:00-12:00', second: '11:00-13:00' }]);
  assert.equal(failure2(() => parseHours({ xyz: [] })).reason, 'hours_unknown_day');
  assert.equal(failure2(() => parseHours({ mon: ['20:00-10:00'] })).reason, 'hours_end_not_after_start');
});

function failure2(fn: () => unknown): HoursError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HoursError) return e;
    throw e;
  }
  assert.fail('no HoursError');
}

test('values: only plain keys with short strings or finite numbers, and only a few', () => {
  assert.deepEqual(reasonValuesOf({ user: 'kim', n: 3, bad: { x: 1 }, inf: Infinity, list: ['a'], 'no-dash': 'x', __proto__x: 'y', long: 'x'.repeat(201) }), { user: 'kim', n: 3 });
  assert.deepEqual(reasonValuesOf(['a']), {});
  assert.deepEqual(reasonValuesOf(null), {});
  const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
  assert.equal(Object.keys(reasonValuesOf(many)).length, MAX_REASON_VALUES);
});

test('a malformed socket request, a failed tool, a missing tool: each carries its reason', async () => {
  const { parseRequest } = await import('../../privileged-helper/root/serve');
  const { expectSuccess, runTool } = await import('../../privileged-helper/root/run');
  for (const line of ['not json', '[1]', '{"argv":[]}', '{"argv":["list-members"],"stdin":3}']) {
    const f = failure(() => parseRequest(line));
    assert.deepEqual([f.code, f.reason], ['usage', 'bad_request'], line);
  }
  assert.deepEqual(parseRequest('{"argv":["list-members"]}'), { argv: ['list-members'], stdin: null });
  const failed = failure(() => expectSuccess('usermod kim', { status: 3, signal: null, stdout: '', stderr: 'usermod: oops\n', timedOut: false }));
  assert.deepEqual([failed.code, failed.reason, failed.values], ['system_error', 'tool_failed', { what: 'usermod kim', how: 'exit 3' }]);
  const missing = await runTool('/nonexistent/tool', []).then(
    () => assert.fail('a missing tool ran'),
    (e: unknown) => e as HelperFailure,
  );
  assert.deepEqual([missing.code, missing.reason, missing.values], ['system_error', 'tool_missing', { tool: '/nonexistent/tool' }]);
  for (const r of [failed.reason, missing.reason, 'another_change_running', 'account_files_locked', 'tool_timed_out']) assert.ok(isHelperReason(r), r);
});
