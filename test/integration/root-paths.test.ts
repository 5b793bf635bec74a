// SECURITY-CASES.md 30: root never writes through a
// path the panel's service account controls.
//
// Setup, in the sandbox: the panel installed by the set-up command. As the account
// jupyterhub-panel (an attacker who took over the panel), every file in every
// directory that account owns is replaced by a symlink, and new names the set-up,
// the package's postinst or a later version might use are added as symlinks too.
// Half of the links point at existing root files (canaries, and /etc/shadow), half
// at names in root-owned folders that do not exist (/etc/cron.d/..., /root/...).
// Then root runs the set-up command again, and the package's postinst (configure,
// as an upgrade runs it). Checked: no root file changed (content, owner, mode,
// mtime), no file appeared at a link's target; the links in the panel's own two
// folders were moved aside by the panel account and the panel answers again. Afterwards the sandbox is put back.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sandboxEnv } from '../sandbox/fixtures';
import { request } from '../sandbox/http';

const env = sandboxEnv();
const REPO = path.resolve(__dirname, '..', '..');
const PANEL = 'jupyterhub-panel';
const panelUid = Number(execFileSync('id', ['-u', PANEL], { encoding: 'utf8' }));
const panelGid = Number(execFileSync('id', ['-g', PANEL], { encoding: 'utf8' }));

/** Names any of our root scripts writes, or once wrote, in the panel's folders. */
const NEW_NAMES = ['panel.log', 'polkitd.log', 'hub.log', 'panel.pid', 'polkitd.pid', 'hub.pid', 'helper.pid', '.created-groups', 'created-groups', 'panel.db', 'hub-token'];

/** The links a security review planted, so each of its findings is hit exactly. */
const FIXED_TARGETS: Record<string, string> = {
  'panel.log': '/etc/cron.d/jh4f-planted-cron',
  'panel.pid': '/etc/jh4f-canary-a',
  'polkitd.pid': '/etc/jh4f-canary-b',
  '.created-groups': '/etc/shadow',
};

const CANARIES = ['/etc/jh4f-canary-a', '/etc/jh4f-canary-b', '/root/jh4f-canary-c'];
const MISSING_PREFIX = ['/etc/cron.d/jh4f-planted', '/root/jh4f-planted', '/etc/jh4f-planted'];

interface FileFacts {
  sha: string;
  uid: number;
  gid: number;
  mode: number;
  mtimeMs: number;
}

function facts(file: string): FileFacts {
  const st = fs.statSync(file);
  return { sha: createHash('sha256').update(fs.readFileSync(file)).digest('hex'), uid: st.uid, gid: st.gid, mode: st.mode, mtimeMs: st.mtimeMs };
}

/** Directories the panel account owns or may write through its group, under the sandbox's own file systems. */
function panelWritableDirs(): string[] {
  const out = execFileSync('find', ['/etc', '/home', '/var', '/usr', '/run', '-xdev', '-type', 'd', '(', '-user', PANEL, '-o', '(', '-group', PANEL, '-perm', '-g+w', ')', ')', '-print'], {
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean);
}

/** As the panel account: ln -sfn TARGET NAME. */
function plant(target: string, name: string): void {
  execFileSync('setpriv', [`--reuid=${panelUid}`, `--regid=${panelGid}`, '--clear-groups', '--', 'ln', '-sfn', '--', target, name]);
}

const ROOT_FILES = ['/etc/shadow', '/etc/passwd', '/etc/group', '/etc/gshadow', ...CANARIES];
let dirs: string[] = [];
const planted: { link: string; target: string }[] = [];
const backup = fs.mkdtempSync('/root/jh4f-root-paths.');
const rootBefore = new Map<string, FileFacts>();

function panelPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.statSync(`/proc/${p}`).uid === panelUid && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('/dist/server/server.js');
      } catch {
        return false;
      }
    })
    .map(Number);
}

function stopPanel(): void {
  for (const pid of panelPids()) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (panelPids().length > 0 && Date.now() < deadline) spawnSync('sleep', ['0.1']);
  for (const pid of panelPids()) process.kill(pid, 'SIGKILL');
}

before(() => {
  // A consistent copy of the panel's folders (database included) to put back afterwards.
  stopPanel();
  dirs = panelWritableDirs();
  assert.ok(dirs.includes('/var/lib/jupyterhub-panel'), `the panel's data folder is among its folders: ${dirs.join(' ')}`);
  assert.ok(dirs.includes('/var/log/jupyterhub-panel'), 'and its log folder');
  for (const [i, dir] of dirs.entries()) execFileSync('cp', ['-a', '--', dir, path.join(backup, String(i))]);

  for (const [i, file] of CANARIES.entries()) {
    fs.writeFileSync(file, `canary ${i}: root's own file\n`, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  }
  for (const file of ROOT_FILES) rootBefore.set(file, facts(file));

  let n = 0;
  const nextTarget = (): string => {
    n += 1;
    if (n % 2 === 0) return ROOT_FILES[n % ROOT_FILES.length]!;
    return `${MISSING_PREFIX[n % MISSING_PREFIX.length]}-${n}`;
  };
  for (const dir of dirs) {
    const names = new Set([...fs.readdirSync(dir), ...NEW_NAMES]);
    for (const name of names) {
      const link = path.join(dir, name);
      const st = fs.lstatSync(link, { throwIfNoEntry: false });
      if (st?.isDirectory()) continue; // its files are planted as part of its own listing
      const target = FIXED_TARGETS[name] ?? nextTarget();
      plant(target, link);
      planted.push({ link, target });
    }
  }
  assert.ok(planted.length >= dirs.length * NEW_NAMES.length, 'every folder got its links');
});

/** Put the sandbox back: the planted links go, the saved folders come back, the set-up starts the panel again. */
let restored = false;
function restore(): void {
  if (restored) return;
  restored = true;
  stopPanel();
  for (const [i, dir] of dirs.entries()) {
    execFileSync('rm', ['-rf', '--one-file-system', '--', dir]);
    execFileSync('cp', ['-a', '--', path.join(backup, String(i)), dir]);
  }
  fs.rmSync(backup, { recursive: true, force: true });
  for (const file of CANARIES) fs.rmSync(file, { force: true });
  execFileSync(path.join(REPO, 'system', 'install.sh'), { stdio: 'pipe', timeout: 5 * 60_000 });
}
after(restore); // also when a test above failed

function assertNoRootWrite(when: string): void {
  const seen = new Set<string>();
  for (const [file, was] of rootBefore) assert.deepEqual(facts(file), was, `${when}: ${file} is unchanged`);
  for (const { link, target } of planted) {
    if (ROOT_FILES.includes(target) || seen.has(target)) continue;
    seen.add(target);
    assert.equal(fs.existsSync(target), false, `${when}: nothing was created at ${target} through ${link}`);
  }
  for (const { link } of planted) {
    const st = fs.lstatSync(link, { throwIfNoEntry: false });
    if (st && !st.isSymbolicLink()) assert.equal(st.uid, panelUid, `${when}: ${link} was not replaced by a root-owned file`);
  }
}

test("the set-up command, run again by root, writes through none of the panel account's links, moves them aside and starts the panel", async () => {
  const r = spawnSync(path.join(REPO, 'system', 'install.sh'), { encoding: 'utf8', timeout: 5 * 60_000 });
  assert.notEqual(r.signal, 'SIGTERM', `the set-up command did not hang on a planted name:\n${r.stdout}${r.stderr}`);
  assertNoRootWrite('after the set-up command');
  assert.equal(r.status, 0, `the set-up recovers from the planted links:\n${r.stdout}${r.stderr}`);
  // Each link in the panel's own two folders was moved aside (by the panel account), one line each.
  for (const { link } of planted.filter((p) => ['/var/lib/jupyterhub-panel', '/var/log/jupyterhub-panel'].includes(path.dirname(p.link)))) {
    const st = fs.lstatSync(link, { throwIfNoEntry: false });
    assert.ok(!st?.isSymbolicLink(), `${link} is no longer a link`);
    const line = r.stdout.split('\n').find((l) => l.includes(`panel files: ${link} was not a file of ${PANEL}'s own`));
    assert.ok(line, `the set-up said it moved ${link} aside:\n${r.stdout}`);
    const aside = /moved aside to (\S+)$/.exec(line)![1]!;
    assert.equal(fs.lstatSync(aside).isSymbolicLink(), true, `${aside} is the planted link, kept for a look`);
    assert.equal(fs.lstatSync(aside).uid, panelUid, 'moved by the panel account, not replaced by root');
  }
  const res = await request(`${env.panelUrl}/api/health`);
  assert.equal(res.status, 200, res.body);
});

test("the package's postinst configure (an upgrade), run by root, writes through none of them", () => {
  // What the .deb installs for its maintainer scripts.
  fs.mkdirSync('/usr/share/jupyterhub-panel', { recursive: true });
  fs.copyFileSync(path.join(REPO, 'system', 'lib', 'setup-common.sh'), '/usr/share/jupyterhub-panel/setup-common.sh');
  fs.copyFileSync(path.join(REPO, 'system', 'panel.env'), '/usr/share/jupyterhub-panel/panel.env');
  fs.copyFileSync(path.join(REPO, 'system', 'lib', 'family-hub.sh'), '/usr/share/jupyterhub-panel/family-hub.sh');
  fs.copyFileSync(path.join(REPO, 'system', 'lib', 'updates.sh'), '/usr/share/jupyterhub-panel/updates.sh');
  fs.mkdirSync('/usr/share/jupyterhub-panel/apt', { recursive: true });
  for (const f of ['52jupyterhub4family-updates', 'apt-daily-upgrade.timer.d.conf']) fs.copyFileSync(path.join(REPO, 'system', 'apt', f), `/usr/share/jupyterhub-panel/apt/${f}`);
  fs.mkdirSync('/usr/share/jupyterhub4family', { recursive: true });
  for (const f of ['jupyterhub_config.py', 'panel-service.json']) fs.copyFileSync(path.join(REPO, 'system', 'hub', f), `/usr/share/jupyterhub4family/${f}`);
  // The family hub's state as a machine set up before it was made private left it
  // (Debian's 0755 folder, a 0644 database): the upgrade's postinst closes it.
  const hubDb = '/var/lib/jupyterhub/jupyterhub.sqlite';
  const family = env.hubKind === 'family';
  if (family) {
    fs.chmodSync('/var/lib/jupyterhub', 0o755);
    fs.chmodSync(hubDb, 0o644);
  }
  const r = spawnSync('bash', [path.join(REPO, 'system', 'debian', 'postinst'), 'configure', '0.1.0'], { encoding: 'utf8', timeout: 2 * 60_000 });
  assert.equal(r.status, 0, `postinst configure: ${r.stdout}${r.stderr}`);
  assertNoRootWrite('after postinst configure');
  if (family) {
    const dir = fs.lstatSync('/var/lib/jupyterhub');
    assert.deepEqual([dir.uid, dir.gid, (dir.mode & 0o7777).toString(8)], [0, 0, '700'], "postinst made the hub's state folder root:root 0700");
    const db = fs.lstatSync(hubDb);
    assert.equal((db.mode & 0o7777).toString(8), '600', "and the hub's database 0600");
  }
  // Root's own record of the groups it made stays in root's own folder.
  const marker = fs.lstatSync('/var/lib/jupyterhub4family', { throwIfNoEntry: false });
  assert.ok(marker?.isDirectory() && marker.uid === 0 && (marker.mode & 0o022) === 0, "root's state folder is root-owned, closed to others");
});

test('with the links gone and the folders put back, the set-up command brings the panel back', async () => {
  restore();
  const res = await request(`${env.panelUrl}/api/health`);
  assert.equal(res.status, 200);
  assert.equal(res.json.ok, true);
});
