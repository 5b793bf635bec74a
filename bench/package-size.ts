// The Debian package: its download size and the size apt installs (dpkg's
// Installed-Size), built from this tree as `npm run deb` builds it, next to the
// production dependency tree it was cut from (what the package shipped before
// Next's output tracing). One build: sizes do not vary between runs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Figure } from './lib';

const REPO = path.resolve(import.meta.dirname, '..');

/** Bytes of every production package's folder (npm ls --omit=dev), as once shipped. */
function productionTreeMiB(): number {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const top = [
    ...new Set(
      out
        .split('\n')
        .filter((p) => p.startsWith(`${REPO}/node_modules/`))
        .map((p) => p.slice(REPO.length + 1))
        .filter((p) => /^node_modules\/(@[^/]+\/)?[^/@]+$/.test(p)),
    ),
  ];
  const du = execFileSync('du', ['-sck', ...top], { cwd: REPO, encoding: 'utf8' });
  return Number(/(\d+)\s+total/.exec(du)?.[1] ?? 0) / 1024;
}

export async function benchPackageSize(): Promise<Figure[]> {
  const out = execFileSync('bash', [path.join(REPO, 'scripts', 'build-deb.sh')], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const deb = /deb: (\S+\.deb) \(/.exec(out)?.[1];
  if (!deb) throw new Error(`build-deb.sh printed no package: ${out.slice(-500)}`);
  const installed = Number(execFileSync('dpkg-deb', ['-f', deb, 'Installed-Size'], { encoding: 'utf8' }).trim()) / 1024;
  const download = fs.statSync(deb).size / 1048576;
  return [
    {
      name: 'the .deb, installed (dpkg Installed-Size)',
      unit: 'MiB',
      median: installed,
      runs: 1,
      floorName: 'the production node_modules it was cut from (not shipped)',
      floor: productionTreeMiB(),
    },
    { name: 'the .deb, download', unit: 'MiB', median: download, runs: 1 },
  ];
}
