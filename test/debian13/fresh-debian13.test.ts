// Issue 12's acceptance on a fresh Debian 13: a debootstrap root file system (the
// cached one test/deb uses, unpacked into a throw-away directory) with nothing but
// `apt install git`; a clean `git clone` of this repository's committed HEAD; the
// README's set-up command, system/install.sh, run there exactly as the README says
// (it installs Node.js and npm from Debian, the hub's packages, the npm dependencies,
// builds, and starts the family hub and the panel in the background: no systemd);
// https://HOST:8000/ and https://HOST:8010/panel/ answer by the machine's name; then,
// on a private loopback-only network, the kid's story against Debian 13's JupyterHub
// 5.2 and JupyterLab 4.0 (test/debian13/kid-story.test.ts, run by the root's node).
//
// Run by test/debian13/run.sh (root). Steps run in private mount, UTS, pid and
// network namespaces (test/debian13/in-root.sh): the machine's hub and panel never
// meet the host's ports 8000 and 8010; apt and npm reach the mirror and the registry
// through this suite's proxy (test/fresh-root/net-proxy.ts, on a unix socket in the
// work directory). The host's /etc, accounts and /home are never touched. Caches
// for reruns, never required: the debootstrap tarball and the .debs of test/deb
// (read, never changed), and this suite's own downloads in /var/cache/jh4f-debian13 (JH4F_DEB_NO_CACHE=1: everything fresh, like CI).
// JH4F_D13_KEEP=1 keeps the work directory (for looking around after a failure).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  APT_ARCHIVES_CACHE,
  HOSTNAME,
  MIRROR,
  hostAccounts,
  log,
  makeWorkDir,
  marker,
  mountsUnder,
  printTimes,
  removeWorkDir,
  run,
  startNetProxy,
  unpackFreshRoot,
  useCache,
} from '../fresh-root/rootfs';

const REPO = path.resolve(__dirname, '..', '..');
const IN_ROOT = path.join(__dirname, 'in-root.sh');
const CLONE = 'root/jupyterhub4family';
const OWN_CACHE = '/var/cache/jh4f-debian13';
const hostBefore = hostAccounts();
const head = spawnSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
let work = '';
let root = '';
const cacheEnv: Record<string, string> = {};
const hubTestToken = randomBytes(32).toString('hex');
/** The way out for the steps that download (its env names the socket). */
let proxy: ReturnType<typeof startNetProxy> | undefined;

/** Paths in the fresh root. */
const inRoot = (p: string) => path.join(root, p);
const dpkgInstalled = (pkg: string) => spawnSync('chroot', [root, 'dpkg-query', '-W', '-f', '${db:Status-Abbrev}', pkg], { encoding: 'utf8' }).stdout.startsWith('ii');

before(() => {
  assert.equal(process.getuid?.(), 0, 'run as root: sudo bash test/debian13/run.sh');
  assert.match(head, /^[0-9a-f]{40}$/, 'the repository has a committed HEAD');
  const dirty = spawnSync('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).stdout.trim();
  if (dirty) log(`note: uncommitted changes are not tested (the clone is of HEAD ${head}):\n${dirty}`);
  ({ work, root } = makeWorkDir('jh4f-debian13-test.'));
  log(`work directory ${work}, HEAD ${head}`);
  // The way out for the steps that download; its log names each host it reached.
  proxy = startNetProxy(work);
  if (useCache) {
    // Our own copy of the .debs: test/deb's are hard-linked in (its cache is never
    // changed, and a test/deb run at the same time never shares apt's lock with us).
    const archives = path.join(OWN_CACHE, 'apt-archives');
    fs.mkdirSync(archives, { recursive: true });
    if (fs.existsSync(APT_ARCHIVES_CACHE)) {
      for (const f of fs.readdirSync(APT_ARCHIVES_CACHE).filter((n) => n.endsWith('.deb'))) {
        const to = path.join(archives, f);
        if (!fs.existsSync(to)) fs.linkSync(path.join(APT_ARCHIVES_CACHE, f), to);
      }
    }
    cacheEnv.JH4F_APT_ARCHIVES = archives;
    cacheEnv.JH4F_NPM_CACHE = path.join(OWN_CACHE, 'npm');
  }
});

after(() => {
  if (proxy) log(`the proxy (host's network) passed:\n${proxy.stop()}`);
  if (process.env.JH4F_D13_KEEP === '1') log(`kept ${work} (JH4F_D13_KEEP=1): remove it when done`);
  else removeWorkDir(work, root);
  printTimes();
});

test('a fresh Debian 13 with git and nothing else of ours', () => {
  unpackFreshRoot(root);
  proxy!.ready();
  run('apt install git', IN_ROOT, [root, 'prepare'], { env: { ...cacheEnv, ...proxy!.env } });
  // apt reached the mirror only through the proxy: the step has no other way out.
  assert.match(proxy!.reached(), new RegExp(` ${new URL(MIRROR).hostname.replace(/\./g, '\\.')}:\\d+$`, 'm'), "apt's mirror, through the proxy");
  assert.ok(dpkgInstalled('git'), 'git is installed');
  for (const pkg of ['nodejs', 'npm', 'jupyterhub', 'jupyterlab', 'polkitd']) assert.equal(dpkgInstalled(pkg), false, `${pkg} is not there before the set-up`);
  assert.equal(fs.existsSync(inRoot('etc/jupyterhub-panel')), false);
  assert.ok(fs.readdirSync(inRoot('etc/ssl/certs')).length > 100, "Debian's CA certificates and the host's extra ones are in place");
});

test('a clean git clone of the committed HEAD', () => {
  const bundle = path.join(work, 'jupyterhub4family.bundle');
  // HEAD and its branch, so the clone checks out the branch as a family's clone does.
  const branch = spawnSync('git', ['-C', REPO, 'symbolic-ref', '--short', '-q', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  run('git bundle', 'git', ['-C', REPO, 'bundle', 'create', bundle, 'HEAD', ...(branch ? [branch] : [])]);
  const r = run('git clone', IN_ROOT, [root, 'clone', bundle]);
  assert.equal(marker(r.out, 'HEAD'), head);
  assert.equal(marker(r.out, 'STATUS'), '0', 'a clean work tree');
  assert.equal(fs.existsSync(inRoot(`${CLONE}/node_modules`)), false, 'nothing installed in the clone');
});

test("the README's set-up command: Node.js, the family hub and the panel, from nothing", () => {
  const r = run('system/install.sh', IN_ROOT, [root, 'setup'], { env: { ...cacheEnv, ...proxy!.env }, allowFail: true, timeoutMs: 30 * 60_000 });
  assert.equal(marker(r.out, 'SETUP_RC'), '0', 'system/install.sh failed');
  // What it did, in the order it says (each line stamped with the seconds since it began).
  assert.match(r.out, /==> Node\.js: installing Debian's nodejs and npm/);
  assert.match(r.out, /==> Debian packages: installing /);
  assert.match(r.out, /==> npm dependencies: npm ci/);
  assert.match(r.out, /==> build: npm run build/);
  assert.match(r.out, /The family hub is running/);
  assert.match(r.out, /The jupyterhub4family panel is running:$/m);
  assert.match(r.out, /^\[[ \d.]+ s\] +https:\/\/familypc(\.\S+)?:8010\/panel\/$/m, "the panel's address, by the machine's name");
  const setupSteps = r.out.split('\n').filter((l) => / ==> /.test(l));
  log(`the set-up's steps (seconds since it began):\n${setupSteps.join('\n')}`);

  assert.equal(marker(r.out, 'HOST'), HOSTNAME);
  // Both answer by the machine's name, over https verified with the certificates the set-up made.
  const [hubCode, hubLanding] = marker(r.out, 'HUB_ROOT').split(' ');
  log(`https://${HOSTNAME}:8000/ -> ${hubCode} ${hubLanding}; https://${HOSTNAME}:8010/panel/ -> ${marker(r.out, 'PANEL_PAGE')}`);
  assert.equal(hubCode, '200', 'https://HOST:8000/ (redirects followed)');
  assert.match(hubLanding ?? '', new RegExp(`^https://${HOSTNAME}:8000/hub/`), "the hub's own pages");
  assert.match(JSON.parse(marker(r.out, 'HUB_API')).version, /^5\.2\./, "Debian 13's JupyterHub 5.2");
  const [panelCode, panelLanding] = marker(r.out, 'PANEL_PAGE').split(' ');
  assert.equal(panelCode, '200', 'https://HOST:8010/panel/ (redirects followed)');
  assert.match(panelLanding ?? '', new RegExp(`^https://${HOSTNAME}:8010/panel`), "the panel's own pages");
  assert.equal(JSON.parse(marker(r.out, 'PANEL_HEALTH')).ok, true);
  const versions = marker(r.out, 'VERSIONS');
  log(`Debian's packages the set-up installed: ${versions}`);
  assert.match(versions, /nodejs=20\./);
  assert.match(versions, /jupyterlab=4\.0\./);
  assert.ok(fs.existsSync(inRoot(`${CLONE}/node_modules/.jh4f-stamp`)) && fs.existsSync(inRoot(`${CLONE}/.next/BUILD_ID`)), 'npm ci and the build ran in the clone');
});

test("the kid's story against Debian 13's hub and JupyterLab", () => {
  // The test's own look at the hub's API (whose server is ready, a token for the
  // kid), through the file the set-up leaves for local changes; the second set-up
  // run restarts the hub with it.
  fs.writeFileSync(
    inRoot('etc/jupyterhub4family/local_config.py'),
    `# Test only (test/debian13): a service token for the test's own checks.
c.JupyterHub.services.append({'name': 'jh4f-debian13-test', 'api_token': '${hubTestToken}'})
c.JupyterHub.load_roles.append({
    'name': 'jh4f-debian13-test',
    'scopes': ['read:hub', 'read:users', 'read:servers', 'servers', 'access:servers', 'admin:users', 'admin:servers', 'tokens'],
    'services': ['jh4f-debian13-test'],
})
`,
    { mode: 0o600 },
  );
  const r = run('story', IN_ROOT, [root, 'story'], { env: { JH4F_D13_HUB_TOKEN: hubTestToken }, allowFail: true, timeoutMs: 20 * 60_000 });
  assert.equal(marker(r.out, 'RERUN_RC'), '0', 'the set-up command run again (no network) failed');
  assert.match(r.out, /==> npm dependencies: up to date/);
  assert.match(r.out, /==> build: up to date/);
  assert.equal(marker(r.out, 'STORY_RC'), '0', "the kid's story failed (see its output above)");
  const fails = [...r.out.matchAll(/^ℹ fail (\d+)$/gm)].map((m) => Number(m[1]));
  const passes = [...r.out.matchAll(/^ℹ pass (\d+)$/gm)].map((m) => Number(m[1]));
  assert.deepEqual(fails, [0]);
  assert.ok((passes[0] ?? 0) >= 8, `the kid's story ran its steps (${passes[0]} passed)`);
  const ready = /@@READY_SECONDS (\S+)/.exec(r.out)?.[1];
  log(`the kid's first server was ready ${ready} s after the spawn request`);
});

test('the host was not touched, nothing is left mounted', () => {
  assert.deepEqual(hostAccounts(), hostBefore, "the host's account files changed");
  assert.deepEqual(mountsUnder(root), [], 'mounts left in the fresh root');
});
