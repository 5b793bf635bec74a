// The pure reading of apt's history (/var/log/apt/history.log): one entry per apt
// run, lines `Key: value`, entries apart by a blank line. An entry with an
// `Upgrade:` line and an `End-Date:` and no `Error:` is a finished upgrade: a run
// cut off (power loss, a killed apt) has no End-Date, a failed dpkg run has Error.
// Times are the machine's local time, `YYYY-MM-DD  HH:MM:SS`. Node built-ins only.

export interface LastUpgrade {
  /** When the run ended (ISO 8601). */
  at: string;
  /** The upgraded packages, without their architecture. */
  packages: string[];
}

function localTime(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `libssl3:amd64 (3.0.11-1~deb12u2, 3.0.13-1~deb12u1), openssl:amd64 (...)` -> the names. */
export function upgradedNames(value: string): string[] {
  const names: string[] = [];
  for (const m of value.matchAll(/([^\s,()]+) \([^)]*\)/g)) names.push((m[1] ?? '').replace(/:[a-z0-9-]+$/, ''));
  return names;
}

/** The last finished upgrade in the log's text, or null when it has none. */
export function lastUpgradeIn(text: string): LastUpgrade | null {
  let last: LastUpgrade | null = null;
  for (const entry of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of entry.split('\n')) {
      const colon = line.indexOf(': ');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
    }
    const upgrade = fields.get('Upgrade');
    const end = localTime(fields.get('End-Date') ?? '');
    if (!upgrade || !end || fields.has('Error')) continue;
    const packages = upgradedNames(upgrade);
    if (packages.length > 0) last = { at: end.toISOString(), packages };
  }
  return last;
}
