// An add-member plus remove-member round trip through pkexec and the helper (as the
// panel runs it), next to the same pair done by calling gpasswd directly as root.
// The difference is what the security boundary costs: pkexec, polkitd over D-Bus,
// Node starting the helper, its checks and lock.
import { spawnSync } from 'node:child_process';
import { median, type Figure } from './lib';

const RUNS = 30;
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } as unknown as NodeJS.ProcessEnv;

function run(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: ENV });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
}

const helper = (command: string) => [
  '/usr/sbin/runuser', '-u', 'jupyterhub-panel', '--',
  '/usr/bin/pkexec', '--disable-internal-agent', '/usr/libexec/jupyterhub-panel/helper', command, 'kim', '--actor', 'mama',
];

export async function benchHelperRoundTrip(): Promise<Figure[]> {
  const viaHelper: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let start = performance.now();
    run(helper('add-member'));
    run(helper('remove-member'));
    viaHelper.push(performance.now() - start);

    start = performance.now();
    run(['/usr/bin/gpasswd', '-a', 'kim', 'jupyterhub']);
    run(['/usr/bin/gpasswd', '-d', 'kim', 'jupyterhub']);
    direct.push(performance.now() - start);
  }
  return [{ name: 'add-member + remove-member through pkexec', unit: 'ms', median: median(viaHelper), runs: RUNS, floorName: 'gpasswd -a + gpasswd -d directly', floor: median(direct) }];
}
