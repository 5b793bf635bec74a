// The one error table (lib/errors/error-table.ts) over every code: HTTP status,
// audit outcome, a message in both catalogs, the guard's answer; and the same
// outcome in the audit log whichever use case met the code: members, install
// jobs and hub actions, each driven through a stand-in helper socket (the real
// helper client, the real audited()), and every code through audited() itself.
// Run with --conditions=react-server so `import 'server-only'` is a no-op.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tempPanel } from './support/temp-panel';
import { PublicError, errorMessage, messageAt } from '../../lib/errors/errors';
import { ERROR_CODES, ERROR_TABLE, REASON_MESSAGES } from '../../lib/errors/error-table';
import { HELPER_EXIT_CODES } from '../../lib/shared/exit-codes';
import { EXIT_CODES } from '../../privileged-helper/common/errors';
import { catalogs, locales } from '../../lib/i18n/messages';

const tmp = tempPanel();
const socketPath = path.join(tmp.dir, 'helper.sock');
process.env.JH4F_HELPER_SOCKET = socketPath;

// The stand-in helper answers every request with this line (as privileged-helper/root/serve.ts would).
let answer: { ok: false; error: string; message: string; exitCode: number; reason?: string; values?: Record<string, string> } = {
  ok: false,
  error: 'busy',
  message: 'the lock is held',
  exitCode: 7,
};
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

// The helper client reads JH4F_HELPER_SOCKET when it loads: everything that
// imports it loads after the line above, in before().

let db: typeof import('../../lib/store/db').db;
let setDatabaseForTests: typeof import('../../lib/store/db').setDatabaseForTests;
let errorResponse: typeof import('../../lib/http/guard').errorResponse;
let audited: typeof import('../../lib/store/audited').audited;
let refuse: typeof import('../../lib/store/audited').refuse;
let members: typeof import('../../lib/family/members');
let jobs: typeof import('../../lib/jobs');
let hubActions: typeof import('../../lib/hub/hub-actions');

before(async () => {
  const { setAccountFilesForTests } = await import('../../lib/accounts/unix-accounts');
  setAccountFilesForTests({ passwd: tmp.passwd, group: tmp.group });
  ({ db, setDatabaseForTests } = await import('../../lib/store/db'));
  ({ errorResponse } = await import('../../lib/http/guard'));
  ({ audited, refuse } = await import('../../lib/store/audited'));
  members = await import('../../lib/family/members');
  jobs = await import('../../lib/jobs');
  hubActions = await import('../../lib/hub/hub-actions');
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});
after(() => {
  server.close();
  jobs.setInstallRunnerForTests(null);
  setDatabaseForTests(null);
  tmp.cleanup();
});

const mama = { username: 'mama', clientAddress: '127.0.0.1' };

function lastRow(action: string): { outcome: string; detail: Record<string, unknown>; error: string | null } {
  const row = db().prepare('SELECT outcome, detail, error FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1').get(action) as {
    outcome: string;
    detail: string;
    error: string | null;
  };
  return { ...row, detail: JSON.parse(row.detail) as Record<string, unknown> };
}

// The rule's decisions, written out: a change to the table must change this too.
const EXPECTED: Record<string, [number, 'refused' | 'failed']> = {
  invalid_input: [400, 'refused'],
  unauthenticated: [401, 'refused'],
  session_ended: [401, 'refused'],
  invalid_credentials: [401, 'refused'],
  not_family_admin: [403, 'refused'],
  account_unavailable: [403, 'refused'],
  forbidden_origin: [403, 'refused'],
  not_found: [404, 'refused'],
  payload_too_large: [413, 'refused'],
  unsupported_media_type: [415, 'refused'],
  misdirected_request: [421, 'refused'],
  too_many_attempts: [429, 'refused'],
  auth_unavailable: [503, 'failed'],
  internal: [500, 'failed'],
  invalid_name: [400, 'refused'],
  no_such_user: [404, 'refused'],
  protected_account: [403, 'refused'],
  conflict: [409, 'refused'],
  busy: [503, 'refused'],
  not_authorized: [502, 'refused'],
  usage: [500, 'failed'],
  system_error: [500, 'failed'],
  unavailable: [503, 'failed'],
  timeout: [504, 'failed'],
  hub_not_connected: [409, 'refused'],
  hub_token_rejected: [502, 'refused'],
  hub_timeout: [504, 'failed'],
  hub_unavailable: [502, 'failed'],
  invalid_hours: [400, 'refused'],
};

test('error table: every code has its status and outcome, and nothing is left out of the rule', () => {
  assert.deepEqual([...ERROR_CODES].sort(), Object.keys(EXPECTED).sort());
  for (const code of ERROR_CODES) {
    assert.deepEqual([ERROR_TABLE[code].status, ERROR_TABLE[code].outcome], EXPECTED[code], code);
  }
});

test("error table: every code's and every reason's message key is a text in both catalogs", () => {
  assert.deepEqual([...locales].sort(), ['de', 'en']);
  const keys = [...ERROR_CODES.map((c) => ERROR_TABLE[c].message), ...Object.values(REASON_MESSAGES)];
  for (const key of keys) {
    for (const locale of locales) assert.ok(messageAt(catalogs[locale], key).length > 5, `${key} in ${locale}`);
    assert.notEqual(messageAt(catalogs.de, key), messageAt(catalogs.en, key), `${key}: German is a translation`);
  }
  // The helper's codes read differently from each other (a parent can tell busy from conflict).
  const helperCodes = [...(Object.keys(HELPER_EXIT_CODES) as (keyof typeof HELPER_EXIT_CODES)[]), 'not_authorized', 'unavailable', 'timeout'] as const;
  for (const locale of locales) {
    const texts = helperCodes.map((c) => errorMessage(new PublicError(c), locale));
    assert.equal(new Set(texts).size, helperCodes.length, locale);
  }
  assert.equal(messageAt(catalogs.en, 'errors.noSuchKey'), '');
});

test("error table: the guard answers every code with the table's status and the catalog's message", async () => {
  for (const code of ERROR_CODES) {
    for (const locale of locales) {
      const res = errorResponse(new PublicError(code), locale);
      assert.equal(res.status, ERROR_TABLE[code].status, code);
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, code);
      assert.equal(body.message, messageAt(catalogs[locale], ERROR_TABLE[code].message));
    }
  }
  assert.equal(errorResponse(new PublicError('busy'), 'en').headers.get('retry-after'), '2');
  const unknown = errorResponse(new Error('a bug'), 'de');
  assert.equal(unknown.status, 500);
  assert.equal(((await unknown.json()) as { error: string }).error, 'internal');
});

test('error table: the reasons and the onboarding step read plainly, in English and German', async () => {
  const body = async (e: InstanceType<typeof PublicError>, locale: 'en' | 'de') => (await errorResponse(e, locale).json()) as Record<string, unknown>;
  const parent = await body(new PublicError('protected_account', { reason: 'is_parent', values: { user: 'papa' } }), 'en');
  assert.equal(parent.error, 'protected_account');
  assert.match(String(parent.message), /papa is a parent/);
  const de = await body(new PublicError('protected_account', { reason: 'protected', values: { user: 'sudoer', protectedReason: 'group:sudo' } }), 'de');
  assert.match(String(de.message), /sudoer ist geschützt \(es ist Mitglied der Gruppe sudo\)/);
  const halfway = await body(new PublicError('busy', { step: 'add', accountExists: true, values: { user: 'mia' } }), 'en');
  assert.equal(halfway.step, 'add');
  assert.equal(halfway.accountExists, true);
  assert.match(String(halfway.message), /^Adding the account to the group jupyterhub failed\. .*busy.*run onboarding again/i);
  const hours = await body(new PublicError('invalid_hours', { detail: 'mon: 25:00 is no time' }), 'de');
  assert.equal(hours.message, `${catalogs.de.hours.invalid} (mon: 25:00 is no time)`);
});

test('exit codes: the helper exits with the shared table (one copy, lib/shared/exit-codes.ts)', () => {
  assert.equal(EXIT_CODES, HELPER_EXIT_CODES);
  for (const code of Object.keys(HELPER_EXIT_CODES)) assert.ok(code in ERROR_TABLE, code);
});

test('audited(): every code gives the done row the outcome of its table row; a refusal by the panel too', async () => {
  for (const code of ERROR_CODES) {
    await assert.rejects(
      audited(mama, 'member_add', 'anna', async () => {
        throw new PublicError(code, { logText: `said ${code}` });
      }),
      (e: unknown) => e instanceof PublicError && e.code === code,
    );
    const done = lastRow('member_add');
    assert.equal(done.outcome, ERROR_TABLE[code].outcome, code);
    assert.deepEqual([done.detail.phase, done.detail.code, done.error], ['done', code, `${code}: said ${code}`]);
    assert.throws(() => refuse(mama, 'packages_install', 'anna', new PublicError(code)), PublicError);
    const refused = lastRow('packages_install');
    assert.equal(refused.outcome, ERROR_TABLE[code].outcome, code);
    assert.equal(refused.detail.checkedBy, 'panel');
  }
  // Something that is no PublicError (a bug, a crash): failed, as `internal`.
  await assert.rejects(
    audited(mama, 'hub_restart', null, async () => Promise.reject(new TypeError('oops'))),
    (e: unknown) => e instanceof PublicError && e.code === 'internal',
  );
  assert.deepEqual([lastRow('hub_restart').outcome, lastRow('hub_restart').error], ['failed', 'internal: oops']);
});

function waitEnd(id: string): Promise<void> {
  return new Promise((resolve) => {
    const job = jobs.getJob(id);
    if (job && jobs.isFinal(job.state)) return resolve();
    const off = jobs.subscribe(id, (m) => {
      if (m.type === 'end') {
        off();
        resolve();
      }
    });
  });
}

test('members, install jobs and hub actions audit the same outcome for the same helper answer', async () => {
  jobs.setInstallRunnerForTests(null); // the real runner: install-packages over the socket
  const answers = [...Object.entries(HELPER_EXIT_CODES), ['not_authorized', 126] as const];
  for (const [code, exitCode] of answers) {
    answer = { ok: false, error: code, message: `the helper says ${code}`, exitCode };
    const expected = ERROR_TABLE[code as keyof typeof ERROR_TABLE].outcome;

    await assert.rejects(members.addMember(mama, 'anna'), (e: unknown) => e instanceof PublicError && e.code === code);
    await assert.rejects(hubActions.connectHub(mama), (e: unknown) => e instanceof PublicError && e.code === code);
    const { job } = jobs.startInstall(mama, 'anna');
    await waitEnd(job.id);

    const seen = {
      member_add: lastRow('member_add'),
      hub_connect: lastRow('hub_connect'),
      packages_install: lastRow('packages_install'),
    };
    for (const [action, row] of Object.entries(seen)) {
      assert.equal(row.outcome, expected, `${action} after ${code}`);
      assert.equal(row.detail.phase, 'done', action);
      assert.match(row.error ?? '', new RegExp(`^${code}: `), action);
    }
    assert.equal(jobs.getJob(job.id)?.state, 'failed', code);
  }
});

test("audited(): the outcome row keeps the reason's message key and values and names its start row", async () => {
  answer = {
    ok: false,
    error: 'protected_account',
    message: "refused: jupyterhub-panel is the panel's service account",
    reason: 'panel_account',
    values: { user: 'jupyterhub-panel' },
    exitCode: HELPER_EXIT_CODES.protected_account,
  };
  await assert.rejects(members.removeMember(mama, 'jupyterhub-panel'), (e: unknown) => e instanceof PublicError && e.code === 'protected_account');
  const rows = db().prepare("SELECT id, start_id, detail FROM audit WHERE action = 'member_remove' ORDER BY id DESC LIMIT 2").all() as {
    id: number;
    start_id: number | null;
    detail: string;
  }[];
  const [done, start] = rows;
  assert.equal(done!.start_id, start!.id);
  assert.equal(JSON.parse(start!.detail).phase, 'start');
  const d = JSON.parse(done!.detail);
  assert.deepEqual([d.code, d.helperReason, d.messageKey, d.values.protectedReason], ['protected_account', 'panel_account', 'family.errors.protectedBecause', 'panel_account']);
  const { audit } = await import('../../lib/store/audit');
  const listed = audit.list({ target: 'jupyterhub-panel' });
  assert.deepEqual(
    listed.map((e) => e.id),
    [done!.id],
    'one entry for the change',
  );
  // A parent (is_parent) gets the family's own message key too.
  answer = { ok: false, error: 'protected_account', message: 'refused: papa is a parent', reason: 'is_parent', values: { user: 'papa' }, exitCode: HELPER_EXIT_CODES.protected_account };
  await assert.rejects(members.resetPassword(mama, 'papa', 'a-long-password-1'), PublicError);
  assert.equal(lastRow('password_set').detail.messageKey, 'family.errors.isParent');
});

test('the helper socket missing: unavailable, failed, for members and hub actions alike', async () => {
  server.close();
  await new Promise((r) => setTimeout(r, 50));
  fs.rmSync(socketPath, { force: true });
  await assert.rejects(members.addMember(mama, 'anna'), (e: unknown) => e instanceof PublicError && e.code === 'unavailable');
  await assert.rejects(hubActions.connectHub(mama), (e: unknown) => e instanceof PublicError && e.code === 'unavailable');
  assert.equal(lastRow('member_add').outcome, 'failed');
  assert.equal(lastRow('hub_connect').outcome, 'failed');
});
