// An add-member plus remove-member round trip through the helper's socket (as the
// panel reaches it: a client process of the panel account), next to the same pair
// done by calling gpasswd directly as root. The difference is what the security
// boundary costs: the client, the helper's checks, its lock, syslog.
import { spawnSync } from 'node:child_process';
import { socketArgv } from '../test/sandbox/helper-call';
import { median, type Figure } from './lib';

const RUNS = 30;
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } as unknown as NodeJS.ProcessEnv;

function run(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: ENV });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
}

const helper = (command: string) => socketArgv('jupyterhub-panel', [command, 'kim', '--actor', 'mama']);

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
  return [{ name: "add-member + remove-member over the helper's socket (a client process of the panel account)", unit: 'ms', median: median(viaHelper), runs: RUNS, floorName: 'gpasswd -a + gpasswd -d directly', floor: median(direct) }];
}
