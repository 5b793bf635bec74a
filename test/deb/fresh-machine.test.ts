// Acceptance test of the Debian package: a fresh Debian 13 (trixie) root
// file system made with debootstrap; the built .deb installed into it with apt and
// Debian's own nodejs; the panel started the way its systemd unit runs it; a healthy
// answer over HTTPS verified with the package's certificate; the root helper run
// through pkexec as the panel account; then purge, and no trace of the package.
// Shows lintian's and systemd-analyze's output.
//
// Run by test/deb/run.sh (root; it builds the .deb first). Everything happens inside
// a throw-away directory (JH4F_DEB_WORK, default /var/tmp) with private mount, pid
// and network namespaces (test/deb/in-root.sh); apt reaches Debian's mirror through
// this suite's proxy (test/fresh-root/net-proxy.ts), so the host's port 8000 never
// decides what postinst does; the host's /etc, accounts and /home are never touched.
// The finished debootstrap root and the downloaded .debs are cached in
// /var/cache/jh4f-debootstrap (JH4F_DEB_NO_CACHE=1: fresh, like CI).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { APT_ARCHIVES_CACHE, arch, hostAccounts, log, makeWorkDir, marker, printTimes, removeWorkDir, run, startNetProxy, times, unpackFreshRoot, useCache } from '../fresh-root/rootfs';

const REPO = path.resolve(__dirname, '..', '..');
const IN_ROOT = path.join(__dirname, 'in-root.sh');
const PACKAGE = 'jupyterhub4family-panel';
const PORT = 8210;
const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;
const DEB = process.env.JH4F_DEB || path.join(REPO, 'dist', `${PACKAGE}_${version}_${arch}.deb`);

let work = '';
let lintian: Promise<{ status: number | null; out: string }> | undefined;
const hostBefore = hostAccounts();
let root = '';
let proxy: ReturnType<typeof startNetProxy> | undefined;

before(() => {
  assert.equal(process.getuid?.(), 0, 'run as root: sudo bash test/deb/run.sh');
  assert.ok(fs.existsSync(DEB), `${DEB} is missing: run npm run deb (test/deb/run.sh does)`);
  ({ work, root } = makeWorkDir('jh4f-deb-test.'));
  log(`work directory ${work}, package ${DEB}`);
  proxy = startNetProxy(work);
  // lintian takes a minute or two: it runs while the root file system is made.
  lintian = new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('lintian', ['--tag-display-limit', '0', DEB], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => resolve({ status: null, out: `${out}${e.message}` }));
    child.on('close', (status) => {
      times.lintian = (Date.now() - started) / 1000;
      resolve({ status, out });
    });
  });
});

after(() => {
  if (proxy) log(`the proxy (host's network) passed:\n${proxy.stop()}`);
  // in-root.sh unmounts everything it mounted; removeWorkDir makes sure before removing the tree.
  removeWorkDir(work, root);
  printTimes();
});

test('a fresh Debian 13 root file system', () => {
  unpackFreshRoot(root);
  proxy!.ready();
});

test('apt installs the .deb with Debian 13 packages only', () => {
  const env: Record<string, string> = { ...proxy!.env };
  if (useCache) {
    env.JH4F_APT_ARCHIVES = APT_ARCHIVES_CACHE;
  }
  const r = run('apt install', IN_ROOT, [root, 'install', DEB], { env });
  assert.match(r.out, /==> account jupyterhub-panel: creating/);
  assert.match(r.out, /==> TLS certificate: creating/);
  const status = run('dpkg -s', 'chroot', [root, 'dpkg-query', '-W', '-f', '${Status} ${Version}\n', PACKAGE, 'nodejs']);
  assert.match(status.out, /install ok installed/);
  log(`nodejs in the root: ${status.out.trim().split('\n').at(-1)}`);
  const passwd = fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8');
  assert.match(passwd, /^jupyterhub-panel:x:\d+:\d+:[^:]*:\/var\/lib\/jupyterhub-panel:\/usr\/sbin\/nologin$/m);
  const group = fs.readFileSync(path.join(root, 'etc/group'), 'utf8');
  assert.match(group, /^shadow:x:\d+:.*\bjupyterhub-panel\b/m);
  assert.match(group, /^jupyterhub:/m);
  assert.match(group, /^jupyterhub_adm:/m);
  const cert = run('certificate', 'openssl', ['x509', '-in', path.join(root, 'etc/jupyterhub-panel/tls/cert.pem'), '-noout', '-ext', 'subjectAltName']);
  assert.match(cert.out, /DNS:localhost/);
  assert.match(cert.out, /IP Address:127\.0\.0\.1/);
  const helper = fs.statSync(path.join(root, 'usr/libexec/jupyterhub-panel/helper'));
  assert.equal(helper.mode & 0o7777, 0o755);
  assert.equal(helper.uid, 0);
  assert.equal(fs.readFileSync(path.join(root, 'usr/libexec/jupyterhub-panel/helper'), 'utf8').split('\n')[0], '#!/usr/bin/node');

  // The family hub: Debian's packages, our configuration, its certificate and the panel's token.
  for (const f of [
    'etc/jupyterhub4family/jupyterhub_config.py',
    'etc/jupyterhub4family/tls/cert.pem',
    'etc/jupyterhub-panel/hub-token',
    'usr/lib/systemd/system/jupyterhub.service.d/jupyterhub4family.conf',
    'usr/lib/jupyterhub4family/python/jupyterhub4family/hours.py',
  ]) {
    assert.ok(fs.existsSync(path.join(root, f)), `${f} after installation`);
  }
  const hubPackages = run('hub packages', 'chroot', [root, 'dpkg-query', '-W', '-f', '${Package} ${Version}\n', 'jupyterhub', 'jupyterlab', 'python3-ipykernel']);
  log(`the family hub's packages: ${hubPackages.out.trim().split('\n').join(', ')}`);
  assert.match(hubPackages.out, /^jupyterhub 5\./m);
  assert.match(hubPackages.out, /^jupyterlab 4\./m);

  // A second configure (what an upgrade runs) keeps account, configuration and certificate.
  const certBefore = fs.readFileSync(path.join(root, 'etc/jupyterhub-panel/tls/cert.pem'), 'utf8');
  const again = run('reinstall', IN_ROOT, [root, 'install', DEB, '--reinstall'], { env });
  assert.match(again.out, /TLS certificate: keeping/);
  assert.doesNotMatch(again.out, /creating/);
  assert.equal(fs.readFileSync(path.join(root, 'etc/jupyterhub-panel/tls/cert.pem'), 'utf8'), certBefore);
});

test('systemd-analyze verify passes on the installed unit', () => {
  const r = run('systemd-analyze', IN_ROOT, [root, 'verify-unit']);
  assert.equal(marker(r.out, 'VERIFY_RC'), '0');
  const unit = fs.readFileSync(path.join(root, 'usr/lib/systemd/system/jupyterhub-panel.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/bin\/node( --\S+)* \/usr\/lib\/jupyterhub-panel\/dist\/server\/server\.js$/m);
  assert.match(unit, /^NoNewPrivileges=yes$/m);
  for (const helperUnit of ['jupyterhub-panel-helper.socket', 'jupyterhub-panel-helper.service']) {
    assert.ok(fs.existsSync(path.join(root, 'usr/lib/systemd/system', helperUnit)), helperUnit);
  }
  assert.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/sockets.target.wants/jupyterhub-panel-helper.socket')), '/usr/lib/systemd/system/jupyterhub-panel-helper.socket');
  // Enabled at installation (deb-systemd-helper), started once systemd runs.
  assert.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/multi-user.target.wants/jupyterhub-panel.service')), '/usr/lib/systemd/system/jupyterhub-panel.service');
});

test('the panel starts as its unit runs it and answers over HTTPS', () => {
  const envFile = path.join(root, 'etc/jupyterhub-panel/panel.env');
  fs.writeFileSync(envFile, fs.readFileSync(envFile, 'utf8').replace(/^JH4F_PORT=.*$/m, `JH4F_PORT=${PORT}`));
  const r = run('serve', IN_ROOT, [root, 'serve', String(PORT)], { allowFail: true });
  const health = marker(r.out, 'HEALTH');
  assert.notEqual(health, 'none', 'no answer from /panel/api/health');
  assert.equal(JSON.parse(health).ok, true, health);
  assert.equal(marker(r.out, 'PANEL_USER'), 'jupyterhub-panel');
  assert.equal(marker(r.out, 'NNP'), '1', 'the panel runs with NoNewPrivileges, as its unit says');
  assert.equal(marker(r.out, 'TLS_BY_NAME'), 'ok');
  const [rc, ...rest] = marker(r.out, 'HELPER').split(' ');
  assert.equal(rc, '0', `list-members over the helper's socket: ${rest.join(' ')}`);
  assert.equal(JSON.parse(rest.join(' ')).ok, true);
  const [hubRc, ...hubAnswer] = marker(r.out, 'HUB').split(' ');
  assert.equal(hubRc, '0', 'family-hub start');
  assert.match(JSON.parse(hubAnswer.join(' ')).version, /^5\./, "Debian 13's JupyterHub answers over https with the family hub's certificate");
  assert.equal(r.status, 0, 'serve step failed');
});

test("purge leaves no trace of the package, and the kids' homes", () => {
  const files = fs
    .readFileSync(path.join(root, `var/lib/dpkg/info/${PACKAGE}.list`), 'utf8')
    .split('\n')
    .filter(Boolean);
  // A kid with a home and work in it: purge must never touch it.
  run('a kid', 'chroot', [root, 'useradd', '--create-home', 'kid']);
  fs.writeFileSync(path.join(root, 'home/kid/notebook.ipynb'), '{}\n');
  run('apt purge', IN_ROOT, [root, 'purge']);
  assert.equal(fs.readFileSync(path.join(root, 'home/kid/notebook.ipynb'), 'utf8'), '{}\n', "the kid's home stays");
  run('the kid goes (test clean-up)', 'chroot', [root, 'userdel', '--remove', 'kid']);
  for (const f of [
    'etc/jupyterhub4family',
    'var/lib/jupyterhub/jupyterhub.sqlite',
    'var/lib/jupyterhub/jupyterhub_cookie_secret',
    'usr/lib/systemd/system/jupyterhub.service.d/jupyterhub4family.conf',
    'usr/lib/jupyterhub4family',
    'var/log/jupyterhub4family',
    'var/lib/jupyterhub4family',
  ]) {
    assert.equal(fs.existsSync(path.join(root, f)), false, `${f} is gone after purge`);
  }
  const shared = new Set([
    '/.',
    '/etc',
    '/etc/pam.d',
    '/usr',
    '/usr/bin',
    '/usr/lib',
    '/usr/libexec',
    '/usr/share',
    '/usr/share/doc',
    '/usr/share/man',
    '/usr/share/man/man1',
    '/usr/share/polkit-1',
    '/usr/share/polkit-1/actions',
    '/usr/share/polkit-1/rules.d',
    '/usr/lib/systemd',
    '/usr/lib/systemd/system',
  ]);
  const left = files.filter((f) => !shared.has(f) && fs.existsSync(path.join(root, f)));
  assert.deepEqual(left, [], 'files of the package left after purge');
  // Debian's jupyterhub package stays (a dependency, not ours): only our names count.
  const named = spawnSync('find', [root, '-xdev', '(', '-iname', '*jupyterhub-panel*', '-o', '-iname', '*jupyterhub4family*', ')', '-not', '-path', `${root}/tmp/*`], {
    encoding: 'utf8',
  }).stdout.trim();
  assert.equal(named, '', 'paths named after the package left after purge');
  for (const db of ['passwd', 'group', 'shadow', 'gshadow', 'subuid', 'subgid']) {
    const p = path.join(root, 'etc', db);
    if (fs.existsSync(p)) assert.doesNotMatch(fs.readFileSync(p, 'utf8'), /jupyterhub/, `/etc/${db} still names jupyterhub (our account and the groups we made)`);
  }
  // /etc/passwd- and friends are shadow-utils' copies of the previous version of each
  // file (from before userdel/groupdel): they are rewritten by the next change, not ours to edit.
  const grep = spawnSync(
    'grep',
    [
      '-rlE',
      '--exclude=passwd-',
      '--exclude=group-',
      '--exclude=shadow-',
      '--exclude=gshadow-',
      'jupyterhub-panel|jupyterhub4family|jupyterhub_adm',
      path.join(root, 'etc'),
      path.join(root, 'var/lib/systemd'),
      path.join(root, 'var/lib/polkit-1'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(grep.stdout.trim(), '', 'configuration naming jupyterhub left after purge');
  const dpkg = spawnSync('chroot', [root, 'dpkg-query', '-W', PACKAGE], { encoding: 'utf8' });
  assert.notEqual(dpkg.status, 0, 'dpkg still knows the package');
  log(`purge: ${files.length} package paths checked, none left; no account, group, configuration, data or log left`);
});

test('lintian reports no errors on the package', async () => {
  assert.ok(lintian);
  const r = await lintian;
  log(`----- lintian ${DEB} (exit ${r.status}, ${times.lintian?.toFixed(1)} s)\n${r.out}`);
  const errors = r.out.split('\n').filter((l) => l.startsWith('E: '));
  assert.deepEqual(errors, [], 'lintian errors');
  assert.ok(r.status === 0 || r.status === 2, `lintian exit ${r.status}`);
});

test('the host was not touched', () => {
  assert.deepEqual(hostAccounts(), hostBefore, "the host's account files changed");
});
