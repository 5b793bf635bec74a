import 'server-only';
// The dashboard's report, kept REPORT_MAX_AGE_MS and computed once for every
// caller at the same moment, so many open tabs (each polls every 10 s) do not
// multiply the checks.
import type { HubReport } from './hub-report';
import { computeReport } from './checks';
import { singleFlightCache } from './single-flight-cache';

export const REPORT_MAX_AGE_MS = 5000;

const reports = singleFlightCache<HubReport>('hub-health.report', REPORT_MAX_AGE_MS, computeReport);

/** The report, at most REPORT_MAX_AGE_MS old; concurrent callers share one computation. */
export function hubReport(opts: { fresh?: boolean } = {}): Promise<HubReport> {
  return reports.get(opts);
}

/** After an action (connect, restart, stop) the next read must not serve the old state. */
export function invalidateHubReport(): void {
  reports.invalidate();
}
