// pip's output turned into install progress, in the panel (lib/jobs/): the
// helper passes pip's lines on as {"progress": {"log": LINE}} and root code never
// parses them. Pure; unit-tested in test/unit/install-packages.test.ts.

import { normalizeName } from '../shared/package-name';

export { normalizeName };

export type PipPhase = 'collecting' | 'downloading' | 'installing' | 'done';

export interface PipProgress {
  phase: PipPhase;
  package: string;
  bytes?: number;
  version?: string;
  /** "Requirement already satisfied": nothing to do for this one. */
  alreadyInstalled?: boolean;
}

const UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** "(3.0 MB)" -> 3000000. Pure. */
export function parseSize(text: string): number | undefined {
  const m = /\((\d+(?:\.\d+)?)\s*(B|kB|KB|MB|GB|KiB|MiB|GiB)\)/.exec(text);
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : undefined;
}

/** The project of a wheel or sdist file name or URL: .../jh4f_demo_core-1.0-py3-none-any.whl -> jh4f-demo-core. */
export function projectFromFile(ref: string): string | null {
  const file = ref.split(/[/\\]/).at(-1)!.split(/[?#]/)[0]!;
  const wheel = /^([A-Za-z0-9._]+?)-\d[^-]*(?:-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/.exec(file);
  if (wheel) return normalizeName(wheel[1]!);
  const sdist = /^([A-Za-z0-9._-]+?)-\d[A-Za-z0-9.+!_-]*\.(?:tar\.gz|zip|tar\.bz2)$/.exec(file);
  return sdist ? normalizeName(sdist[1]!) : null;
}

function nameOfRequirementText(text: string): string | null {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(text.trim());
  return m ? normalizeName(m[1]!) : null;
}

/** "jh4f-demo-core-1.0" -> [jh4f-demo-core, 1.0]: the version starts after the last "-". */
function splitNameVersion(token: string): { name: string; version: string } | null {
  const i = token.lastIndexOf('-');
  if (i <= 0) return null;
  return { name: normalizeName(token.slice(0, i)), version: token.slice(i + 1) };
}

/**
 * One line of pip's output -> its progress events (most lines: none). Pure.
 * pip 23 with --progress-bar off prints, e.g.:
 *   Collecting jupyterlab
 *     Downloading https://.../jupyterlab-4.0.0-py3-none-any.whl (9.2 MB)
 *   Processing /srv/wheels/notebook-7.0.0-py3-none-any.whl          (a local file)
 *   Requirement already satisfied: tornado>=6 in ...
 *   Installing collected packages: a, b
 *   Successfully installed a-1.0 b-2.1
 */
export function progressFromPipLine(line: string): PipProgress[] {
  const text = line.trim();
  let m: RegExpExecArray | null;
  if ((m = /^Collecting (\S+)/.exec(text))) {
    const name = nameOfRequirementText(m[1]!) ?? projectFromFile(m[1]!);
    return name ? [{ phase: 'collecting', package: name }] : [];
  }
  if ((m = /^Processing (\S+)/.exec(text))) {
    const name = projectFromFile(m[1]!);
    return name ? [{ phase: 'collecting', package: name }] : [];
  }
  if ((m = /^Downloading (\S+)(.*)$/.exec(text))) {
    const name = projectFromFile(m[1]!);
    if (!name) return [];
    const bytes = parseSize(m[2]!);
    return [{ phase: 'downloading', package: name, ...(bytes !== undefined ? { bytes } : {}) }];
  }
  if ((m = /^Requirement already satisfied: (\S+)/.exec(text))) {
    const name = nameOfRequirementText(m[1]!);
    return name ? [{ phase: 'done', package: name, alreadyInstalled: true }] : [];
  }
  if ((m = /^Installing collected packages: (.+)$/.exec(text))) {
    return m[1]!
      .split(',')
      .map((s) => nameOfRequirementText(s))
      .filter((n): n is string => n !== null)
      .map((name) => ({ phase: 'installing' as const, package: name }));
  }
  if ((m = /^Successfully installed (.+)$/.exec(text))) {
    return m[1]!
      .split(/\s+/)
      .map(splitNameVersion)
      .filter((p): p is { name: string; version: string } => p !== null)
      .map((p) => ({ phase: 'done' as const, package: p.name, version: p.version }));
  }
  return [];
}
