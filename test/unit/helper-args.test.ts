// Pure parts of the root helper: argv shape, account file parsers, the
// protected-account rule, password input, lock content, log lines.
import { test } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { parseArgv } from '../../privileged-helper/root/args';
import { COMMAND_SPECS } from '../../privileged-helper/root/commands/index';
import { useraddArgs } from '../../privileged-helper/root/commands/create-user';
import { EXIT_CODES, HelperFailure } from '../../privileged-helper/common/errors';
import { parseUseraddHomeBase, SystemState } from '../../privileged-helper/root/accounts';
import { isLockedHash, parseGroup, parseLoginDefs, parsePasswd, parseShadow } from '../../lib/shared/account-files';
import { DEFAULT_PROTECTED_GROUPS, isRootOnlyWritable, protectedGroupsOf } from '../../lib/shared/protection';
import { protectedReasonText } from '../../privileged-helper/root/policy';
import { passwordFromInput } from '../../privileged-helper/root/password';
import { acquireLock } from '../../privileged-helper/root/lock';
import { formatLogMessage } from '../../privileged-helper/root/syslog';
import { actorFor, callerUid } from '../../privileged-helper/root/execute';

const parse = (...argv: string[]) => parseArgv(argv, COMMAND_SPECS);

function failsWith(code: string, fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof HelperFailure && e.code === code);
}

test('the exit-code table is the contract', () => {
  assert.deepEqual(EXIT_CODES, {
    usage: 2,
    invalid_name: 3,
    no_such_user: 4,
    protected_account: 5,
    conflict: 6,
    busy: 7,
    system_error: 8,
  });
});

test('argv: the five commands of this issue parse in their documented shape', () => {
  const l = parse('list-members');
  assert.deepEqual([l.command, l.positionals, { ...l.options }], ['list-members', [], {}]);
  assert.deepEqual({ ...parse('add-member', 'kim', '--actor', 'mama').options }, { '--actor': 'mama' });
  assert.deepEqual(parse('remove-member', 'kim').positionals, ['kim']);
  const c = parse('create-user', 'lena', '--full-name', 'Lena M', '--actor', 'papa');
  assert.deepEqual(c.positionals, ['lena']);
  assert.deepEqual({ ...c.options }, { '--full-name': 'Lena M', '--actor': 'papa' });
  assert.deepEqual(
    { ...parse('create-user', 'lena', '--actor', 'papa', '--full-name', 'L').options },
    {
      '--actor': 'papa',
      '--full-name': 'L',
    },
  );
  assert.deepEqual(parse('set-password', 'anna', '--actor', 'mama').positionals, ['anna']);
});

test('argv: no command and unknown commands are usage errors', () => {
  failsWith('usage', () => parse());
  for (const c of ['help', '--help', 'add', 'ADD-MEMBER', 'toString', '__proto__', 'constructor', '']) {
    failsWith('usage', () => parse(c, 'kim'));
  }
});

test('argv: missing and extra arguments are usage errors', () => {
  failsWith('usage', () => parse('add-member'));
  failsWith('usage', () => parse('add-member', 'kim', 'ben'));
  failsWith('usage', () => parse('add-member', 'kim', 'jupyterhub'));
  failsWith('usage', () => parse('list-members', 'kim'));
  failsWith('usage', () => parse('remove-member', 'kim', '--actor'));
  failsWith('usage', () => parse('set-password', 'kim', '--actor', 'mama', 'extra'));
});

test('argv: unknown and repeated options are usage errors', () => {
  failsWith('usage', () => parse('add-member', 'kim', '--group', 'sudo'));
  failsWith('usage', () => parse('add-member', 'kim', '--actor=mama'));
  failsWith('usage', () => parse('add-member', 'kim', '--full-name', 'X'));
  failsWith('usage', () => parse('list-members', '--actor', 'mama'));
  failsWith('usage', () => parse('add-member', 'kim', '--actor', 'mama', '--actor', 'papa'));
  failsWith('usage', () => parse('create-user', 'x', '--full-name', 'a', '--full-name', 'b'));
  failsWith('usage', () => parse('add-member', 'kim', '-a', 'mama'));
});

test('argv: a user operand that looks like an option stays an operand (refused later as invalid_name)', () => {
  assert.deepEqual(parse('add-member', '-G', '--actor', 'mama').positionals, ['-G']);
  assert.deepEqual(parse('add-member', '--help').positionals, ['--help']);
  assert.deepEqual(parse('remove-member', '--remove-home', '--actor', 'x').positionals, ['--remove-home']);
  // an option value may start with a dash; names are validated after parsing
  assert.equal(parse('add-member', 'kim', '--actor', '--help').options['--actor'], '--help');
});

test('argv: every mutating command takes --actor, the read-only list-members, hub-status and disk-use do not', () => {
  for (const [name, spec] of COMMAND_SPECS) {
    assert.equal(spec.name, name);
    assert.equal(spec.mutating, !['list-members', 'hub-status', 'disk-use'].includes(name));
  }
});

test('caller: PKEXEC_UID digits, absent means the real uid, garbage fails', () => {
  assert.equal(callerUid('998', 0), 998);
  assert.equal(callerUid(undefined, 0), 0);
  failsWith('system_error', () => callerUid('998 ', 0));
  failsWith('system_error', () => callerUid('', 0));
  failsWith('system_error', () => callerUid('-1', 0));
});

test('actor: the panel must name one; a person may only name themselves', () => {
  const panel = { uid: 998, name: 'jupyterhub-panel', isPanel: true };
  const mama = { uid: 1001, name: 'mama', isPanel: false };
  assert.equal(actorFor(panel, 'papa'), 'papa');
  failsWith('usage', () => actorFor(panel, undefined));
  assert.equal(actorFor(mama, undefined), 'mama');
  assert.equal(actorFor(mama, 'mama'), 'mama');
  failsWith('protected_account', () => actorFor(mama, 'papa'));
});

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'toor:x:0:0::/root:/bin/sh',
  'svcacct:x:995:995::/home/svcacct:/usr/sbin/nologin',
  'jupyterhub-panel:x:998:998::/var/lib/jupyterhub-panel:/usr/sbin/nologin',
  'jupyterhub:x:1000:1002::/home/jupyterhub:/bin/bash',
  'mama:x:1001:1001:Mama,Room 1,,:/home/mama:/bin/bash',
  'anna:x:1004:1004:Anna:/home/anna:/bin/bash',
  'sudoer:x:1007:1007::/home/sudoer:/bin/bash',
  'primadm:x:1008:4::/home/primadm:/bin/bash',
  'big:x:70000:70000::/home/big:/bin/bash',
  'broken:x:12:',
  '+nis::::::',
  '',
].join('\n');
const GROUP = ['root:x:0:', 'adm:x:4:', 'sudo:x:27:sudoer', 'shadow:x:42:jupyterhub-panel', 'jupyterhub:x:1002:anna,sudoer,', 'jupyterhub_adm:x:1003:mama', 'bad:x:nope:'].join('\n');
const STATE = new SystemState(parsePasswd(PASSWD), parseGroup(GROUP), { uidMin: 1000, uidMax: 60000 }, null);
const CONFIG = { protectedGroups: DEFAULT_PROTECTED_GROUPS };
const reason = (name: string) => protectedReasonText(STATE.user(name)!, STATE, CONFIG);

test('account files: parsers skip malformed and NIS lines', () => {
  assert.equal(STATE.user('broken'), undefined);
  assert.equal(STATE.user('+nis'), undefined);
  assert.equal(STATE.group('bad'), undefined);
  assert.deepEqual(STATE.group('jupyterhub')!.members, ['anna', 'sudoer']);
  assert.equal(STATE.user('mama')!.gecos.split(',')[0], 'Mama');
  assert.equal(STATE.userByUid(1004)!.name, 'anna');
  assert.equal(parseShadow('anna:!$y$x:1::\nben:$y$j:1::').get('anna'), '!$y$x');
  assert.equal(isLockedHash('!$y$x'), true);
  assert.equal(isLockedHash('$y$abc'), false);
});

test('account files: supplementary vs primary membership', () => {
  assert.equal(STATE.isSupplementaryMember('anna', 'jupyterhub'), true);
  assert.equal(STATE.isSupplementaryMember('jupyterhub', 'jupyterhub'), false);
  assert.equal(STATE.isInGroup('jupyterhub', 'jupyterhub'), true);
  assert.equal(STATE.isInGroup('primadm', 'adm'), true);
});

test('login.defs and useradd defaults', () => {
  assert.deepEqual(parseLoginDefs(''), { uidMin: 1000, uidMax: 60000 });
  assert.deepEqual(parseLoginDefs('UID_MIN\t\t 500\n#UID_MAX 9\nUID_MAX 2000\n'), { uidMin: 500, uidMax: 2000 });
  assert.equal(parseUseraddHomeBase('# HOME=/x\nSHELL=/bin/sh\n'), '/home');
  assert.equal(parseUseraddHomeBase('HOME=/srv/home/\n'), '/srv/home');
});

test('protected: uid 0, system and out-of-range uids, hub and panel accounts, protected groups', () => {
  assert.match(reason('root')!, /uid 0/);
  assert.match(reason('toor')!, /uid 0/);
  assert.match(reason('svcacct')!, /system account/);
  assert.match(reason('big')!, /system account/);
  assert.match(reason('jupyterhub')!, /hub account/);
  assert.match(reason('jupyterhub-panel')!, /panel/);
  assert.match(reason('sudoer')!, /sudo/);
  assert.match(reason('primadm')!, /adm/); // primary group counts
  assert.equal(reason('anna'), null);
  assert.equal(reason('mama'), null); // parents are not protected by themselves
});

test('helper.json: protectedGroups replaces the list; bad shapes fail closed', () => {
  assert.deepEqual(protectedGroupsOf({}), DEFAULT_PROTECTED_GROUPS);
  assert.deepEqual(protectedGroupsOf({ protectedGroups: ['sudo', 'lpadmin'], other: 1 }), ['sudo', 'lpadmin']);
  // null: the helper fails closed with system_error (policy.ts loadConfig).
  assert.equal(protectedGroupsOf([]), null);
  assert.equal(protectedGroupsOf({ protectedGroups: 'sudo' }), null);
  assert.equal(protectedGroupsOf({ protectedGroups: ['Sudo Group'] }), null);
  assert.equal(isRootOnlyWritable({ uid: 0, mode: 0o100644 }), true);
  assert.equal(isRootOnlyWritable({ uid: 0, mode: 0o100664 }), false);
  assert.equal(isRootOnlyWritable({ uid: 0, mode: 0o100646 }), false);
  assert.equal(isRootOnlyWritable({ uid: 1000, mode: 0o100644 }), false);
});

test('password: one line from stdin, line end cut, bad input refused without echoing it', () => {
  assert.equal(passwordFromInput(Buffer.from('s3cret:x y\n')).toString(), 's3cret:x y');
  assert.equal(passwordFromInput(Buffer.from('no-newline')).toString(), 'no-newline');
  assert.equal(passwordFromInput(Buffer.from('p\u00e4ss\n')).toString(), 'p\u00e4ss');
  for (const bad of ['', '\n', 'a\nb', 'a\nb\n', 'a\r\n', 'a\0b\n', 'x'.repeat(513)]) {
    assert.throws(
      () => passwordFromInput(Buffer.from(bad)),
      (e: unknown) => e instanceof HelperFailure && e.code === 'usage' && (bad.length < 2 || !e.message.includes(bad)),
    );
  }
  assert.equal(passwordFromInput(Buffer.from('x'.repeat(512))).length, 512);
});

test('the helper lock is a kernel lock: busy while held, free once released or once its holder dies', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jh4f-lock-'));
  const file = path.join(dir, 'lock');
  const isBusy = (e: unknown) => e instanceof HelperFailure && e.code === 'busy';
  try {
    const held = await acquireLock(file, 1000);
    const started = Date.now();
    // While it waits, this process goes on: the wait is not a blocking one.
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 20);
    await assert.rejects(acquireLock(file, 500), isBusy);
    clearInterval(ticker);
    assert.ok(Date.now() - started >= 400, 'it waited before saying busy');
    assert.ok(ticks >= 5, `the event loop ran while the lock was awaited (${ticks} ticks)`);
    held.release();
    (await acquireLock(file, 500)).release();
    // Another process holds it and dies: the kernel lets go, no stale lock to take over.
    const holder = spawn('/usr/bin/flock', [file, 'sleep', '30'], { stdio: 'ignore', detached: true });
    const deadline = Date.now() + 5000;
    while (spawnSync('/usr/bin/flock', ['-n', file, 'true']).status === 0 && Date.now() < deadline) spawnSync('sleep', ['0.05']);
    await assert.rejects(acquireLock(file, 200), isBusy);
    // Released while we wait: taken within the wait.
    const waiting = acquireLock(file, 5000);
    process.kill(-holder.pid!, 'SIGKILL'); // flock and its sleep, which shares the locked file
    (await waiting).release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('log lines: plain tokens bare, anything else JSON-quoted (no newline reaches syslog)', () => {
  const line = formatLogMessage({ actor: 'mama', command: 'add-member', target: 'kim', result: 'ok', changed: true, x: undefined });
  assert.equal(line, 'actor=mama command=add-member target=kim result=ok changed=true');
  const evil = formatLogMessage({ message: 'a\nb c' });
  assert.equal(evil, 'message="a\\nb c"');
  assert.ok(!evil.includes('\n'));
});

test('useradd: argument array with -- before the name, full name only when given', () => {
  const a = useraddArgs('lena', 'Lena M\u00fcller');
  assert.deepEqual(a.slice(-2), ['--', 'lena']);
  assert.ok(a.includes('--create-home') && a.includes('--user-group'));
  assert.equal(a[a.indexOf('--comment') + 1], 'Lena M\u00fcller');
  assert.equal(a[a.indexOf('--groups') + 1], 'jupyterhub');
  assert.equal(a[a.indexOf('--shell') + 1], '/bin/bash');
  assert.ok(!useraddArgs('lena', undefined).includes('--comment'));
});

test('jupyterhub-members refuses every bad name of the shared table before calling pkexec', async () => {
  const { spawnSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const table = JSON.parse(readFileSync(new URL('../fixtures/names.json', import.meta.url), 'utf8')) as { bad: string[] };
  const script = new URL('../../system/bin/jupyterhub-members', import.meta.url).pathname;
  for (const name of table.bad) {
    if (name.includes('\u0000')) continue; // argv cannot carry NUL at all
    const r = spawnSync(process.execPath, [script, 'add', name], { encoding: 'utf8', env: { PATH: '/nonexistent' } as Record<string, string> as NodeJS.ProcessEnv });
    assert.equal(r.status, 3, `${JSON.stringify(name)}: ${r.stderr}`);
  }
});

test('protected: members of root-equivalent groups (docker, lxd, libvirt, disk) are protected by default', () => {
  for (const group of ['docker', 'lxd', 'incus-admin', 'libvirt', 'disk']) {
    const state = new SystemState(parsePasswd('kid:x:1010:1010:Kid,,,:/home/kid:/bin/bash'), parseGroup(`kid:x:1010:\n${group}:x:990:kid`), { uidMin: 1000, uidMax: 60000 }, null);
    assert.match(protectedReasonText(state.user('kid')!, state, CONFIG) ?? '', new RegExp(group), group);
  }
});

test("each command's shape is read from its synopsis: operands, options, --actor (mutating), the stdin password", () => {
  const shape = (name: string) => {
    const s = COMMAND_SPECS.get(name)!;
    return [s.positionals.join(' '), s.options.join(' '), s.mutating, s.readsPassword];
  };
  assert.deepEqual(shape('list-members'), ['', '', false, false]);
  assert.deepEqual(shape('disk-use'), ['user', '', false, false]);
  assert.deepEqual(shape('hub-status'), ['', '--log-lines', false, false]);
  assert.deepEqual(shape('add-member'), ['user', '', true, false]);
  assert.deepEqual(shape('remove-member'), ['user', '', true, false]);
  assert.deepEqual(shape('install-packages'), ['user', '', true, false]);
  assert.deepEqual(shape('connect-hub'), ['', '', true, false]);
  assert.deepEqual(shape('restart-hub'), ['', '', true, false]);
  assert.deepEqual(shape('set-hours'), ['user', '--hours', true, false]);
  assert.deepEqual(shape('set-updates'), ['', '--mode', true, false]);
  assert.deepEqual(shape('upgrade-system'), ['', '--mode', true, false]);
  assert.deepEqual(shape('set-password'), ['user', '', true, true]);
  assert.deepEqual(shape('create-user'), ['user', '--full-name', true, true]);
  assert.deepEqual(shape('make-home-private'), ['user', '', true, false]);
  assert.deepEqual(shape('set-limits'), ['', '--for --memory-mib --cpu-weight', true, false]);
  assert.equal(COMMAND_SPECS.size, 15);
});
