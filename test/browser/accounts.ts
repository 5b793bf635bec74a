// The throwaway kid accounts some browser tests onboard: gone before the test
// (a failed earlier run may have left one) and after it.
import { execFileSync } from 'node:child_process';

function accountExists(user: string): boolean {
  try {
    execFileSync('getent', ['passwd', '--', user], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** userdel --remove, when the account exists. */
export function removeAccount(user: string): void {
  if (accountExists(user)) execFileSync('/usr/sbin/userdel', ['--remove', '--', user], { stdio: 'pipe' });
}
