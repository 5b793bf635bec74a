// disk-use USER: how much disk the member's home takes, measured AS the member
// (runAsAccount: runuser, a clean environment, its own process group, ended as a
// whole), never by root walking a folder the member controls. Read-only, so no
// --actor and no lock; only for unprotected members of jupyterhub.
//
//   du -B1 -a -d 1 -0 -- HOME
//
// GNU du walks with lstat (fts physical): a symbolic link counts as the link
// itself, never as what it points at (a link to /etc/shadow, to /, a link loop);
// a FIFO or device is stat'ed, never opened. No -x: on overlayfs (the test
// sandbox, containers) files report their lower file system's device, and du -x
// then skips every file (measured 0 bytes); a kid cannot mount anything where
// root's du would see it, and a mount an administrator put in a home is theirs
// to count (the time bound holds either way). Sizes are disk blocks, not
// apparent sizes: a sparse 1 TB file takes what it takes on the disk, the same
// unit as the free space of /home shown next to it. -a -d 1 prints each entry of
// the home as it is finished, then the home's total: when the time is up
// (DISK_USE_TIMEOUT_MS, the whole job killed) the entries printed so far are a
// lower bound ("more than X"). -0 ends records with NUL, so no file name (they
// may hold newlines) can make up a record.
//
// Answer: {"ok":true,"user":..,"bytes":N,"complete":bool,"unreadable":N,"seconds":S}.
import { readSystemState } from '../accounts';
import type { Command } from '../context';
import { refused, systemError } from '../errors';
import { MEMBERS_GROUP } from '../policy';
import { runAsAccount } from '../run-as-account';
import { requireMembersGroup, requireUnprotectedAccount, target } from './common';

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

export const diskUse: Command = {
  spec: {
    name: 'disk-use',
    positionals: ['user'],
    options: [],
    mutating: false,
    readsPassword: false,
    synopsis: 'disk-use USER',
  },
  async run(ctx) {
    const user = target(ctx);
    const state = readSystemState();
    requireMembersGroup(state);
    const account = requireUnprotectedAccount(ctx, state, user);
    if (!state.isSupplementaryMember(user, MEMBERS_GROUP)) {
      throw refused(`refused: ${user} is not a member of ${MEMBERS_GROUP}; disk use is only measured for family members`);
    }
    if (!account.home.startsWith('/') || account.home === '/') throw systemError(`${user} has no usable home directory`);
    const home = account.home.replace(/\/+$/, '');
    const caller = ctx.watchCancel();
    const started = Date.now();
    let unreadable = 0;
    try {
      const r = await runAsAccount(account, [DU, '-B1', '-a', '-d', '1', '-0', '--', home], {
        env: [`HOME=${home}`, `USER=${account.name}`, `LOGNAME=${account.name}`, 'PATH=/usr/bin:/bin', 'LANG=C', 'LC_ALL=C'],
        signal: caller.signal,
        timeoutMs: DISK_USE_TIMEOUT_MS,
        keepStdoutBytes: KEEP_BYTES,
        onLine: (_line, stream) => {
          if (stream === 'stderr') unreadable++;
        },
      });
      if (r.spawnError) throw systemError(`cannot run du as ${user}: ${r.spawnError}`);
      if (r.cancelled) throw systemError(`cancelled: ${r.stopped}`);
      const summary = parseDuOutput(r.stdout, home);
      // du exits 1 when some entry was unreadable; its total then counts the rest.
      const complete = summary.complete && r.stopped === null && !r.stdoutOverflow;
      return { changed: false, user, bytes: summary.bytes, complete, unreadable, seconds: Math.round((Date.now() - started) / 100) / 10 };
    } finally {
      caller.dispose();
    }
  },
};
