// The panel and the helper's commands: one list of names (lib/shared/commands.ts)
// read by the root helper and by the panel's typed calls (lib/helper/commands.ts),
// the only module that runs a helper command; and the helper's reason codes read
// from its error line, so the panel words a refusal without its English sentence.
// Run with --conditions=react-server so `import 'server-only'` is a no-op.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tempPanel } from './support/temp-panel';
import { PublicError } from '../../lib/errors/errors';
import { HELPER_COMMANDS, HELPER_COMMAND_SPECS, HELPER_SYNOPSES } from '../../lib/shared/commands';
import { COMMAND_SPECS } from '../../privileged-helper/root/commands/index';
// lib/helper/client.ts reads JH4F_HELPER_SOCKET when it loads: it is imported in before(), after the stand-in is set.
let errorForExit: typeof import('../../lib/helper/client').errorForExit;
let helperWhyOf: typeof import('../../lib/helper/client').helperWhyOf;
let parseHelperOutput: typeof import('../../lib/helper/client').parseHelperOutput;
let hubStatusFactsOf: typeof import('../../lib/helper/commands').hubStatusFactsOf;

const ROOT = path.resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry.name)) out.push(rel);
  }
  return out;
}

// Strings that happen to equal a command's name and call nothing: a test id of the
// disk-use box, the label of where a remembered certificate came from.
const NOT_A_CALL = [
  { file: 'app/family/disk-facts.tsx', text: 'data-testid="disk-use"' },
  { file: 'lib/hub/hub-client.ts', text: "source: 'hub-status'" },
];

test('one list: the root helper has exactly the shared commands, in their order, with their shapes', () => {
  assert.deepEqual([...COMMAND_SPECS.keys()], [...HELPER_COMMANDS]);
  for (const name of HELPER_COMMANDS) {
    assert.deepEqual(COMMAND_SPECS.get(name), HELPER_COMMAND_SPECS[name], name);
    assert.equal(HELPER_COMMAND_SPECS[name].synopsis, HELPER_SYNOPSES[name]);
  }
  assert.deepEqual(
    HELPER_COMMANDS.filter((n) => HELPER_COMMAND_SPECS[n].mutating),
    [
      'add-member',
      'remove-member',
      'create-user',
      'set-password',
      'restart-hub',
      'connect-hub',
      'install-packages',
      'set-hours',
      'make-home-private',
      'set-updates',
      'set-limits',
      'upgrade-system',
    ],
  );
  assert.deepEqual(
    HELPER_COMMANDS.filter((n) => HELPER_COMMAND_SPECS[n].readsPassword),
    ['create-user', 'set-password'],
  );
});

test('every command has its typed call in lib/helper/commands.ts', () => {
  const text = fs.readFileSync(path.join(ROOT, 'lib/helper/commands.ts'), 'utf8');
  for (const name of HELPER_COMMANDS) assert.match(text, new RegExp(`call\\('${name}'`), `${name} has no typed call`);
});

test('no panel module outside lib/helper/ and lib/shared/ names a helper command or reaches runHelper', () => {
  const found: string[] = [];
  const files = [...sourceFiles('lib'), ...sourceFiles('app')].filter((f) => !/^lib\/(helper|shared)\//.test(f));
  assert.ok(files.length > 50, `${files.length} files`);
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    text.split('\n').forEach((line, i) => {
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // a comment names a command, it calls nothing
      const allowed = NOT_A_CALL.filter((a) => a.file === file).map((a) => a.text);
      const rest = allowed.reduce((l, a) => l.replace(a, ''), line);
      for (const name of HELPER_COMMANDS) {
        if (new RegExp(`['"\`]${name}['"\`]`).test(rest)) found.push(`${file}:${i + 1}: ${name}`);
      }
      if (/from ['"](\.\.?\/)+helper\/client['"]|from ['"]@\/lib\/helper\/client['"]|helper\/client['"]\)/.test(line)) found.push(`${file}:${i + 1}: imports lib/helper/client`);
    });
  }
  assert.deepEqual(found, [], 'use the typed calls of lib/helper/commands.ts');
});

// ---- the reason on the error line ------------------------------------------------------

const line = (o: Record<string, unknown>) => parseHelperOutput(`${JSON.stringify({ ok: false, ...o })}\n`);

test('the error line: a known reason and its values are kept, checked', () => {
  const e = errorForExit(5, null, line({ error: 'protected_account', message: 'refused: ...', reason: 'group', values: { user: 'sudoer', group: 'sudo' } }))!;
  assert.deepEqual([e.code, e.helperReason, e.values], ['protected_account', 'group', { user: 'sudoer', group: 'sudo' }]);
  assert.equal(e.message, 'refused: ...', 'the sentence stays for the log and the audit row');
  // Values: strings and numbers only, bounded; anything else is dropped.
  const v = helperWhyOf({ reason: 'hours_too_many_ranges', values: { day: 'mon', max: 4, evil: { $gt: 1 }, long: 'x'.repeat(5000) } });
  assert.deepEqual(v, { reason: 'hours_too_many_ranges', values: { day: 'mon', max: 4 } });
});

test('an unknown reason is no reason, and its values go with it; so is a line without one', () => {
  for (const reason of ['made_up', 'toString', '__proto__', 42, null, undefined]) {
    const e = errorForExit(5, null, line({ error: 'protected_account', message: 'm', reason, values: { user: 'x' } }))!;
    assert.deepEqual([e.code, e.helperReason, e.values], ['protected_account', null, {}], String(reason));
  }
  const plain = errorForExit(6, null, line({ error: 'conflict', message: 'an account named kim exists already' }))!;
  assert.deepEqual([plain.code, plain.helperReason], ['conflict', null]);
});

test('a reason the exit code contradicts is dropped: the exit code decides, the reason was of another error', () => {
  const e = errorForExit(7, null, line({ error: 'protected_account', message: 'm', reason: 'group', values: { group: 'sudo' } }))!;
  assert.deepEqual([e.code, e.helperReason, e.values], ['busy', null, {}]);
});

test("hub-status's answer is read field by field (no cast): wrong types are left out", () => {
  const facts = hubStatusFactsOf({
    ok: true,
    installed: true,
    kind: 'seed',
    cert: { exists: true, problem: null, pem: 'PEM', notAfter: 5 },
    key: { exists: 'yes', matchesCert: 'no', problem: null },
    processes: [
      { pid: 12, kind: 'hub', stopped: false },
      { pid: 'x', kind: 'hub' },
      { pid: 13, kind: 'shell' },
    ],
    log: { path: '/home/jupyterhub/bootstrap.log', exists: true, lines: ['a', 3, 'b'], problem: null },
    crontab: 'not an object',
  });
  assert.deepEqual(facts, {
    installed: true,
    kind: 'seed',
    cert: { exists: true, problem: null, pem: 'PEM' },
    key: { exists: false, matchesCert: null, problem: null },
    processes: [{ pid: 12, kind: 'hub', stopped: false }],
    log: { path: '/home/jupyterhub/bootstrap.log', exists: true, lines: ['a', 'b'], problem: null },
  });
  assert.equal(hubStatusFactsOf({ ok: true, kind: 'evil' }).kind, undefined);
});

// ---- the use cases read the reason, never the sentence -------------------------------

const tmp = tempPanel();
const socketPath = path.join(tmp.dir, 'helper.sock');
process.env.JH4F_HELPER_SOCKET = socketPath;

let answer: Record<string, unknown> = { ok: false, error: 'busy', message: 'the lock is held', exitCode: 7 };
const server = net.createServer({ allowHalfOpen: true }, (sock) => {
  let buffered = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buffered += chunk;
    if (!buffered.includes('\n')) return;
    sock.write(`${JSON.stringify(answer)}\n`);
    sock.end();
  });
  sock.on('end', () => sock.end());
});

let db: typeof import('../../lib/store/db').db;
let setDatabaseForTests: typeof import('../../lib/store/db').setDatabaseForTests;
let members: typeof import('../../lib/family/members');

before(async () => {
  const { setAccountFilesForTests } = await import('../../lib/accounts/unix-accounts');
  setAccountFilesForTests({ passwd: tmp.passwd, group: tmp.group });
  ({ db, setDatabaseForTests } = await import('../../lib/store/db'));
  ({ errorForExit, helperWhyOf, parseHelperOutput } = await import('../../lib/helper/client'));
  ({ hubStatusFactsOf } = await import('../../lib/helper/commands'));
  members = await import('../../lib/family/members');
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});
after(() => {
  server.close();
  setDatabaseForTests(null);
  tmp.cleanup();
});

const mama = { username: 'mama', clientAddress: '127.0.0.1' };

async function refusal(call: () => Promise<unknown>): Promise<PublicError> {
  try {
    await call();
  } catch (e) {
    if (e instanceof PublicError) return e;
    throw e;
  }
  return assert.fail('the call succeeded');
}

const facts = (e: PublicError) => ({ code: e.code, status: e.httpStatus, reason: e.reason, helperReason: e.helperReason, values: e.values, en: e.localized('en'), de: e.localized('de') });

function lastRow(action: string): { detail: Record<string, unknown>; error: string | null } {
  const row = db().prepare('SELECT detail, error FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1').get(action) as { detail: string; error: string | null };
  return { detail: JSON.parse(row.detail), error: row.error };
}

test('the same reason with another English sentence gives the same error, and the audit row keeps the reason', async () => {
  // anna is a plain kid in the account files: what makes the message is the helper's reason alone.
  const why = { reason: 'group', values: { user: 'anna', group: 'sudo' } };
  answer = { ok: false, error: 'protected_account', message: 'refused: anna is a member of the group sudo; ...', ...why, exitCode: 5 };
  const first = await refusal(() => members.addMember(mama, 'anna'));
  answer = { ok: false, error: 'protected_account', message: 'nein: ganz andere Worte', ...why, exitCode: 5 };
  const second = await refusal(() => members.addMember(mama, 'anna'));
  assert.deepEqual(facts(second), facts(first));
  assert.deepEqual([first.code, first.reason, first.values.protectedReason], ['protected_account', 'protected', 'group:sudo']);
  assert.match(first.localized('en'), /anna.*sudo/);

  const row = lastRow('member_add');
  assert.equal(row.error, 'protected_account: nein: ganz andere Worte', "the row's text is the helper's sentence, as before");
  // The row keeps the message key of the worded reason and its values (the protection code too), never the sentence.
  assert.deepEqual(
    [row.detail.code, row.detail.helperReason, row.detail.messageKey, row.detail.values],
    ['protected_account', 'group', 'family.errors.protectedBecause', { user: 'anna', group: 'sudo', protectedReason: 'group:sudo' }],
  );
});

test('a parent, a non-member, the hub account: the family message from the reason', async () => {
  const cases = [
    ['is_parent', 'papa', 'is_parent', () => members.resetPassword(mama, 'papa', 'a-new-pass-1')],
    ['not_member', 'papa', 'not_member', () => members.resetPassword(mama, 'papa', 'a-new-pass-1')],
    ['hub_account_stays', 'anna', 'hub_account', () => members.removeMember(mama, 'anna')],
    ['uid0', 'anna', 'protected', () => members.addMember(mama, 'anna')],
  ] as const;
  for (const [reason, user, panelReason, call] of cases) {
    answer = { ok: false, error: 'protected_account', message: 'x', reason, values: { user }, exitCode: 5 };
    const e = await refusal(call);
    assert.deepEqual([e.code, e.reason, e.helperReason, e.values.user], ['protected_account', panelReason, reason, user], reason);
  }
  // No reason (or one the panel does not know): the code's own message.
  answer = { ok: false, error: 'protected_account', message: 'refused: anna is a member of the group sudo', exitCode: 5 };
  const plain = await refusal(() => members.addMember(mama, 'anna'));
  assert.deepEqual([plain.reason, plain.helperReason], [null, null]);
  assert.equal(plain.localized('en'), new PublicError('protected_account').localized('en'));
});
