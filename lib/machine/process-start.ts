// When a process started, from /proc (readable by every account unless /proc is
// mounted with hidepid, or the unit has ProtectProc=invisible: then the caller
// asks systemd, lib/machine/service-processes.ts). Node built-ins only.
import fs from 'node:fs';

/**
 * USER_HZ, the unit of /proc/PID/stat's start time: 100 on every architecture
 * Debian ships (the kernel's ABI, not the configured HZ). Node has no sysconf().
 */
const CLOCK_TICKS = 100;

/** Pure: the start time (ms since the epoch) from /proc/stat's btime and /proc/PID/stat. */
export function startTimeFrom(procStat: string, pidStat: string): number | null {
  const btime = /^btime (\d+)$/m.exec(procStat)?.[1];
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
  const rest = pidStat.slice(pidStat.lastIndexOf(')') + 2).split(' ');
  // Field 22, starttime, is the 20th after the command name.
  const ticks = Number(rest[19]);
  if (btime === undefined || !Number.isFinite(ticks)) return null;
  return Number(btime) * 1000 + (ticks * 1000) / CLOCK_TICKS;
}

/** The start of process `pid` ('self' for this one), or null when it is gone or hidden. */
export function processStartTime(pid: number | 'self'): number | null {
  try {
    return startTimeFrom(fs.readFileSync('/proc/stat', 'utf8'), fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** The process's command line words, or null. */
export function processCmdline(pid: number): string[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}
