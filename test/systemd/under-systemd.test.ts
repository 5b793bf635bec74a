// The package under a real systemd: a fresh Debian 13 root (the
// cached debootstrap root of test/deb, copied, never changed) with systemd, dbus and
// the built .deb, booted with systemd-nspawn. Inside, a check unit (test/systemd/
// checks.sh, run after multi-user.target) apt-installs the package and checks it as
// a family would, one result line per check, then powers off. Here each line becomes
// one test, so a failure names its check; a check that never wrote its line fails too.
//
// Run by test/systemd/run.sh (root; it builds the .deb once per tree first). The work
// directory is throw-away (JH4F_DEB_WORK, default /var/tmp); the container has its
// own network namespace (loopback only: ports 8000/8010 of the host are not touched),
// so Debian's packages are fetched into the apt cache before the boot. Cached in
// /var/cache/jh4f-debootstrap: the base root (test/deb's), the root with systemd
// (keyed by its package list) and the downloaded .debs (JH4F_DEB_NO_CACHE=1: none).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { APT_ARCHIVES_CACHE, arch, CACHE_DIR, log, MIRROR, ROOTFS_TARBALL, run, startNetProxy, SUITE, times, useCache } from '../fresh-root/rootfs';

const REPO = path.resolve(__dirname, '..', '..');
const IN_ROOT = path.join(REPO, 'test/deb/in-root.sh');
const PACKAGE = 'jupyterhub4family-panel';
const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;
const DEB = process.env.JH4F_DEB || path.join(REPO, 'dist', `${PACKAGE}_${version}_${arch}.deb`);
const BASE_TARBALL = ROOTFS_TARBALL;
/** What the booted root needs on top of debootstrap's; the derived root's cache key. */
const SYSTEMD_PACKAGES = ['systemd', 'systemd-sysv', 'dbus'];
const SYSTEMD_TARBALL = path.join(CACHE_DIR, `${SUITE}-${arch}-systemd-${createHash('sha256').update(SYSTEMD_PACKAGES.join(' ')).digest('hex').slice(0, 12)}.tar.zst`);
const APT_ARCHIVES = APT_ARCHIVES_CACHE;
/** The whole boot, checks included; a hang can never block the test command longer. */
const BOOT_TIMEOUT_S = 1500;

/** Every check checks.sh writes, in its order: a missing line is a failed check. */
const CHECKS = [
  'apt-install',
  'service-jupyterhub',
  'service-panel',
  'socket-helper-listening',
  'panel-health',
  'hub-api',
  'updates-timer-at-night',
  'updates-security-origin',
  'parent-login',
  'add-existing-kid',
  'add-existing-kid-in-group',
  'onboard-kid',
  'onboard-kid-account',
  'remove-kid',
  'remove-kid-out-of-group',
  'helper-socket-activated',
  'helper-socket-gate',
  'audit-has-changes',
  'kid-server-spawns-hardened',
  'hub-restart-new-pid',
  'hub-restart-answers',
  'helper-leaves-hub-to-systemd',
  'panel-restart-keeps-hub',
  'panel-health-after-restart',
  'updates-read-under-systemd',
  'panel-unit-nonewprivileges',
  'panel-process-nonewprivs',
  'panel-exposure-at-most-2.0',
  'reinstall',
  'reinstall-keeps-data',
  'upgrade',
  'upgrade-keeps-data',
  'purge',
  'purge-leaves-nothing',
  'purge-keeps-kid-home',
];

let work = '';
let root = '';
const results = new Map<string, { ok: boolean; detail: string }>();
let resultsText = '';
let bootError = '';
/** apt's way to the mirror from the root's private network (test/deb/in-root.sh). */
let proxy: ReturnType<typeof startNetProxy> | undefined;

function extract(tarball: string) {
  run(`extract ${path.basename(tarball)}`, 'tar', ['--zstd', '-xpf', tarball, '-C', root, '--numeric-owner']);
}

function cacheRoot(tarball: string) {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${tarball}.new`;
  run(`cache ${path.basename(tarball)}`, 'tar', ['--zstd', '-cpf', tmp, '-C', root, '--numeric-owner', '.']);
  fs.renameSync(tmp, tarball);
}

/** Step 1: the root with systemd, the package and its dependencies in the apt cache. */
function prepareRoot() {
  if (useCache && fs.existsSync(SYSTEMD_TARBALL)) {
    extract(SYSTEMD_TARBALL);
  } else {
    if (useCache && fs.existsSync(BASE_TARBALL)) extract(BASE_TARBALL);
    else {
      run('debootstrap', 'debootstrap', [SUITE, root, MIRROR]);
      if (useCache) cacheRoot(BASE_TARBALL);
    }
    fs.copyFileSync('/etc/resolv.conf', path.join(root, 'etc/resolv.conf'));
    run('systemd packages', IN_ROOT, [root, 'apt', ...SYSTEMD_PACKAGES], { env: { ...proxy!.env, ...(useCache ? { JH4F_APT_ARCHIVES: APT_ARCHIVES } : {}) }, quiet: true });
    if (useCache) cacheRoot(SYSTEMD_TARBALL);
  }
  assert.match(fs.readFileSync(path.join(root, 'etc/os-release'), 'utf8'), /VERSION_CODENAME=trixie/);
  fs.copyFileSync('/etc/resolv.conf', path.join(root, 'etc/resolv.conf'));
  fs.writeFileSync(path.join(root, 'etc/hostname'), 'familypc\n');
  // The container has loopback only: Debian's packages the .deb needs are fetched now
  // (apt-get update leaves the lists in the root; the .debs go to the apt cache,
  // bound into the container).
  const archives = useCache ? APT_ARCHIVES : path.join(work, 'apt-archives');
  fs.mkdirSync(path.join(archives, 'partial'), { recursive: true });
  run('download dependencies', IN_ROOT, [root, 'install', DEB, '--download-only'], { env: { ...proxy!.env, JH4F_APT_ARCHIVES: archives }, quiet: true });
  // The container gets a copy of its own (hard links: instant): apt locks the
  // archives folder for the whole installation, and the shared cache must stay free
  // for another test (test/deb) meanwhile.
  const own = path.join(work, 'apt-archives-own');
  const copy = spawnSync('cp', ['-al', archives, own]);
  if (copy.status !== 0) run('copy the apt cache', 'cp', ['-a', archives, own]);
  fs.rmSync(path.join(own, 'lock'), { force: true });

  const dir = path.join(root, 'root/jh4f');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.copyFileSync(DEB, path.join(dir, 'package.deb'));
  makeUpgrade(path.join(dir, 'package-upgrade.deb'));
  fs.copyFileSync(path.join(__dirname, 'checks.sh'), path.join(dir, 'checks.sh'));
  fs.writeFileSync(
    path.join(root, 'etc/systemd/system/jh4f-checks.service'),
    [
      '[Unit]',
      'Description=jupyterhub4family: the package checked under systemd (test/systemd)',
      'After=multi-user.target',
      '[Service]',
      'Type=oneshot',
      'ExecStart=/bin/bash /root/jh4f/checks.sh',
      // Whatever happens to the checks, the machine powers off (the host parses what was written).
      'ExecStopPost=/usr/bin/systemctl --no-block poweroff',
      `TimeoutStartSec=${BOOT_TIMEOUT_S - 120}`,
      'StandardOutput=journal',
      'StandardError=journal',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  );
  fs.mkdirSync(path.join(root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
  fs.symlinkSync('/etc/systemd/system/jh4f-checks.service', path.join(root, 'etc/systemd/system/multi-user.target.wants/jh4f-checks.service'));
  // dbus fails with 200/CHDIR when / is not world-searchable (mkdtemp makes 0700).
  fs.chmodSync(root, 0o755);
  return own;
}

/** The same tree as a higher version: what an upgrade from the tested version does. */
function makeUpgrade(out: string) {
  const tree = path.join(work, 'upgrade');
  run('upgrade: unpack', 'dpkg-deb', ['-R', DEB, tree]);
  const control = path.join(tree, 'DEBIAN/control');
  const text = fs.readFileSync(control, 'utf8');
  const upgraded = text.replace(/^Version: (.*)$/m, (_, v: string) => `Version: ${v}+systemdtest1`);
  assert.notEqual(upgraded, text);
  fs.writeFileSync(control, upgraded);
  run('upgrade: build', 'dpkg-deb', ['--root-owner-group', '-Zgzip', '-z1', '--build', tree, out], { quiet: true });
}

before(() => {
  assert.equal(process.getuid?.(), 0, 'run as root: sudo bash test/systemd/run.sh');
  assert.ok(fs.existsSync(DEB), `${DEB} is missing: test/systemd/run.sh builds it`);
  work = fs.mkdtempSync(path.join(process.env.JH4F_DEB_WORK || '/var/tmp', 'jh4f-systemd-test.'));
  root = path.join(work, 'root');
  fs.mkdirSync(root);
  log(`work directory ${work}, package ${DEB}`);
  proxy = startNetProxy(work);
  proxy.ready();
  const archives = prepareRoot();

  // Step 2: boot. systemd as PID 1 of the container, its own network namespace.
  const started = Date.now();
  const boot = spawnSync(
    'timeout',
    [
      '--kill-after=30',
      String(BOOT_TIMEOUT_S),
      'systemd-nspawn',
      '--quiet',
      '-D',
      root,
      '-b',
      '--register=no',
      '--keep-unit',
      '--private-network',
      '--machine=familypc',
      `--bind=${archives}:/var/cache/apt/archives`,
      '--console=pipe',
    ],
    { encoding: 'utf8', env: { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' }, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  times.boot = (Date.now() - started) / 1000;
  log(`----- boot and checks: systemd-nspawn (exit ${boot.status}, ${times.boot.toFixed(1)} s)`);
  log(`${boot.stderr ?? ''}`.slice(-4000));
  if (boot.status !== 0) bootError = `systemd-nspawn exit ${boot.status}${boot.status === 124 ? ' (timed out)' : ''}`;
  const file = path.join(root, 'root/jh4f/results.txt');
  resultsText = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const line of resultsText.split('\n')) {
    const [kind, name = '', result = '', detail = ''] = line.split('\t');
    if (kind === 'CHECK') results.set(name, { ok: result === 'ok', detail });
    else if (kind === 'FIGURE' || kind === 'SECTION') log(`${kind.toLowerCase()}: ${name} ${result}`);
  }
  // The systemd-analyze security tables (the biggest items show what keeps a figure up).
  for (const unit of ['jupyterhub-panel.service', 'jupyterhub-panel-helper.service', 'jupyterhub.service']) {
    const rows = resultsText
      .split('\n')
      .filter((l) => l.startsWith(`SECURITY\t${unit}\t`))
      .map((l) => l.split('\t').slice(2).join('\t'));
    if (rows.length) log(`----- systemd-analyze security ${unit}\n${rows.join('\n')}`);
  }
  const journal = path.join(root, 'root/jh4f/journal.txt');
  if ([...results.values()].some((r) => !r.ok) || results.size < CHECKS.length) {
    log(
      `----- journal (last 200 lines)\n${fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8').split('\n').slice(-200).join('\n') : run('journal', 'journalctl', ['-D', path.join(root, 'var/log/journal'), '--no-pager', '-n', '300'], { allowFail: true }).out}`,
    );
  }
});

after(() => {
  if (proxy) log(`the proxy (host's network) passed:\n${proxy.stop()}`);
  if (work) {
    // Nothing stays mounted after systemd-nspawn ends; check before removing the tree.
    const mounts = fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(work));
    if (mounts.length === 0 && process.env.JH4F_KEEP_WORK !== '1') fs.rmSync(work, { recursive: true, force: true });
    else log(`left ${work} in place${mounts.length ? `: still mounted ${mounts.join(', ')}` : ''}`);
  }
  log(
    `times (s): ${Object.entries(times)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
  );
});

test('the machine booted, ran the checks and powered off', () => {
  assert.equal(bootError, '', bootError);
  assert.match(resultsText, /^SECTION\tdone$/m, 'checks.sh did not finish');
  assert.deepEqual(
    [...results.keys()].filter((k) => !CHECKS.includes(k)),
    [],
    'checks the test does not know',
  );
});

for (const name of CHECKS) {
  test(`under systemd: ${name}`, () => {
    const r = results.get(name);
    assert.ok(r, `no result line for ${name}${bootError ? ` (${bootError})` : ''}`);
    log(`${name}: ${r.detail.slice(0, 600)}`);
    assert.ok(r.ok, `${name}: ${r.detail}`);
  });
}
