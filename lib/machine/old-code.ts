// Which of the family's services run old code: a service whose process started
// before dpkg last unpacked one of the packages its code comes from still runs the
// files it loaded before (a running program keeps the replaced files open; Python
// imports modules later from the new files, a mix of old and new). dpkg writes
// /var/lib/dpkg/info/PKG.list (PKG:ARCH.list for Multi-Arch: same) anew at every
// unpack, so its mtime is when that package last changed.
//
// Why this and not needrestart: needrestart reads every process's memory maps,
// which only root may read (the panel would need a new root command that reads
// other accounts' processes), and it acts from an apt hook; the family cares about
// three services whose packages are known, and this check needs nothing but
// world-readable files. What it misses: a library loaded by a package outside the
// Depends closure (none of ours load plugins), and changes made outside dpkg.
// The packages of a service are its program's package and everything that package
// needs to run (Depends, transitively: Python and its modules, Node.js and
// libnode, libc, OpenSSL), and our own package by itself (its Depends name the
// hub and Node.js, which are not the panel's code).

/** What the service's code comes from: the roots whose Depends closure counts, and packages that count alone. */
export const SERVICE_PACKAGES = {
  hub: { closureOf: ['jupyterhub', 'configurable-http-proxy'], alone: ['jupyterhub4family-panel'] },
  panel: { closureOf: ['nodejs'], alone: ['jupyterhub4family-panel'] },
  helper: { closureOf: ['nodejs'], alone: ['jupyterhub4family-panel'] },
} as const;

/**
 * The clock of /proc's start times is whole seconds of boot time plus ticks;
 * a package changed within this margin after the start counts as before it.
 */
export const START_MARGIN_MS = 1000;

/** Pure: the packages (sorted) that changed after the service started. */
export function changedSince(startedAt: number, changedAt: ReadonlyMap<string, number>): string[] {
  return [...changedAt]
    .filter(([, at]) => at > startedAt + START_MARGIN_MS)
    .map(([name]) => name)
    .sort();
}
