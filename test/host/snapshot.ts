// Prints a fingerprint of the host's account files, /home and the places the set-up
// command writes to, so test/host/host-unchanged.test.ts can prove that a full test
// run (which installs and changes accounts inside the sandbox) left the host alone.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const FILES = ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow', '/etc/pam.d/jupyterhub-panel'];
const TREES = ['/home', '/etc/polkit-1/rules.d', '/usr/share/polkit-1/actions', '/usr/libexec/jupyterhub-panel', '/var/lib/jupyterhub-panel', '/etc/jupyterhub-panel'];

function fileDigest(file: string): string {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch (error) {
    return `absent (${(error as NodeJS.ErrnoException).code})`;
  }
}

/**
 * The live database of a panel the host itself runs (the appliance set up on this
 * machine, as on test/debian13/full-npm-test.sh's machine): that panel opens and
 * writes it on its own timers (the idle check reads the family settings), so its
 * appearance and sizes say nothing about the tests. The sandbox's panel never
 * reaches it (a copy-on-write overlay over /var); any other file there still counts.
 */
const HOST_PANEL_OWN = /^\/var\/lib\/jupyterhub-panel\/panel\.db(-wal|-shm|-journal)?$/;

/** Names, types, owners, modes and sizes down to three levels: enough to see any account or home appear. */
function treeListing(root: string, depth = 3): string[] {
  const out: string[] = [];
  const walk = (dir: string, level: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      out.push(`${dir}: absent (${(error as NodeJS.ErrnoException).code})`);
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (HOST_PANEL_OWN.test(full)) continue;
      const st = fs.lstatSync(full);
      out.push(`${full} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${entry.isFile() ? st.size : '-'}`);
      if (entry.isDirectory() && level < depth) walk(full, level + 1);
    }
  };
  walk(root, 1);
  return out;
}

/**
 * /tmp's top level, without root's own entries (the test command's logs, tsx's
 * cache, npm's and apt's temporary files come and go as root): any other owner
 * there is one of the sandbox's accounts leaking out (a seed hub's spawner makes
 * /tmp/USER homes), which the sandbox's private /tmp must keep in.
 */
function tmpNotRoot(): string[] {
  return fs
    .readdirSync('/tmp')
    .sort()
    .flatMap((name) => {
      const st = fs.lstatSync(path.join('/tmp', name), { throwIfNoEntry: false });
      return st && st.uid !== 0 ? [`/tmp/${name} ${st.mode.toString(8)} ${st.uid}:${st.gid}`] : [];
    });
}

export function snapshot() {
  return {
    files: Object.fromEntries(FILES.map((f) => [f, fileDigest(f)])),
    trees: Object.fromEntries(TREES.map((t) => [t, treeListing(t)])),
    tmp: tmpNotRoot(),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  process.stdout.write(JSON.stringify(snapshot(), null, 1));
}
