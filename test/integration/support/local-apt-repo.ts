// A local apt world for the updates tests, inside the sandbox (its overlays over
// /etc, /var and /usr make every change here throwaway): two small packages built
// with dpkg-deb, version 1.0 of each installed with dpkg -i, 1.1 of each in a flat
// file: repository made with apt-ftparchive, one labelled like Debian's security
// archive (Origin Debian, Label Debian-Security, Suite ending in -security), one
// ordinary. apt is pointed at only these two ([trusted=yes]: unsigned), with the
// sandbox's own sources and lists put back by restore().
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Under /var (an overlay, readable by apt's _apt user and the panel's account), not /root (0700). */
export const REPO_ROOT = '/var/tmp/jh4f-updates-test';
export const SECURITY_PACKAGE = 'jh4f-test-security-fix';
export const OTHER_PACKAGE = 'jh4f-test-feature';

const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', DEBIAN_FRONTEND: 'noninteractive' } as unknown as NodeJS.ProcessEnv;
export const run = (cmd: string, args: string[], cwd = '/'): string => execFileSync(cmd, args, { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });

export const BROKEN_PACKAGE = 'jh4f-test-broken';
/**
 * The broken package's 1.1 postinst fails once, while this file exists, and removes
 * it: apt's run fails, and only a second configure (the helper's dpkg --configure -a)
 * finishes the package, so a clean dpkg --audit shows the helper's repair ran.
 */
export const BROKEN_MARKER = `${REPO_ROOT}/postinst-fails`;

function buildDeb(name: string, version: string, into: string, postinst?: string): string {
  const root = path.join(REPO_ROOT, 'build', `${name}-${version}`);
  fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/share/doc', name), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/share/doc', name, 'README'), `${name} ${version}: a package of the updates test\n`);
  fs.writeFileSync(
    path.join(root, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: jupyterhub4family tests <tests@localhost>\nSection: misc\nPriority: optional\nDescription: updates test package\n made by test/integration/support/local-apt-repo.ts\n`,
  );
  if (postinst) fs.writeFileSync(path.join(root, 'DEBIAN/postinst'), postinst, { mode: 0o755 });
  fs.mkdirSync(into, { recursive: true });
  const deb = path.join(into, `${name}_${version}_all.deb`);
  run('/usr/bin/dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, deb]);
  return deb;
}

function flatRepository(dir: string, release: Record<string, string>): void {
  fs.writeFileSync(path.join(dir, 'Packages'), execFileSync('/usr/bin/apt-ftparchive', ['packages', '.'], { cwd: dir, encoding: 'utf8', env }));
  const options = Object.entries(release).flatMap(([k, v]) => ['-o', `APT::FTPArchive::Release::${k}=${v}`]);
  fs.writeFileSync(path.join(dir, 'Release'), execFileSync('/usr/bin/apt-ftparchive', [...options, 'release', '.'], { cwd: dir, encoding: 'utf8', env }));
}

const BACKUP = path.join(REPO_ROOT, 'backup');
const SOURCES = ['/etc/apt/sources.list', '/etc/apt/sources.list.d'];
const LISTS = '/var/lib/apt/lists';

/** Builds the packages and the two repositories, installs 1.0, points apt at the repositories only and runs apt-get update. */
export function setUpLocalRepository(): void {
  fs.rmSync(REPO_ROOT, { recursive: true, force: true });
  fs.mkdirSync(BACKUP, { recursive: true });
  fs.chmodSync(REPO_ROOT, 0o755);
  const installed = [buildDeb(SECURITY_PACKAGE, '1.0', path.join(REPO_ROOT, 'installed')), buildDeb(OTHER_PACKAGE, '1.0', path.join(REPO_ROOT, 'installed'))];
  run('/usr/bin/dpkg', ['-i', ...installed]);
  const security = path.join(REPO_ROOT, 'repo/security');
  const updates = path.join(REPO_ROOT, 'repo/updates');
  buildDeb(SECURITY_PACKAGE, '1.1', security);
  buildDeb(OTHER_PACKAGE, '1.1', updates);
  flatRepository(security, { Origin: 'Debian', Label: 'Debian-Security', Suite: 'jh4f-security', Codename: 'jh4f-security', Version: '13' });
  flatRepository(updates, { Origin: 'Jh4fTest', Label: 'Jh4fTest', Suite: 'jh4f-updates', Codename: 'jh4f-updates', Version: '13' });
  run('/usr/bin/chmod', ['-R', 'a+rX', REPO_ROOT]);

  for (const p of [...SOURCES, LISTS]) if (fs.existsSync(p)) run('/usr/bin/cp', ['-a', p, path.join(BACKUP, path.basename(p))]);
  fs.rmSync('/etc/apt/sources.list', { force: true });
  fs.rmSync('/etc/apt/sources.list.d', { recursive: true, force: true });
  fs.mkdirSync('/etc/apt/sources.list.d', { mode: 0o755 });
  fs.writeFileSync('/etc/apt/sources.list.d/jh4f-updates-test.list', `deb [trusted=yes] file:${security} ./\ndeb [trusted=yes] file:${updates} ./\n`);
  run('/usr/bin/apt-get', ['update', '-q']);
}

/**
 * Adds a package whose upgrade fails: 1.0 installed, 1.1 in the ordinary suite
 * with a postinst that prints a message and fails the first time (BROKEN_MARKER). apt-get update.
 */
export function addBrokenUpgrade(): void {
  run('/usr/bin/dpkg', ['-i', buildDeb(BROKEN_PACKAGE, '1.0', path.join(REPO_ROOT, 'installed'))]);
  const updates = path.join(REPO_ROOT, 'repo/updates');
  const script = `#!/bin/sh\nset -e\nif [ -e ${BROKEN_MARKER} ]; then\n  rm -f ${BROKEN_MARKER}\n  echo "jh4f-test-broken: the test made this postinst fail" >&2\n  exit 1\nfi\n`;
  buildDeb(BROKEN_PACKAGE, '1.1', updates, script);
  fs.writeFileSync(BROKEN_MARKER, '');
  flatRepository(updates, { Origin: 'Jh4fTest', Label: 'Jh4fTest', Suite: 'jh4f-updates', Codename: 'jh4f-updates', Version: '13' });
  run('/usr/bin/chmod', ['-R', 'a+rX', REPO_ROOT]);
  run('/usr/bin/apt-get', ['update', '-q']);
}

/** Puts the sandbox's apt sources and lists back, removes the test packages and the reboot marker. */
export function restore(): void {
  for (const p of [...SOURCES, LISTS]) {
    const saved = path.join(BACKUP, path.basename(p));
    if (!fs.existsSync(saved)) continue;
    fs.rmSync(p, { recursive: true, force: true });
    run('/usr/bin/cp', ['-a', saved, p]);
  }
  fs.rmSync(BROKEN_MARKER, { force: true });
  run('/usr/bin/dpkg', ['--purge', SECURITY_PACKAGE, OTHER_PACKAGE, BROKEN_PACKAGE]);
  fs.rmSync('/run/reboot-required', { force: true });
  fs.rmSync('/run/reboot-required.pkgs', { force: true });
  fs.rmSync(REPO_ROOT, { recursive: true, force: true });
}
