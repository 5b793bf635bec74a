// The root helper through REAL pkexec and polkitd, inside the test sandbox.
//
// Setup (made by test/sandbox/run.sh): throwaway /etc, /home, /run; dbus and
// polkitd running; the helper at /usr/libexec/jupyterhub-panel/helper and the
// polkit policy + rule installed by system/install.sh; accounts:
//   parents mama, papa (jupyterhub_adm), kids anna, ben (jupyterhub),
//   kim (not a member), sudoer (sudo), svcacct (uid < 1000),
//   jupyterhub (hub account, primary group jupyterhub), jupyterhub-panel.
// Each test states the state it needs, makes it with root's own tools, and
// checks the real effect (/etc/group, /etc/passwd, /etc/shadow, the home).
//
// Run: bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/helper.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { errorForExit, parseHelperOutput } from '../../lib/helper/client';
import { requireSandboxHub } from '../sandbox/fixtures';
import { HELPER_SOCKET, helperAs, helperAsAsync } from '../sandbox/helper-call';

if (process.env.JH4F_SANDBOX !== '1') {
  throw new Error(
    'test/integration/helper.test.ts changes accounts and must run inside the test sandbox: ' +
      'bash test/sandbox/run.sh node --conditions=react-server --import tsx --test test/integration/helper.test.ts',
  );
}

// The hub account jupyterhub (a protected target, cases 3 and 10) exists on a seed machine.
requireSandboxHub('seed');

const HELPER = '/usr/libexec/jupyterhub-panel/helper';
const PKEXEC = '/usr/bin/pkexec';
const RUNUSER = '/usr/sbin/runuser';
const GPASSWD = '/usr/bin/gpasswd';
const PANEL = 'jupyterhub-panel';
const HELPER_LOCK = '/run/jupyterhub-panel-helper.lock';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  result: Record<string, unknown> | null;
  progress: unknown[];
}

function toRun(r: SpawnSyncReturns<string> | { status: number | null; stdout: string; stderr: string }): Run {
  const parsed = parseHelperOutput(r.stdout ?? '');
  return {
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    result: parsed.result as Record<string, unknown> | null,
    progress: parsed.progress,
  };
}

function pkexecArgv(user: string, argv: readonly string[]): string[] {
  return ['-u', user, '--', PKEXEC, '--disable-internal-agent', HELPER, ...argv];
}

/** An environment for a child (Next's types make NODE_ENV look required). */
const envOf = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

/** Run the helper through pkexec as USER: the terminal's way in, where polkit decides. */
function as(user: string, argv: readonly string[], stdin?: string, env?: NodeJS.ProcessEnv): Run {
  const r = spawnSync(RUNUSER, pkexecArgv(user, argv), {
    input: stdin ?? '',
    encoding: 'utf8',
    timeout: 60_000,
    env: env ?? envOf({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' }),
  });
  return toRun(r);
}

// The panel's way in: one request over the helper's socket (test/sandbox/helper-call.ts).
function viaSocket(user: string, argv: readonly string[], stdin?: string): Run {
  return toRun(helperAs(user, argv, stdin));
}
const panel = (argv: readonly string[], stdin?: string) => viaSocket(PANEL, argv, stdin);

/** The same, without blocking: for concurrency tests. */
async function panelAsync(argv: readonly string[], stdin?: string): Promise<Run & { ms: number }> {
  const started = Date.now();
  const r = await helperAsAsync(PANEL, argv, stdin);
  return { ...toRun(r), ms: Date.now() - started };
}

function sh(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Supplementary members of jupyterhub, as getent sees them. */
function members(group = 'jupyterhub'): string[] {
  const line = sh('/usr/bin/getent', ['group', group]).trim();
  const list = line.split(':')[3] ?? '';
  return list === '' ? [] : list.split(',');
}
function isMember(user: string, group = 'jupyterhub'): boolean {
  return members(group).includes(user);
}
/** Setup helpers, done with root's own tools, not through the helper. */
function ensureMember(user: string, want: boolean, group = 'jupyterhub'): void {
  if (isMember(user, group) !== want) sh(GPASSWD, [want ? '-a' : '-d', user, '--', group]);
}
function passwdLine(user: string): string | undefined {
  return readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
}
function shadowHash(user: string): string | undefined {
  const line = readFileSync('/etc/shadow', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return line?.split(':')[1];
}
function snapshot(): string {
  return ['/etc/passwd', '/etc/group', '/etc/shadow'].map((p) => readFileSync(p, 'utf8')).join('\n--\n');
}
/** Does PASSWORD match the user's shadow hash? (libcrypt through perl; password on stdin.) */
function passwordMatches(user: string, password: string): boolean {
  const hash = shadowHash(user);
  if (!hash) return false;
  const r = spawnSync('/usr/bin/perl', ['-e', 'my $p = <STDIN>; chomp $p; print crypt($p, $ARGV[0]) eq $ARGV[0] ? "yes" : "no"', hash], {
    input: `${password}\n`,
    encoding: 'utf8',
  });
  return r.stdout === 'yes';
}
function deleteUser(user: string): void {
  if (passwdLine(user)) spawnSync('/usr/sbin/userdel', ['-r', '--', user], { encoding: 'utf8' });
}

/**
 * Run a snippet against the panel's real typed calls, lib/helper/commands.ts (over
 * lib/helper/client.ts), as the
 * panel account (so pkexec and polkit decide as they do for the panel).
 * The snippet sees the module as `c` and returns a JSON-able value.
 */
let bundledClient: string | null = null;
/**
 * The client bundled into one world-readable file: the panel account may not be
 * able to read the checkout (CI clones into a private temporary folder), just as
 * the real panel runs from its own installed copy.
 */
function panelReadableClient(): string {
  if (bundledClient) return bundledClient;
  const dir = mkdtempSync('/tmp/jh4f-helper-client-');
  chmodSync(dir, 0o755);
  const out = `${dir}/helper-client.mjs`;
  const source = new URL('../../lib/helper/commands.ts', import.meta.url).pathname;
  buildSync({
    // `server-only` only guards against client bundles; in plain Node it would throw.
    stdin: {
      contents: readFileSync(source, 'utf8').replace(/^import 'server-only';$/m, ''),
      resolveDir: path.dirname(source), // the client's own folder: its relative imports resolve as in the tree
      sourcefile: source,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // client.ts's own `server-only` import: its react-server export is the empty module.
    conditions: ['react-server'],
    logLevel: 'error',
  });
  chmodSync(out, 0o644);
  bundledClient = out;
  return out;
}

function clientAsPanel(body: string): unknown {
  const client = panelReadableClient();
  const code = `
    const m = await import(${JSON.stringify(client)});
    const c = m.addMember ? m : m.default;
    const caught = async (p) => { try { return { ok: await p }; } catch (e) { return { name: e.name, code: e.code, httpStatus: e.httpStatus, message: e.message, helperReason: e.helperReason, values: e.values }; } };
    const value = await (async () => { ${body} })();
    process.stdout.write(JSON.stringify(value));`;
  const r = spawnSync(RUNUSER, ['-u', PANEL, '--', process.execPath, '--input-type=module', '-e', code], {
    encoding: 'utf8',
    cwd: '/tmp',
    env: envOf({ PATH: '/usr/bin:/bin', HOME: '/tmp', LANG: 'C' }),
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `client snippet failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function expectRefused(r: Run, exit: number, error: string): void {
  assert.equal(r.status, exit, `exit ${r.status}, stdout ${r.stdout}, stderr ${r.stderr}`);
  assert.equal(r.result?.ok, false);
  assert.equal(r.result?.error, error);
  assert.equal(typeof r.result?.message, 'string');
}
function expectOk(r: Run, changed: boolean): void {
  assert.equal(r.status, 0, `exit ${r.status}, stdout ${r.stdout}, stderr ${r.stderr}`);
  assert.equal(r.result?.ok, true);
  assert.equal(r.result?.changed, changed);
}

before(() => {
  for (const u of ['mama', 'papa', 'anna', 'ben', 'kim', 'sudoer', 'svcacct', 'jupyterhub', PANEL]) {
    assert.ok(passwdLine(u), `sandbox fixture account ${u} is missing`);
  }
  assert.ok(existsSync(HELPER), `${HELPER} is not installed`);
});

describe('list-members', () => {
  test('lists the supplementary members of jupyterhub with their facts', () => {
    ensureMember('anna', true);
    ensureMember('kim', false);
    const r = panel(['list-members']);
    assert.equal(r.status, 0, r.stderr);
    const list = r.result?.members as Array<Record<string, unknown>>;
    const anna = list.find((m) => m.user === 'anna')!;
    assert.ok(anna);
    assert.equal(anna.uid, Number(passwdLine('anna')!.split(':')[2]));
    assert.equal(anna.protected, false);
    assert.equal(anna.locked, false);
    assert.equal(typeof anna.packagesInstalled, 'boolean');
    assert.ok(!list.some((m) => m.user === 'kim'));
    assert.ok(!list.some((m) => m.user === 'jupyterhub'), 'the hub account is only a primary member');
    assert.deepEqual(
      list.map((m) => m.user).sort(),
      members()
        .filter((u) => passwdLine(u))
        .sort(),
    );
  });

  test('takes no arguments (case 10)', () => {
    expectRefused(panel(['list-members', 'anna']), 2, 'usage');
    expectRefused(panel(['list-members', '--actor', 'mama']), 2, 'usage');
  });

  // Case 36 (issue 11, finding 7). The kid plants the links as the kid; root must
  // not follow them: no "installed" from /etc/shadow, and no answer that differs
  // with whether a root-only path exists.
  describe("a kid's ~/.local links to root's files (case 36)", () => {
    const HOME = '/home/anna';
    const ROOT_DIR = '/var/lib/jh4f-case36'; // 0700 root (in the sandbox's throwaway /var): the kid can see nothing in it
    const asAnna = (...argv: string[]) => sh(RUNUSER, ['-u', 'anna', '--', ...argv]);
    const installedFor = (user: string): boolean => {
      const r = panel(['list-members']);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const m = (r.result?.members as Array<Record<string, unknown>>).find((x) => x.user === user);
      assert.ok(m, `${user} is listed`);
      return m.packagesInstalled as boolean;
    };
    const reset = () => {
      rmSync(`${HOME}/.local`, { recursive: true, force: true });
      rmSync(`${HOME}/jh4f-real-local`, { recursive: true, force: true });
    };

    before(() => {
      ensureMember('anna', true);
      // Root's own files, where the kid cannot look: regular files with the entry
      // points' names, so that following a link would find "packages".
      mkdirSync(`${ROOT_DIR}/bin`, { recursive: true, mode: 0o700 });
      chmodSync(ROOT_DIR, 0o700);
      for (const f of ['jupyterhub-singleuser', 'jupyter-lab']) writeFileSync(`${ROOT_DIR}/bin/${f}`, '#!/bin/sh\n', { mode: 0o700 });
      reset();
    });
    after(() => {
      reset();
      rmSync(ROOT_DIR, { recursive: true, force: true });
    });

    test('real entry points owned by the kid count as installed (the check can say yes)', () => {
      asAnna('mkdir', '-p', '--', `${HOME}/.local/bin`);
      for (const f of ['jupyterhub-singleuser', 'jupyter-lab']) asAnna('touch', '--', `${HOME}/.local/bin/${f}`);
      try {
        assert.equal(installedFor('anna'), true);
      } finally {
        reset();
      }
    });

    test('entry points that are links to /etc/shadow are not "installed"', () => {
      asAnna('mkdir', '-p', '--', `${HOME}/.local/bin`);
      for (const f of ['jupyterhub-singleuser', 'jupyter-lab']) asAnna('ln', '-s', '--', '/etc/shadow', `${HOME}/.local/bin/${f}`);
      try {
        assert.equal(installedFor('anna'), false, "root followed the kid's links to /etc/shadow");
      } finally {
        reset();
      }
    });

    test('a linked ~/.local or ~/.local/bin is not followed into root-only folders', () => {
      const linked: Array<[string, () => void]> = [
        // ~/.local -> a root-only folder that has bin/jupyter-lab etc.
        ['~/.local', () => asAnna('ln', '-s', '--', ROOT_DIR, `${HOME}/.local`)],
        // ~/.local/bin -> the same folder's bin
        [
          '~/.local/bin',
          () => {
            asAnna('mkdir', '-p', '--', `${HOME}/.local`);
            asAnna('ln', '-s', '--', `${ROOT_DIR}/bin`, `${HOME}/.local/bin`);
          },
        ],
      ];
      for (const [which, plant] of linked) {
        plant();
        try {
          assert.equal(installedFor('anna'), false, `root followed the kid's ${which} link into ${ROOT_DIR}`);
        } finally {
          reset();
        }
      }
    });

    test('whether a root-only path exists does not change the answer', () => {
      // Two links that differ only in whether their root-only target exists.
      asAnna('mkdir', '-p', '--', `${HOME}/.local/bin`);
      asAnna('ln', '-s', '--', `${ROOT_DIR}/bin/jupyterhub-singleuser`, `${HOME}/.local/bin/jupyterhub-singleuser`);
      asAnna('ln', '-s', '--', `${ROOT_DIR}/bin/jupyter-lab`, `${HOME}/.local/bin/jupyter-lab`);
      try {
        const withTarget = installedFor('anna');
        renameSync(`${ROOT_DIR}/bin`, `${ROOT_DIR}/gone`);
        const withoutTarget = installedFor('anna');
        renameSync(`${ROOT_DIR}/gone`, `${ROOT_DIR}/bin`);
        assert.equal(withTarget, withoutTarget, 'the answer tells whether a root-only file exists');
        assert.equal(withTarget, false);
      } finally {
        reset();
      }
    });
  });
});

describe('add-member and remove-member', () => {
  test('add-member adds an existing account, as the panel for parent mama', () => {
    ensureMember('kim', false);
    expectOk(panel(['add-member', 'kim', '--actor', 'mama']), true);
    assert.ok(isMember('kim'));
  });

  test('adding a member twice is a no-op with changed:false (case 9)', () => {
    ensureMember('kim', true);
    const before = snapshot();
    expectOk(panel(['add-member', 'kim', '--actor', 'mama']), false);
    assert.equal(snapshot(), before);
  });

  test('remove-member removes, removing a non-member is a no-op (case 9)', () => {
    ensureMember('kim', true);
    expectOk(panel(['remove-member', 'kim', '--actor', 'papa']), true);
    assert.ok(!isMember('kim'));
    const before = snapshot();
    expectOk(panel(['remove-member', 'kim', '--actor', 'papa']), false);
    assert.equal(snapshot(), before);
  });

  test('remove-member refuses the hub account and protected members', () => {
    ensureMember('sudoer', false);
    const before = snapshot();
    expectRefused(panel(['remove-member', 'jupyterhub', '--actor', 'mama']), 5, 'protected_account');
    ensureMember('sudoer', true);
    const withSudoer = snapshot();
    expectRefused(panel(['remove-member', 'sudoer', '--actor', 'mama']), 5, 'protected_account');
    assert.equal(snapshot(), withSudoer);
    ensureMember('sudoer', false);
    assert.equal(snapshot(), before);
  });

  test('an account that does not exist: no_such_user, nothing changed (case 8)', () => {
    const before = snapshot();
    expectRefused(panel(['add-member', 'nosuchkid', '--actor', 'mama']), 4, 'no_such_user');
    expectRefused(panel(['remove-member', 'nosuchkid', '--actor', 'mama']), 4, 'no_such_user');
    expectRefused(panel(['set-password', 'nosuchkid', '--actor', 'mama'], 'x-pass-1\n'), 4, 'no_such_user');
    assert.equal(snapshot(), before);
  });
});

describe('names and arguments (cases 1, 4, 5, 6, 7, 10)', () => {
  const table = JSON.parse(readFileSync(new URL('../fixtures/names.json', import.meta.url), 'utf8')) as { bad: string[] };

  test('option-like names -G, --help, --remove-home: exit 3, shadow-utils never runs (case 1)', () => {
    const before = snapshot();
    for (const name of ['-G', '--help', '--remove-home']) {
      for (const cmd of ['add-member', 'remove-member']) {
        expectRefused(panel([cmd, name, '--actor', 'mama']), 3, 'invalid_name');
      }
      expectRefused(panel(['create-user', name, '--actor', 'mama'], 'x-pass-1\n'), 3, 'invalid_name');
      expectRefused(panel(['set-password', name, '--actor', 'mama'], 'x-pass-1\n'), 3, 'invalid_name');
    }
    assert.equal(snapshot(), before);
    assert.ok(!existsSync('/home/-G') && !existsSync('/home/--help'));
  });

  test('every bad name of the shared table is invalid_name over the socket (cases 4, 5, 6, 7)', () => {
    const before = snapshot();
    for (const name of table.bad) {
      expectRefused(panel(['add-member', name, '--actor', 'mama']), 3, 'invalid_name');
    }
    assert.equal(snapshot(), before);
  });

  test('a NUL in a name cannot reach the helper through pkexec and is invalid_name over the socket; 30 KB is invalid_name; 1 MB is never read (cases 5, 7)', () => {
    assert.throws(() => spawnSync(RUNUSER, pkexecArgv('root', ['add-member', 'alice\u0000x'])));
    expectRefused(panel(['add-member', 'alice\u0000x', '--actor', 'mama']), 3, 'invalid_name');
    expectRefused(panel(['add-member', 'a'.repeat(30 * 1024), '--actor', 'mama']), 3, 'invalid_name');
    const before = snapshot();
    // A request over 64 KB: the helper drops the connection without reading on or answering.
    const big = panel(['add-member', 'a'.repeat(1024 * 1024), '--actor', 'mama']);
    assert.notEqual(big.status, 0);
    assert.equal(big.result, null);
    assert.equal(snapshot(), before);
  });

  test('a bad actor name is invalid_name too', () => {
    expectRefused(panel(['add-member', 'kim', '--actor', '-G']), 3, 'invalid_name');
  });

  test('extra arguments, another group, unknown commands and options: usage (case 10)', () => {
    const before = snapshot();
    expectRefused(panel(['add-member', 'kim', 'sudo', '--actor', 'mama']), 2, 'usage');
    expectRefused(panel(['add-member', 'kim', '--actor', 'mama', '--group', 'sudo']), 2, 'usage');
    expectRefused(panel(['add-member', 'kim', '--actor', 'mama', '--actor', 'papa']), 2, 'usage');
    expectRefused(panel(['add-member']), 2, 'usage');
    expectRefused(panel(['add-member', 'kim']), 2, 'usage'); // the panel must name an actor
    assert.equal(snapshot(), before);
  });

  test('unknown commands are refused by polkit or, when bound, by the helper (case 10)', () => {
    // pkexec picks the action by exec.path + argv1; an unknown command has no action -> auth_admin -> 126/127.
    const viaPkexec = as('mama', ['delete-everything', 'kim']);
    assert.ok(viaPkexec.status === 126 || viaPkexec.status === 127, `exit ${viaPkexec.status}`);
    // over the socket the helper itself refuses it: usage
    const r = panel(['delete-everything', 'kim']);
    expectRefused(r, 2, 'usage');
    // as root (no polkit involved) the helper itself refuses
    const direct = spawnSync(HELPER, ['delete-everything', 'kim'], { encoding: 'utf8' });
    assert.equal(direct.status, 2);
  });

  test('environment set by the caller does not reach the helper or its tools (case 10)', () => {
    ensureMember('kim', false);
    const evil = '/tmp/jh4f-evil';
    rmSync(evil, { recursive: true, force: true });
    mkdirSync(evil, { mode: 0o755 });
    const marker = `${evil}/ran`;
    for (const tool of ['gpasswd', 'logger', 'useradd', 'chpasswd']) {
      writeFileSync(`${evil}/${tool}`, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    }
    writeFileSync(`${evil}/preload.js`, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');\n`, { mode: 0o644 });
    const env = envOf({
      PATH: `${evil}:/usr/sbin:/usr/bin:/sbin:/bin`,
      NODE_OPTIONS: `--require ${evil}/preload.js`,
      LANG: 'C',
    });
    // from a panel process with that environment, over the socket: the helper service never sees it
    // (NODE_OPTIONS would run in that client process itself, not in the helper: only PATH here.)
    void env;
    const r = helperAs(PANEL, ['add-member', 'kim', '--actor', 'mama'], undefined, envOf({ PATH: `${evil}:/usr/sbin:/usr/bin:/sbin:/bin`, LANG: 'C' }));
    expectOk(toRun(r), true);
    // directly as root (PATH and NODE_OPTIONS would apply to node itself, so only PATH here)
    const direct = spawnSync(HELPER, ['remove-member', 'kim'], {
      encoding: 'utf8',
      env: envOf({ PATH: `${evil}:/usr/sbin:/usr/bin:/sbin:/bin`, LANG: 'C', SHELL: `${evil}/gpasswd` }),
    });
    assert.equal(direct.status, 0, direct.stdout + direct.stderr);
    assert.ok(!isMember('kim'));
    assert.ok(!existsSync(marker), 'a tool from the caller PATH or NODE_OPTIONS ran');
    rmSync(evil, { recursive: true, force: true });
  });
});

describe('protected accounts (cases 2, 3)', () => {
  before(() => {
    // a second uid-0 account, and members of adm and shadow
    if (!passwdLine('toor')) sh('/usr/sbin/useradd', ['-o', '-u', '0', '-g', '0', '-M', '-s', '/bin/sh', '--', 'toor']);
    ensureMember('kim', false);
  });
  after(() => {
    // -f: userdel sees uid 0 in use by every root process
    if (passwdLine('toor')) sh('/usr/sbin/userdel', ['-f', '--', 'toor']);
  });

  const targets = ['root', 'toor', 'svcacct', 'jupyterhub', PANEL, 'sudoer'];

  test('add-member refuses uid 0, system, hub, panel and sudo accounts', () => {
    const before = snapshot();
    for (const t of targets) expectRefused(panel(['add-member', t, '--actor', 'mama']), 5, 'protected_account');
    assert.equal(snapshot(), before);
  });

  test('add-member refuses members of adm and shadow', () => {
    ensureMember('kim', true, 'adm');
    expectRefused(panel(['add-member', 'kim', '--actor', 'mama']), 5, 'protected_account');
    ensureMember('kim', false, 'adm');
    ensureMember('kim', true, 'shadow');
    expectRefused(panel(['add-member', 'kim', '--actor', 'mama']), 5, 'protected_account');
    ensureMember('kim', false, 'shadow');
    assert.ok(!isMember('kim'));
  });

  test('create-user with the name of an existing (protected) account is a conflict', () => {
    const before = snapshot();
    for (const t of targets) {
      expectRefused(panel(['create-user', t, '--full-name', 'X', '--actor', 'mama'], 'new-pass-1\n'), 6, 'conflict');
    }
    assert.equal(snapshot(), before);
  });

  test('set-password refuses every protected account, the hash stays', () => {
    ensureMember('sudoer', true);
    const before = snapshot();
    for (const t of targets) expectRefused(panel(['set-password', t, '--actor', 'mama'], 'new-pass-1\n'), 5, 'protected_account');
    assert.equal(snapshot(), before);
    ensureMember('sudoer', false);
  });
});

describe('create-user', () => {
  const user = 'lena';
  before(() => deleteUser(user));
  after(() => deleteUser(user));

  test('makes a normal account: home owned by it, bash, full name, password, member of jupyterhub', () => {
    const r = panel(['create-user', user, '--full-name', 'Lena Müller', '--actor', 'mama'], 'lena:pass word 1\n');
    expectOk(r, true);
    assert.ok(!r.stdout.includes('pass word'), 'the password appeared in the output');
    const [name, , uid, gid, gecos, home, shell] = passwdLine(user)!.split(':');
    assert.equal(name, user);
    assert.ok(Number(uid) >= 1000 && Number(uid) <= 60000);
    assert.equal(gecos, 'Lena Müller');
    assert.equal(shell, '/bin/bash');
    const st = statSync(home!);
    assert.ok(st.isDirectory());
    assert.equal(st.uid, Number(uid));
    assert.equal(st.gid, Number(gid));
    assert.ok(isMember(user));
    assert.ok(passwordMatches(user, 'lena:pass word 1'), 'the password was not set (colon and spaces are allowed)');
  });

  test('an existing account is a conflict, even an unprotected one', () => {
    const before = snapshot();
    expectRefused(panel(['create-user', user, '--actor', 'mama'], 'other-pass\n'), 6, 'conflict');
    expectRefused(panel(['create-user', 'kim', '--actor', 'mama'], 'other-pass\n'), 6, 'conflict');
    assert.equal(snapshot(), before);
  });

  test('bad passwords and full names are refused before anything is made', () => {
    const before = snapshot();
    expectRefused(panel(['create-user', 'nora', '--actor', 'mama'], 'two\nlines\n'), 2, 'usage');
    expectRefused(panel(['create-user', 'nora', '--actor', 'mama'], ''), 2, 'usage');
    expectRefused(panel(['create-user', 'nora', '--full-name', 'A:B', '--actor', 'mama'], 'p-1\n'), 3, 'invalid_name');
    expectRefused(panel(['create-user', 'nora', '--full-name', 'A,B', '--actor', 'mama'], 'p-1\n'), 3, 'invalid_name');
    expectRefused(panel(['create-user', 'nora', '--full-name', 'A\nB', '--actor', 'mama'], 'p-1\n'), 3, 'invalid_name');
    assert.equal(snapshot(), before);
    assert.ok(!existsSync('/home/nora'));
  });

  test('when a step fails the half-made account is removed again', () => {
    // chpasswd refuses every password while its PAM stack says deny.
    const pam = '/etc/pam.d/chpasswd';
    const saved = readFileSync(pam, 'utf8');
    const before = snapshot();
    try {
      writeFileSync(pam, 'password requisite pam_deny.so\n');
      const r = panel(['create-user', 'nora', '--full-name', 'Nora', '--actor', 'mama'], 'nora-pass-1\n');
      expectRefused(r, 8, 'system_error');
      assert.match(String(r.result?.message), /removed again/);
    } finally {
      writeFileSync(pam, saved);
    }
    assert.equal(passwdLine('nora'), undefined);
    assert.ok(!existsSync('/home/nora'));
    assert.ok(!isMember('nora'));
    assert.equal(snapshot(), before);
  });
});

describe('set-password (case 14)', () => {
  test('sets a kid\u2019s password: the hash changes and matches', () => {
    ensureMember('anna', true);
    const before = shadowHash('anna');
    expectOk(panel(['set-password', 'anna', '--actor', 'papa'], 'anna-pass-2\n'), true);
    assert.notEqual(shadowHash('anna'), before);
    assert.ok(passwordMatches('anna', 'anna-pass-2'));
    expectOk(panel(['set-password', 'anna', '--actor', 'papa'], 'anna-pass-1\n'), true);
    assert.ok(passwordMatches('anna', 'anna-pass-1'));
  });

  test("a parent cannot reset another parent's password, even when that parent is a member", () => {
    ensureMember('papa', true);
    const before = snapshot();
    expectRefused(panel(['set-password', 'papa', '--actor', 'mama'], 'hijack-1\n'), 5, 'protected_account');
    expectRefused(panel(['set-password', 'mama', '--actor', 'mama'], 'hijack-1\n'), 5, 'protected_account');
    assert.equal(snapshot(), before);
    assert.ok(passwordMatches('papa', 'papa-pass-1'));
    ensureMember('papa', false);
  });

  test("an admin's (sudo) and a non-member's password are refused", () => {
    ensureMember('kim', false);
    const before = snapshot();
    expectRefused(panel(['set-password', 'sudoer', '--actor', 'mama'], 'hijack-1\n'), 5, 'protected_account');
    expectRefused(panel(['set-password', 'kim', '--actor', 'mama'], 'hijack-1\n'), 5, 'protected_account');
    expectRefused(panel(['set-password', 'root', '--actor', 'mama'], 'hijack-1\n'), 5, 'protected_account');
    assert.equal(snapshot(), before);
  });
});

describe('the actor', () => {
  test('the panel must name a current member of jupyterhub_adm', () => {
    ensureMember('kim', false);
    const before = snapshot();
    expectRefused(panel(['add-member', 'kim', '--actor', 'anna']), 5, 'protected_account');
    expectRefused(panel(['add-member', 'kim', '--actor', 'nosuchparent']), 5, 'protected_account');
    assert.equal(snapshot(), before);
  });

  test('a parent removed from jupyterhub_adm is refused at once (case 18, helper side)', () => {
    ensureMember('kim', false);
    ensureMember('papa', false, 'jupyterhub_adm');
    try {
      expectRefused(panel(['add-member', 'kim', '--actor', 'papa']), 5, 'protected_account');
      assert.ok(!isMember('kim'));
    } finally {
      ensureMember('papa', true, 'jupyterhub_adm');
    }
  });

  test('root at a terminal is the actor itself; naming someone else is refused', () => {
    ensureMember('kim', false);
    const r = spawnSync(HELPER, ['add-member', 'kim', '--actor', 'mama'], { encoding: 'utf8' });
    assert.equal(r.status, 5);
    assert.ok(!isMember('kim'));
    const ok = spawnSync(HELPER, ['add-member', 'kim'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout);
    assert.ok(isMember('kim'));
    ensureMember('kim', false);
  });
});

describe("the panel's client, lib/helper/commands.ts over client.ts, over the helper's real socket", () => {
  after(() => deleteUser('nora'));

  test('typed wrappers: list, add, create with progress, set-password, and typed refusals', () => {
    ensureMember('kim', false);
    deleteUser('nora');
    const out = clientAsPanel(`
      const progress = [];
      return {
        list: (await c.listMembers()).members.map((m) => m.user),
        add: await c.addMember('kim', 'mama'),
        again: await c.addMember('kim', 'mama'),
        create: await c.createUser('nora', 'Nora N', 'nora:pass 1', 'papa', (p) => progress.push(p)),
        progress,
        setpw: await c.setPassword('nora', 'nora-pass-2', 'mama'),
        protectedErr: await caught(c.addMember('sudoer', 'mama')),
        actorErr: await caught(c.addMember('kim', 'anna')),
        missing: await caught(c.removeMember('nosuchkid', 'mama')),
        conflict: await caught(c.createUser('kim', null, 'x-1', 'mama')),
        timeout: await caught(c.listMembers({ timeoutMs: 1 })),
      };`) as Record<string, any>;
    assert.ok(out.list.includes('anna'));
    assert.deepEqual(out.add, { user: 'kim', changed: true });
    assert.deepEqual(out.again, { user: 'kim', changed: false });
    assert.deepEqual(out.create, { user: 'nora', changed: true });
    assert.deepEqual(
      out.progress.map((p: { step: string }) => p.step),
      ['account', 'password'],
    );
    assert.deepEqual(out.setpw, { user: 'nora', changed: true });
    assert.ok(isMember('kim') && isMember('nora'));
    assert.ok(passwordMatches('nora', 'nora-pass-2'));
    assert.deepEqual([out.protectedErr.name, out.protectedErr.code, out.protectedErr.httpStatus], ['PublicError', 'protected_account', 403]);
    // Why, as data from the helper's error line: the rule's code and its values.
    assert.deepEqual([out.protectedErr.helperReason, out.protectedErr.values], ['group', { user: 'sudoer', group: 'sudo' }]);
    assert.deepEqual([out.actorErr.helperReason, out.actorErr.values], ['actor_not_admin', { actor: 'anna', group: 'jupyterhub_adm' }]);
    assert.deepEqual([out.missing.helperReason, out.missing.values], ['no_such_user', { user: 'nosuchkid' }]);
    assert.deepEqual([out.conflict.helperReason, out.conflict.values], ['account_exists', { user: 'kim' }]);
    assert.deepEqual([out.actorErr.code, out.actorErr.httpStatus], ['protected_account', 403]);
    assert.deepEqual([out.missing.code, out.missing.httpStatus], ['no_such_user', 404]);
    assert.deepEqual([out.conflict.code, out.conflict.httpStatus], ['conflict', 409]);
    assert.deepEqual([out.timeout.code, out.timeout.httpStatus], ['timeout', 504]);
    ensureMember('kim', false);
  });
});

describe('privilege (cases 11, 12)', () => {
  test('a kid, the hub account and a parent cannot reach the helper: not over its socket, not through pkexec without an agent (case 11)', () => {
    ensureMember('kim', false);
    const before = snapshot();
    const socket = statSync(HELPER_SOCKET);
    assert.ok(socket.isSocket());
    assert.equal(socket.uid, 0);
    assert.equal(socket.mode & 0o777, 0o660, 'root:jupyterhub-panel 0660: the socket is the gate');
    for (const who of ['anna', 'mama', 'kim', 'jupyterhub']) {
      const r = viaSocket(who, ['add-member', 'kim', '--actor', 'mama']);
      assert.equal(r.status, 9, `${who} reached the helper's socket: ${r.stdout}`);
      assert.match(r.stdout, /"connectError":"EACCES"/);
    }
    for (const who of ['anna', 'mama', 'kim', PANEL]) {
      for (const argv of [['add-member', 'kim'], ['list-members'], ['set-password', 'anna'], ['create-user', 'evil']]) {
        const r = as(who, argv, 'x-pass-1\n');
        assert.ok(r.status === 126 || r.status === 127, `${who} ${argv[0]} through pkexec: exit ${r.status} ${r.stdout}`);
        assert.equal(r.result, null);
        assert.equal(errorForExit(r.status, null, parseHelperOutput(r.stdout), r.stderr)?.code, 'not_authorized');
      }
    }
    assert.equal(snapshot(), before);
  });

  test('a broken gate: the socket closed to the panel, or no helper running: the client says so, never success (case 12)', () => {
    ensureMember('kim', false);
    try {
      chmodSync(HELPER_SOCKET, 0o600);
      const closed = clientAsPanel(`return await caught(c.addMember('kim', 'mama'));`) as Record<string, unknown>;
      assert.deepEqual([closed.code, closed.httpStatus], ['not_authorized', 502]);
      assert.match(String(closed.message), /jupyterhub-panel 0660/);
    } finally {
      chmodSync(HELPER_SOCKET, 0o660);
    }
    const moved = `${HELPER_SOCKET}.away`;
    renameSync(HELPER_SOCKET, moved);
    try {
      const gone = clientAsPanel(`return await caught(c.addMember('kim', 'mama'));`) as Record<string, unknown>;
      assert.deepEqual([gone.code, gone.httpStatus], ['unavailable', 503]);
      assert.match(String(gone.message), /not running/);
    } finally {
      renameSync(moved, HELPER_SOCKET);
    }
    assert.ok(!isMember('kim'));
    expectOk(panel(['add-member', 'kim', '--actor', 'mama']), true);
    ensureMember('kim', false);
  });

  test('a broken polkit rule: a person at a terminal gets no authorization, never success (case 12, terminal)', async () => {
    const rule = ['/etc/polkit-1/rules.d/50-jupyterhub-panel.rules', '/usr/share/polkit-1/rules.d/50-jupyterhub-panel.rules'].find((p) => existsSync(p));
    assert.ok(rule, 'the panel rule is not installed');
    const saved = readFileSync(rule, 'utf8');
    ensureMember('kim', false);
    try {
      writeFileSync(`${rule}.tmp`, 'polkit.addRule(function (action, subject) { return polkit.Result.YES; ');
      renameSync(`${rule}.tmp`, rule);
      await new Promise((res) => setTimeout(res, 1000));
      for (const who of ['mama', 'anna', PANEL]) {
        const r = as(who, ['add-member', 'kim', '--actor', who]);
        assert.ok(r.status === 126 || r.status === 127, `${who}: exit ${r.status}`);
        assert.equal(errorForExit(r.status, null, parseHelperOutput(r.stdout), r.stderr)?.code, 'not_authorized');
      }
      assert.ok(!isMember('kim'));
    } finally {
      writeFileSync(`${rule}.tmp`, saved);
      renameSync(`${rule}.tmp`, rule);
    }
  });
});

/**
 * add-member USER over the socket, and a second after it list-members: the times
 * (from the start) each was answered, to show a waiting change holds up no read.
 */
async function addWhileReading(user: string): Promise<{ added: Run; ms: number; listed: Run; listedMs: number }> {
  const started = Date.now();
  const adding = panelAsync(['add-member', user, '--actor', 'mama']).then((r) => ({ r, ms: Date.now() - started }));
  await new Promise((r) => setTimeout(r, 1000));
  const listed = await panelAsync(['list-members']);
  const listedMs = Date.now() - started;
  const { r: added, ms } = await adding;
  return { added, ms, listed, listedMs };
}

describe('load and faults (cases 25, 26)', () => {
  test('concurrent changes by two parents are serialized; /etc/group stays consistent (case 25)', async () => {
    ensureMember('kim', false);
    ensureMember('ben', true);
    ensureMember('anna', true);
    const runs = await Promise.all([
      panelAsync(['add-member', 'kim', '--actor', 'mama']),
      panelAsync(['add-member', 'kim', '--actor', 'papa']),
      panelAsync(['remove-member', 'ben', '--actor', 'papa']),
      panelAsync(['remove-member', 'ben', '--actor', 'mama']),
      panelAsync(['add-member', 'ben', '--actor', 'mama']).then(() => null),
      panelAsync(['set-password', 'anna', '--actor', 'papa'], 'anna-pass-1\n'),
    ]);
    for (const r of runs) if (r) assert.equal(r.status, 0, r.stdout + r.stderr);
    const kimAdds = runs.slice(0, 2).map((r) => r!.result?.changed);
    assert.deepEqual(kimAdds.sort(), [false, true], 'exactly one of the two adds changed something');
    const list = members();
    assert.equal(new Set(list).size, list.length, `duplicate members: ${list}`);
    assert.ok(list.includes('kim'));
    assert.ok(list.includes('anna'));
    // /etc/group and /etc/gshadow agree
    if (existsSync('/etc/gshadow')) {
      const gs = readFileSync('/etc/gshadow', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('jupyterhub:'));
      if (gs) assert.deepEqual((gs.split(':')[3] ?? '').split(',').filter(Boolean).sort(), [...list].sort());
    }
    assert.equal(sh('/usr/sbin/grpck', ['-r']).trim(), '');
    ensureMember('kim', false);
    ensureMember('ben', true);
  });

  test('/etc/group locked by someone else: busy after about 10 s, other requests answered meanwhile, then a retry works (case 26)', async () => {
    ensureMember('kim', false);
    const holder = spawn('/bin/sleep', ['60']);
    try {
      writeFileSync('/etc/group.lock', String(holder.pid), { flag: 'wx' });
      const { added, ms, listed, listedMs } = await addWhileReading('kim');
      expectRefused(added, 7, 'busy');
      assert.ok(ms >= 9000 && ms <= 13000, `waited ${ms} ms`);
      assert.equal(listed.status, 0, listed.stdout);
      assert.ok(listedMs < ms, `list-members was answered (after ${listedMs} ms) before the add that waited on /etc/group (${ms} ms)`);
      assert.ok(!isMember('kim'));
    } finally {
      rmSync('/etc/group.lock', { force: true });
      holder.kill();
    }
    expectOk(panel(['add-member', 'kim', '--actor', 'mama']), true);
    ensureMember('kim', false);
  });

  test("the helper's own lock is the kernel's: a live holder makes it busy after 10 s, other requests are answered meanwhile; a dead holder holds nothing", async () => {
    ensureMember('kim', false);
    const holder = spawn('/usr/bin/flock', [HELPER_LOCK, '/bin/sleep', '60'], { stdio: 'ignore', detached: true });
    try {
      for (let i = 0; i < 50 && spawnSync('/usr/bin/flock', ['-n', HELPER_LOCK, 'true']).status === 0; i++) await new Promise((r) => setTimeout(r, 100));
      const { added, ms, listed, listedMs } = await addWhileReading('kim');
      expectRefused(added, 7, 'busy');
      assert.ok(ms >= 9500 && ms <= 13000, `waited ${ms} ms`);
      assert.equal(listed.status, 0, listed.stdout);
      assert.ok(listedMs < ms, `list-members was answered (after ${listedMs} ms) before the waiting add-member (${ms} ms)`);
      assert.ok(!isMember('kim'));
    } finally {
      process.kill(-holder.pid!, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 200));
    // The holder died: the kernel dropped its lock, there is nothing stale to take over.
    expectOk(panel(['add-member', 'kim', '--actor', 'mama']), true);
    ensureMember('kim', false);
  });
});
