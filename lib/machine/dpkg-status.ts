// The pure reading of dpkg's database (/var/lib/dpkg/status, world-readable): the
// installed packages and the packages each one needs to run (Depends and
// Pre-Depends; of alternatives `a | b` whichever is installed; a virtual name
// through the installed packages that provide it). Node built-ins only.

export interface InstalledPackage {
  name: string;
  arch: string;
  /** Each relation is a list of alternatives, by name (versions and architecture qualifiers dropped). */
  needs: string[][];
  provides: string[];
  /** Essential: yes (dpkg, tar, coreutils, ...): tools a service runs afresh each time, never code it keeps loaded. */
  essential: boolean;
}

function names(list: string): string[][] {
  return list
    .split(',')
    .map((rel) =>
      rel
        .split('|')
        .map((alt) => alt.trim().split(/[\s(:]/)[0] ?? '')
        .filter(Boolean),
    )
    .filter((alts) => alts.length > 0);
}

/** The installed packages of the status file's text, by name. */
export function parseDpkgStatus(text: string): Map<string, InstalledPackage> {
  const out = new Map<string, InstalledPackage>();
  for (const stanza of text.split(/\n\n+/)) {
    const fields = new Map<string, string>();
    let key = '';
    for (const line of stanza.split('\n')) {
      if (/^\s/.test(line)) {
        if (key) fields.set(key, `${fields.get(key)} ${line.trim()}`);
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      key = line.slice(0, colon);
      fields.set(key, line.slice(colon + 1).trim());
    }
    const name = fields.get('Package');
    if (!name || !/ installed$/.test(fields.get('Status') ?? '')) continue;
    const needs = [...names(fields.get('Pre-Depends') ?? ''), ...names(fields.get('Depends') ?? '')];
    out.set(name, { name, arch: fields.get('Architecture') ?? '', needs, provides: names(fields.get('Provides') ?? '').flat(), essential: fields.get('Essential') === 'yes' });
  }
  return out;
}

/** The installed roots and everything they need to run, transitively (sorted), Essential packages left out. */
export function closureOf(roots: string[], installed: Map<string, InstalledPackage>): string[] {
  const providers = new Map<string, string[]>();
  for (const p of installed.values()) for (const v of p.provides) providers.set(v, [...(providers.get(v) ?? []), p.name]);
  const seen = new Set<string>();
  const queue = roots.filter((r) => installed.has(r));
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name) || installed.get(name)?.essential) continue;
    seen.add(name);
    for (const alts of installed.get(name)?.needs ?? []) {
      for (const alt of alts) {
        const found = installed.has(alt) ? [alt] : (providers.get(alt) ?? []);
        if (found.length > 0) {
          queue.push(...found);
          break;
        }
      }
    }
  }
  return [...seen].sort();
}
