// Long jobs a parent starts and watches, of two kinds: a member's package install
// ("Prepare Jupyter", packages_install) and the machine's upgrade ("Install updates
// now", system_upgrade, lib/jobs/system-upgrade.ts with apt-output.ts as its line
// parser). Package-install jobs, in three parts:
// - lib/jobs/store.ts: the records (jobs, job_events) and the job's audit rows;
// - lib/jobs/queue.ts: running them, one at a time, with live messages;
// - lib/jobs/install-packages.ts: the use cases (start, retry, cancel) and the panel's checks.
//
// The helper's `install-packages` run in the background,
// kept in SQLite (jobs + job_events), with live progress for server-sent events.
//
// - States: queued -> running -> succeeded | failed | cancelled; a job still
//   queued or running when the panel process ends is marked interrupted at the
//   next start (lib/store/db.ts interruptLeftoverJobs, on the first open).
// - One install at a time (MAX_RUNNING): a queue in this process, fed from the
//   table in creation order.
// - Cancel: queued -> cancelled at once; running -> the helper's stdin pipe is
//   closed (lib/helper/client.ts `cancel`), the helper stops pip, the job ends
//   cancelled.
// - Retry: a NEW job for the same member, linked with retry_of; the old run stays
//   as it ended (its events and log are history, and the audit rows stay paired).
// - Bounded: at most MAX_EVENTS progress events per job (in order) and the last
//   LOG_TAIL_LINES lines of pip's output.
// - Audit: packages_install "start" when the job is created (outcome ok), and one
//   final row when it ends (ok, or the error table's refused / failed; a cancel
//   is failed: the job ended without its work done). Both are written before
//   anything else happens, so a crash loses neither. The job outlives the request,
//   so its two rows are written here rather than by lib/store/audited.ts's audited(),
//   with the same outcome rule (outcomeOf).
export { cancelJob, isFinal, jobNotFound, retryJob, startInstall, type JobActor } from './install-packages';
export { startUpgrade } from './system-upgrade';
export { setInstallRunnerForTests, subscribe, type InstallRunner, type JobMessage } from './queue';
export { getJob, installedPackagesOf, installedVersions, jobEvents, latestJobs, latestUpgrade, JOB_ID_RE } from './store';
