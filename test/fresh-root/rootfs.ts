// A fresh Debian 13 (trixie) root file system for the tests that play "a new
// machine": test/deb (the Debian package) and test/debian13 (the README's set-up
// command from a clone). Made with debootstrap once and kept as a tarball in
// /var/cache/jh4f-debootstrap; every run unpacks its own copy into a throw-away
// directory and never changes the cache (JH4F_DEB_NO_CACHE=1: debootstrap from
// scratch, as on a fresh CI machine). Also the small helpers both suites share:
// a command runner that logs output and durations, the @@MARKER lines their
// in-root scripts print, the host's account files for the "untouched" check, and
// the proxy that is the only way out of their private networks.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const SUITE = 'trixie';
export const MIRROR = process.env.JH4F_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
export const CACHE_DIR = '/var/cache/jh4f-debootstrap';
export const useCache = process.env.JH4F_DEB_NO_CACHE !== '1';
export const arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim();
export const ROOTFS_TARBALL = path.join(CACHE_DIR, `${SUITE}-${arch}-rootfs.tar.zst`);
/** Debian 13 .debs downloaded by earlier runs of test/deb (apt's archives folder). */
export const APT_ARCHIVES_CACHE = path.join(CACHE_DIR, `apt-archives-${SUITE}-${arch}`);
/** The fresh machine's host name (its certificate's subjectAltNames name it). */
export const HOSTNAME = 'familypc';

export function log(text: string) {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Seconds each labelled step took, summed over repeats; printed at the end of a suite. */
export const times: Record<string, number> = {};

export function printTimes() {
  log(
    `times (s): ${Object.entries(times)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
  );
}

/**
 * Runs a command, shows its output in the log, returns it; fails the test on a bad
 * exit. `quiet`: the output only when it failed (its last 20,000 characters).
 */
export function run(label: string, cmd: string, args: string[], opts: { env?: Record<string, string>; allowFail?: boolean; timeoutMs?: number; quiet?: boolean } = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 20 * 60_000,
  });
  times[label] = (times[label] ?? 0) + (Date.now() - started) / 1000;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  log(`----- ${label}: ${cmd} ${args.join(' ')} (exit ${r.status}, ${times[label].toFixed(1)} s)`);
  if (!opts.quiet) log(out);
  else if (r.status !== 0) log(out.length > 20_000 ? `...\n${out.slice(-20_000)}` : out);
  if (!opts.allowFail) assert.equal(r.status, 0, `${label} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''})`);
  return { status: r.status, out };
}

/** The value of the first `@@NAME value` line an in-root script printed. */
export function marker(out: string, name: string): string {
  const line = out.split('\n').find((l) => l.startsWith(`@@${name} `));
  assert.ok(line, `no @@${name} line in the output`);
  return line.slice(name.length + 3);
}

/** Hashes of the host's account files, to compare before and after a suite. */
export function hostAccounts(): string[] {
  return ['passwd', 'group', 'shadow', 'gshadow'].map((f) => spawnSync('sha256sum', [`/etc/${f}`], { encoding: 'utf8' }).stdout);
}

/** A throw-away work directory (JH4F_DEB_WORK, default /var/tmp) with an empty `root` in it. */
export function makeWorkDir(prefix: string): { work: string; root: string } {
  const work = fs.mkdtempSync(path.join(process.env.JH4F_DEB_WORK || '/var/tmp', prefix));
  const root = path.join(work, 'root');
  fs.mkdirSync(root);
  return { work, root };
}

/**
 * Fills ROOT with a fresh Debian 13: the cached debootstrap tarball unpacked (or a
 * new debootstrap, cached for the next run). Then its own resolv.conf (for apt) and
 * its host name.
 */
export function unpackFreshRoot(root: string) {
  if (useCache && fs.existsSync(ROOTFS_TARBALL)) {
    run('rootfs (cached)', 'tar', ['--zstd', '-xpf', ROOTFS_TARBALL, '-C', root, '--numeric-owner']);
  } else {
    run('debootstrap', 'debootstrap', [SUITE, root, MIRROR]);
    if (useCache) {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${ROOTFS_TARBALL}.new.${process.pid}`;
      run('rootfs cache', 'tar', ['--zstd', '-cpf', tmp, '-C', root, '--numeric-owner', '.']);
      fs.renameSync(tmp, ROOTFS_TARBALL);
    }
  }
  const osRelease = fs.readFileSync(path.join(root, 'etc/os-release'), 'utf8');
  assert.match(osRelease, /VERSION_CODENAME=trixie/);
  // Name resolution for apt inside the root (its own /etc, not the host's).
  fs.copyFileSync('/etc/resolv.conf', path.join(root, 'etc/resolv.conf'));
  fs.writeFileSync(path.join(root, 'etc/hostname'), `${HOSTNAME}\n`);
}

/** Mount points at or under DIR in this process's mount namespace. */
export function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/**
 * Removes the work directory. The in-root scripts unmount what they mounted in their
 * private namespaces; anything still mounted here is unmounted first, and the tree
 * stays (and says so) if that fails, rather than deleting through a mount.
 */
export function removeWorkDir(work: string, root: string) {
  if (!work) return;
  for (const m of mountsUnder(root).reverse()) spawnSync('umount', ['-l', m]);
  const left = mountsUnder(root);
  if (left.length === 0) fs.rmSync(work, { recursive: true, force: true });
  else log(`left ${work} in place: still mounted ${left.join(', ')}`);
}

/**
 * The way out of the fresh root's private network (test/fresh-root/net-proxy.ts
 * serve, in the host's network, on a root-only unix socket in WORK). `env` goes to
 * the in-root steps that download (JH4F_NET_PROXY); `stop()` ends the proxy and
 * returns its log: every host it reached. Why a private network for every step:
 * the root's own family hub (8000) and panel must never meet the host's ports, and
 * the package's postinst refuses to set up the hub while something holds 8000.
 */
export function startNetProxy(work: string) {
  const socket = path.join(work, 'net-proxy.sock');
  const logFile = path.join(work, 'net-proxy.log');
  const logFd = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'net-proxy.ts'), 'serve', socket, logFile], {
    cwd: path.resolve(__dirname, '..', '..'),
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  return {
    env: { JH4F_NET_PROXY: socket } as Record<string, string>,
    /** Waits (up to 10 s) until the proxy listens; fails the test if it does not, or if others may use it. */
    ready() {
      for (let i = 0; i < 100 && !fs.existsSync(socket); i++) spawnSync('sleep', ['0.1']);
      assert.ok(fs.existsSync(socket), `the proxy listens on ${socket} (see ${logFile})`);
      assert.equal(fs.statSync(socket).mode & 0o077, 0, 'only root may use the proxy');
    },
    reached(): string {
      return fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    },
    stop(): string {
      if (child.exitCode === null) child.kill('SIGTERM');
      return this.reached();
    },
  };
}
