// disk-use HOME, in the agent, which the root helper started AS the member (their
// uid and gid): du over their home, bounded in time, its whole job ended with it
// (runJob: its own process group and session, nothing waits on pipes the
// member's processes hold). The root part (commands/disk-use.ts) did the checks.
//
//   du -B1 -a -d 1 -0 -- HOME
//
// GNU du walks with lstat (fts physical): a symbolic link counts as the link
// itself, never as what it points at (a link to /etc/shadow, to /, a link loop);
// a FIFO or device is stat'ed, never opened. No -x: on overlayfs (the test
// sandbox, containers) files report their lower file system's device, and du -x
// then skips every file (measured 0 bytes); a kid cannot mount anything where
// du would see it, and a mount an administrator put in a home is theirs to count
// (the time bound holds either way). Sizes are disk blocks, not apparent sizes:
// a sparse 1 TB file takes what it takes on the disk, the same unit as the free
// space of /home shown next to it. -a -d 1 prints each entry of the home as it is
// finished, then the home's total: when the time is up (DISK_USE_TIMEOUT_MS, the
// whole job killed) the entries printed so far are a lower bound ("more than X").
// -0 ends records with NUL, so no file name (they may hold newlines) can make up a
// record. The answer is the member's own data (they could run their own du); the
// panel validates what it shows.
//
// Answer: {"bytes":N,"complete":bool,"unreadable":N,"seconds":S}.
import { systemError, usage } from '../common/errors';
import { runJob } from './run-as-account';

export const DU = '/usr/bin/du';
export const DISK_USE_TIMEOUT_MS = 10_000;
/** Output kept (some 60 bytes an entry: 130,000 entries at the top of a home); past it the total is a lower bound. */
const KEEP_BYTES = 8 * 1024 * 1024;

export interface DuSummary {
  /** The home's total, or (when the run did not finish) the sum of the entries printed so far. */
  bytes: number;
  /** du printed the home's own total line. */
  complete: boolean;
}

/**
 * du -a -d 1 -0 output for `home` -> the total. The home's own record is the
 * total; the others are its entries (depth 1). Records that do not parse (a
 * record cut by a kill) are skipped. Pure.
 */
export function parseDuOutput(out: string, home: string): DuSummary {
  let sum = 0;
  let total: number | null = null;
  const records = out.split('\0');
  // The last piece has no NUL after it: a record cut short, or ''.
  records.pop();
  for (const rec of records) {
    const tab = rec.indexOf('\t');
    if (tab <= 0) continue;
    const size = rec.slice(0, tab);
    if (!/^[0-9]{1,20}$/.test(size)) continue;
    const n = Number(size);
    const path = rec.slice(tab + 1);
    if (path === home) total = n;
    else sum += n;
  }
  return total !== null ? { bytes: total, complete: true } : { bytes: sum, complete: false };
}

export async function diskUse(args: readonly string[]): Promise<Record<string, unknown>> {
  const home = args[0];
  if (args.length !== 1 || !home || !home.startsWith('/') || home === '/') throw usage('disk-use HOME (an absolute path, not /)');
  const started = Date.now();
  let unreadable = 0;
  // The root part ends the agent (and so this job) when the panel cancels.
  const r = await runJob([DU, '-B1', '-a', '-d', '1', '-0', '--', home], {
    signal: new AbortController().signal,
    timeoutMs: DISK_USE_TIMEOUT_MS,
    keepStdoutBytes: KEEP_BYTES,
    onLine: (_line, stream) => {
      if (stream === 'stderr') unreadable++;
    },
  });
  if (r.spawnError) throw systemError(`cannot run du: ${r.spawnError}`);
  const summary = parseDuOutput(r.stdout, home);
  // du exits 1 when some entry was unreadable; its total then counts the rest.
  const complete = summary.complete && r.stopped === null && !r.stdoutOverflow;
  return { bytes: summary.bytes, complete, unreadable, seconds: Math.round((Date.now() - started) / 100) / 10 };
}
