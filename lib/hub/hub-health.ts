// The hub dashboard, one module per job under lib/hub/ (issue 14):
// - lib/hub/checks.ts: the checks and the report (computeReport);
// - lib/hub/check-rules.ts: limits and the pure rules (disk, certificate);
// - lib/hub/timed-check.ts: one check against the deadline, shared failures;
// - lib/hub/processes.ts over lib/shared/hub-processes.ts: which hub processes run
//   (the one /proc scan, shared with the root helper);
// - lib/hub/hub-status.ts: the helper's hub-status, the family hub's files, the log;
// - lib/hub/report-cache.ts: the report kept briefly and shared.
// This file keeps the names routes and tests import until the lead's move (issue 14).
export { CHECK_TIMEOUT_MS, certStatus, diskStatus } from './check-rules';
export { computeReport } from './checks';
export { bootstrapLog } from './hub-status';
export { hubReport, invalidateHubReport } from './report-cache';
