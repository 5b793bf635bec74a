// `npm run bench`: runs inside the test sandbox (real panel, PAM, pkexec, hub) and
// prints each figure as a median over repeated runs next to its floor, measured in
// the same run. Figures only: nothing here passes or fails on a time.
// Arguments pick benches by name (e.g. `bench/run.ts memory family`); none: all.
import { sandboxEnv } from '../test/sandbox/fixtures';
import { format, type Figure } from './lib';
import { benchHealthThroughput } from './health-throughput';
import { benchApplianceMemory } from './appliance-memory';
import { benchFirstSpawn } from './first-spawn';
import { benchLoginPageJs, benchPanelMemory } from './panel-footprint';

type Bench = { name: string; run: () => Promise<Figure[]> };

async function optional(modulePath: string, exportName: string): Promise<(() => Promise<Figure[]>) | null> {
  try {
    const mod = await import(modulePath);
    return typeof mod[exportName] === 'function' ? mod[exportName] : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}

async function main() {
  const env = sandboxEnv();
  const benches: Bench[] = [
    // First, while the appliance is as the set-up left it (idle, no kid's server).
    { name: 'appliance memory', run: benchApplianceMemory },
    { name: 'panel memory', run: benchPanelMemory },
    { name: 'login page JavaScript', run: () => benchLoginPageJs(env.panelUrl) },
    { name: 'health throughput', run: benchHealthThroughput },
  ];
  for (const [file, fn, name] of [
    ['./helper-roundtrip', 'benchHelperRoundTrip', 'helper round trip'],
    ['./login', 'benchLogin', 'login'],
    ['./login', 'benchLoginStorm', 'login storm'],
    ['./family-page', 'benchFamilyPage', 'family page'],
    ['./hub-health', 'benchHubHealth', 'hub health'],
    ['./package-size', 'benchPackageSize', 'package size'],
    ['./root-lines', 'benchRootLines', 'root lines'],
  ] as const) {
    const run = await optional(file, fn);
    if (run) benches.push({ name, run });
  }
  // Last: it onboards kids and runs a second hub for the seed's way (all removed again).
  benches.push({ name: 'first spawn', run: benchFirstSpawn });
  const picks = process.argv.slice(2).map((a) => a.toLowerCase());
  const chosen = picks.length ? benches.filter((b) => picks.some((p) => b.name.includes(p))) : benches;
  console.log('jupyterhub4family panel benchmarks (medians; floors measured in the same run)');
  let failed = false;
  for (const bench of chosen) {
    try {
      for (const figure of await bench.run()) console.log(`  ${format(figure)}`);
    } catch (error) {
      failed = true;
      console.log(`  ${bench.name}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
