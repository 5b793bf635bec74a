// The pure reading of `apt-get -s dist-upgrade`: each `Inst` line names a package
// apt would install or upgrade, as
//   Inst NAME [OLD] (NEW LABEL:VERSION/SUITE[, LABEL:VERSION/SUITE...] [ARCH])[ [BROKEN...]]
// (apt-pkg's pkgSimulate: one release per archive the new version is in, joined by
// ", "; a release without a Release file shows its host, or "localhost"). A line
// without [OLD] is a new package the upgrade pulls in. Node built-ins only.

export interface PendingPackage {
  name: string;
  /** The installed version; null for a package the upgrade newly installs. */
  from: string | null;
  to: string;
  /** The releases the new version comes from, as apt printed them (`Debian-Security:12/stable-security`). */
  releases: string[];
  security: boolean;
}

export interface PendingUpdates {
  security: PendingPackage[];
  other: PendingPackage[];
}

const INST = /^Inst (\S+) (?:\[([^\]]*)\] )?\((\S+) (.*) \[([^\]\s]+)\]\)(?: \[.*\])?$/;

/**
 * A release is Debian's security archive when its label is Debian-Security or its
 * suite ends in -security (bookworm-security, stable-security, trixie-security).
 */
export function isSecurityRelease(release: string): boolean {
  const colon = release.indexOf(':');
  const label = colon >= 0 ? release.slice(0, colon) : '';
  const suite = release.slice(release.lastIndexOf('/') + 1);
  return label === 'Debian-Security' || /-security$/.test(suite);
}

/** The pending packages of a simulated dist-upgrade's output, security ones apart. */
export function parseSimulatedUpgrade(output: string): PendingUpdates {
  const out: PendingUpdates = { security: [], other: [] };
  for (const line of output.split('\n')) {
    const m = INST.exec(line.trimEnd());
    if (!m) continue;
    const [, name = '', from, to = '', where = ''] = m;
    const releases = where
      .split(', ')
      .map((r) => r.trim())
      .filter(Boolean);
    const pkg: PendingPackage = { name, from: from ?? null, to, releases, security: releases.some(isSecurityRelease) };
    (pkg.security ? out.security : out.other).push(pkg);
  }
  return out;
}
