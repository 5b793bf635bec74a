// apt's and dpkg's output turned into upgrade progress, in the panel (lib/jobs/):
// the helper's upgrade-system passes their lines on as {"progress": {"log": LINE}}
// and root code never parses them for the page. The same four phases as pip's
// (job-progress.ts), so one bar and one summary serve both job kinds:
//   the helper's plan (the packages it chose)         -> collecting
//   Get:3 http://deb.debian.org/... trixie/main amd64 NAME amd64 1.2 [2.1 kB]  -> downloading
//   Unpacking NAME (1.2) over (1.1) ...              -> installing
//   Setting up NAME (1.2) ...                        -> done
// Names lose their ":amd64" (dpkg says it for Multi-Arch: same packages; apt's plan does not). Pure.
import type { PipProgress } from './pip-output';

const bare = (name: string) => name.replace(/:[a-z0-9-]+$/, '');
const PACKAGE = '([a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?)';
const GET = new RegExp(`^Get:\\d+ \\S+ .*? ${PACKAGE} (?:\\S+ )?(\\S+) \\[([\\d.,]+) ?(B|kB|MB|GB)\\]$`);
const UNITS: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/** The helper's own progress objects of upgrade-system ({"step":"plan","packages":[...]}) -> events. Pure. */
export function progressFromUpgradeStep(raw: unknown): PipProgress[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const r = raw as Record<string, unknown>;
  if (r.step !== 'plan' || !Array.isArray(r.packages)) return [];
  return r.packages.filter((p): p is string => typeof p === 'string').map((p) => ({ phase: 'collecting' as const, package: bare(p).slice(0, 100) }));
}

/** One line of apt-get's or dpkg's output -> its progress events (most lines: none). Pure. */
export function progressFromAptLine(line: string): PipProgress[] {
  const text = line.trim();
  let m: RegExpExecArray | null;
  if ((m = GET.exec(text))) {
    const bytes = Math.round(Number(m[3]!.replace(/,/g, '')) * UNITS[m[4]!]!);
    return [{ phase: 'downloading', package: bare(m[1]!), ...(Number.isFinite(bytes) ? { bytes } : {}) }];
  }
  if ((m = new RegExp(`^Unpacking ${PACKAGE} \\(([^)]+)\\)`).exec(text))) return [{ phase: 'installing', package: bare(m[1]!), version: m[2]! }];
  if ((m = new RegExp(`^Setting up ${PACKAGE} \\(([^)]+)\\)`).exec(text))) return [{ phase: 'done', package: bare(m[1]!), version: m[2]! }];
  return [];
}
