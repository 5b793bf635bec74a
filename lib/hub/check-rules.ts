// The limits of the hub dashboard's checks and the pure rules that judge a figure
// against them (unit-tested without a hub).
import type { CheckStatus } from './hub-report';

/** Every check has this long from the start of the report; a hanging hub costs at most this. */
export const CHECK_TIMEOUT_MS = 1500;
export const CERT_WARN_DAYS = 30;
/** Free space below this is a warning, below a tenth of it a failure. */
export const DISK_WARN_BYTES = 2 * 1024 ** 3;
export const DISK_WARN_FRACTION = 0.05;

/** Evaluate free space. */
export function diskStatus(freeBytes: number, totalBytes: number): CheckStatus {
  const limit = Math.min(DISK_WARN_BYTES, totalBytes * DISK_WARN_FRACTION);
  if (freeBytes < limit / 10) return 'fail';
  if (freeBytes < limit) return 'warn';
  return 'ok';
}

/** Evaluate a certificate end date. */
export function certStatus(notAfter: Date, now: Date): { status: CheckStatus; days: number } {
  const days = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  if (notAfter.getTime() <= now.getTime()) return { status: 'fail', days };
  return { status: days < CERT_WARN_DAYS ? 'warn' : 'ok', days };
}

/** Bytes as GiB with one decimal, for the details. */
export const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);
