// Looking at an account's processes from a test (this pid namespace's /proc), as
// root: the sandbox tests and the fresh Debian 13 kid's story use the same.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
}

/** Processes of a uid whose command line (arguments joined with spaces) matches. */
export function processesOf(uid: number, pattern: RegExp): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.statSync(`/proc/${p}`).uid === uid && pattern.test(fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' '));
      } catch {
        return false;
      }
    })
    .map(Number);
}
