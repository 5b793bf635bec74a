import 'server-only';
// Package-install jobs: the helper's `install-packages` run in the background,
// kept in SQLite (jobs + job_events), with live progress for server-sent events.
//
// - States: queued -> running -> succeeded | failed | cancelled; a job still
//   queued or running when the panel process ends is marked interrupted at the
//   next start (lib/db.ts interruptLeftoverJobs, on the first open).
// - One install at a time (MAX_RUNNING): a queue in this process, fed from the
//   table in creation order.
// - Cancel: queued -> cancelled at once; running -> the helper's stdin pipe is
//   closed (lib/helper-client.ts `cancel`), the helper stops pip, the job ends
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
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { accountFacts } from './account-policy';
import { audit, type AuditOutcome } from './audit';
import { db } from './db';
import { PublicError } from './errors';
import { runHelper, type HelperResult } from './helper-client';
import { publicErrorOf } from './http/public-error-of';
import { errorText, outcomeOf, refuse, type Actor } from './store/audited';
import { progressFromPipLine } from './pip-output';
import {
  FINAL_STATES,
  RETRYABLE_STATES,
  summarize,
  toInstallEvent,
  type InstallEvent,
  type JobState,
  type JobView,
  type ProgressSummary,
} from './job-progress';
import { isValidUsername } from './names';

export const KIND = 'packages_install';
export const MAX_RUNNING = 1;
export const MAX_EVENTS = 500;
export const LOG_TAIL_LINES = 50;
/** The helper bounds pip to 30 min; the panel waits a little longer for its answer. */
export const HELPER_TIMEOUT_MS = 32 * 60_000;

/** The parent who started, retried or cancelled a job. */
export type JobActor = Actor;

/** Live messages of one job (the SSE route listens). */
export type JobMessage =
  | { type: 'progress'; event: InstallEvent }
  | { type: 'log'; line: string }
  | { type: 'state'; state: JobState }
  | { type: 'end'; job: JobView };

/** What runs one install (the helper; unit tests plug in a fake). */
export type InstallRunner = (
  user: string,
  actor: string,
  opts: { onProgress: (p: unknown) => void; cancel: AbortSignal },
) => Promise<HelperResult>;

const helperRunner: InstallRunner = (user, actor, opts) =>
  runHelper('install-packages', [user, '--actor', actor], { timeoutMs: HELPER_TIMEOUT_MS, onProgress: opts.onProgress, cancel: opts.cancel });

interface Runtime {
  emitter: EventEmitter;
  queue: string[];
  running: Map<string, AbortController>;
  runner: InstallRunner;
}
const KEY = Symbol.for('jh4f.jobs');
const holder = globalThis as { [KEY]?: Runtime };
function rt(): Runtime {
  let r = holder[KEY];
  if (!r) {
    r = { emitter: new EventEmitter(), queue: [], running: new Map(), runner: helperRunner };
    r.emitter.setMaxListeners(0);
    holder[KEY] = r;
  }
  return r;
}

/** Tests: replace the runner (null: the real helper) and forget the queue. */
export function setInstallRunnerForTests(runner: InstallRunner | null): void {
  const r = rt();
  r.runner = runner ?? helperRunner;
  r.queue = [];
  r.running.clear();
}

// ---- rows <-> views ------------------------------------------------------------------

interface JobRow {
  id: string;
  kind: string;
  target: string | null;
  actor: string | null;
  state: string;
  created_at: number;
  updated_at: number;
  progress: string | null;
  log_tail: string | null;
  result: string | null;
  error: string | null;
  retry_of: string | null;
  started_at: number | null;
  finished_at: number | null;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function reshape(row: JobRow): JobView {
  const result = parseJson<{ installed?: Record<string, string> } | null>(row.result, null);
  return {
    id: row.id,
    kind: 'packages_install',
    target: row.target ?? '',
    actor: row.actor,
    state: row.state as JobState,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    retryOf: row.retry_of,
    summary: parseJson<ProgressSummary>(row.progress, summarize([])),
    logTail: parseJson<string[]>(row.log_tail, []),
    installed: result?.installed ?? null,
    error: row.error,
  };
}

function row(id: string): JobRow | undefined {
  return db().prepare('SELECT * FROM jobs WHERE id = ? AND kind = ?').get(id, KIND) as JobRow | undefined;
}

export const JOB_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

export function getJob(id: string): JobView | null {
  if (!JOB_ID_RE.test(id)) return null;
  const r = row(id);
  return r ? reshape(r) : null;
}

/** Stored progress events after `afterSeq`, in order. */
export function jobEvents(id: string, afterSeq = 0): InstallEvent[] {
  const rows = db().prepare('SELECT seq, event FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq').all(id, afterSeq) as Array<{
    seq: number;
    event: string;
  }>;
  return rows.map((r) => ({ ...parseJson<Omit<InstallEvent, 'seq'>>(r.event, { phase: 'collecting', package: null }), seq: r.seq }));
}

/** The newest install job of each of these members (for the family page). */
export function latestJobs(users: readonly string[]): Map<string, JobView> {
  const out = new Map<string, JobView>();
  const stmt = db().prepare('SELECT * FROM jobs WHERE kind = ? AND target = ? ORDER BY created_at DESC, rowid DESC LIMIT 1');
  for (const u of users) {
    const r = stmt.get(KIND, u) as JobRow | undefined;
    if (r) out.set(u, reshape(r));
  }
  return out;
}

/** Versions from the member's newest succeeded install, or null. */
export function installedVersions(user: string): Record<string, string> | null {
  const r = db()
    .prepare(`SELECT * FROM jobs WHERE kind = ? AND target = ? AND state = 'succeeded' ORDER BY finished_at DESC, rowid DESC LIMIT 1`)
    .get(KIND, user) as JobRow | undefined;
  return r ? reshape(r).installed : null;
}

/**
 * The packages of each member's newest succeeded install, in one query: what the
 * family list shows as "packages installed" (the panel's own record, no root
 * check of the member's home). Members without one are absent.
 */
export function installedPackagesOf(users: Iterable<string>): Map<string, Record<string, string>> {
  const wanted = new Set(users);
  const out = new Map<string, Record<string, string>>();
  if (wanted.size === 0) return out;
  const rows = db()
    .prepare(`SELECT target, result FROM jobs WHERE kind = ? AND state = 'succeeded' ORDER BY finished_at DESC, rowid DESC`)
    .all(KIND) as Array<{ target: string | null; result: string | null }>;
  for (const r of rows) {
    if (r.target === null || !wanted.has(r.target) || out.has(r.target)) continue;
    out.set(r.target, parseJson<{ installed?: Record<string, string> } | null>(r.result, null)?.installed ?? {});
  }
  return out;
}

/** Subscribe to a job's live messages; returns the unsubscribe function. */
export function subscribe(id: string, listener: (m: JobMessage) => void): () => void {
  const { emitter } = rt();
  emitter.on(id, listener);
  return () => emitter.off(id, listener);
}

function publish(id: string, m: JobMessage): void {
  rt().emitter.emit(id, m);
}

// ---- creating, running, ending -----------------------------------------------------

function auditEnd(job: JobView, outcome: AuditOutcome, error: string | null, actor: JobActor | null): void {
  audit.record({
    actor: actor?.username ?? job.actor,
    action: 'packages_install',
    target: job.target,
    outcome,
    detail: { phase: 'done', jobId: job.id, state: job.state, ...(job.installed ? { installed: job.installed } : {}) },
    error,
    clientAddress: actor?.clientAddress ?? null,
  });
}

/** The panel's own checks before any job exists (good messages; the helper decides again). Refusals are audited. */
function checkTarget(actor: JobActor, target: unknown): string {
  const no = (user: string, error: PublicError): never => refuse(actor, 'packages_install', user, error);
  if (!isValidUsername(target)) {
    no(typeof target === 'string' ? target : JSON.stringify(target ?? null), new PublicError('invalid_name', { values: { problem: 'invalid' } }));
  }
  const user = target as string;
  const facts = accountFacts(user);
  if (!facts.exists) no(user, new PublicError('no_such_user', { values: { user } }));
  if (facts.protectedReason) {
    no(user, new PublicError('protected_account', { reason: 'protected', values: { user, protectedReason: facts.protectedReason } }));
  }
  if (!facts.member) no(user, new PublicError('protected_account', { reason: 'not_member', values: { user } }));
  return user;
}

function insertJob(actor: JobActor, user: string, retryOf: string | null): JobView {
  const id = crypto.randomBytes(12).toString('base64url');
  const now = Date.now();
  const d = db();
  d.transaction(() => {
    d.prepare(
      `INSERT INTO jobs (id, kind, target, actor, state, created_at, updated_at, progress, log_tail, retry_of)
       VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, '[]', ?)`,
    ).run(id, KIND, user, actor.username, now, now, JSON.stringify(summarize([])), retryOf);
    audit.record({
      actor: actor.username,
      action: 'packages_install',
      target: user,
      outcome: 'ok',
      detail: { phase: 'start', jobId: id, ...(retryOf ? { retryOf } : {}) },
      clientAddress: actor.clientAddress ?? null,
    });
  })();
  rt().queue.push(id);
  queueMicrotask(pump);
  return getJob(id)!;
}

/**
 * Start an install for a member: 202 {jobId}. An install already queued or
 * running for this member is returned instead of a second one.
 */
export function startInstall(actor: JobActor, rawTarget: unknown): { job: JobView; existing: boolean } {
  const user = checkTarget(actor, rawTarget);
  const active = db()
    .prepare(`SELECT * FROM jobs WHERE kind = ? AND target = ? AND state IN ('queued', 'running') ORDER BY created_at DESC LIMIT 1`)
    .get(KIND, user) as JobRow | undefined;
  if (active && (rt().queue.includes(active.id) || rt().running.has(active.id))) return { job: reshape(active), existing: true };
  return { job: insertJob(actor, user, null), existing: false };
}

/** A job id that is not (or no longer) known: 404. */
export const jobNotFound = (): PublicError => new PublicError('not_found', { reason: 'job_not_found' });
/** A job whose state does not allow the change (retry a running one, cancel a finished one): 409. */
const jobState = (): PublicError => new PublicError('conflict', { reason: 'job_state' });

/** Retry a failed, cancelled or interrupted job: a new job linked to it. */
export function retryJob(actor: JobActor, id: string): JobView {
  const old = getJob(id);
  if (!old) throw jobNotFound();
  if (!RETRYABLE_STATES.has(old.state)) throw jobState();
  const user = checkTarget(actor, old.target);
  return insertJob(actor, user, old.id);
}

/** Cancel a queued or running job. A finished one: conflict. */
export function cancelJob(actor: JobActor, id: string): JobView {
  const job = getJob(id);
  if (!job) throw jobNotFound();
  const r = rt();
  const controller = r.running.get(id);
  if (controller) {
    controller.abort();
    return getJob(id)!;
  }
  if (job.state === 'queued') {
    r.queue = r.queue.filter((q) => q !== id);
    const ended = finish(id, 'cancelled', { error: `cancelled by ${actor.username} before it started` });
    auditEnd(ended, 'failed', ended.error, actor);
    publish(id, { type: 'end', job: ended });
    return ended;
  }
  throw jobState();
}

function finish(id: string, state: JobState, fields: { result?: unknown; error?: string | null; summary?: ProgressSummary; logTail?: string[] }): JobView {
  const now = Date.now();
  const d = db();
  d.prepare(
    `UPDATE jobs SET state = ?, updated_at = ?, finished_at = ?, error = ?,
       result = coalesce(?, result), progress = coalesce(?, progress), log_tail = coalesce(?, log_tail)
     WHERE id = ?`,
  ).run(
    state,
    now,
    now,
    fields.error ?? null,
    fields.result === undefined ? null : JSON.stringify(fields.result),
    fields.summary ? JSON.stringify(fields.summary) : null,
    fields.logTail ? JSON.stringify(fields.logTail) : null,
    id,
  );
  return getJob(id)!;
}

function pump(): void {
  const r = rt();
  while (r.running.size < MAX_RUNNING && r.queue.length > 0) {
    const id = r.queue.shift()!;
    const job = getJob(id);
    if (!job || job.state !== 'queued') continue;
    void run(job);
  }
}

async function run(job: JobView): Promise<void> {
  const r = rt();
  const controller = new AbortController();
  r.running.set(job.id, controller);
  const d = db();
  const now = Date.now();
  d.prepare(`UPDATE jobs SET state = 'running', started_at = ?, updated_at = ? WHERE id = ?`).run(now, now, job.id);
  publish(job.id, { type: 'state', state: 'running' });

  let summary = summarize([]);
  let seq = 0;
  const logTail: string[] = [];
  const insertEvent = d.prepare('INSERT INTO job_events (job_id, seq, at, event) VALUES (?, ?, ?, ?)');
  const saveProgress = d.prepare('UPDATE jobs SET progress = ?, log_tail = ?, updated_at = ? WHERE id = ?');

  const onProgress = (raw: unknown) => {
    const p = raw as Record<string, unknown> | null;
    if (p && typeof p.log === 'string') {
      const line = p.log.slice(0, 500);
      logTail.push(line);
      if (logTail.length > LOG_TAIL_LINES) logTail.shift();
      saveProgress.run(JSON.stringify(summary), JSON.stringify(logTail), Date.now(), job.id);
      publish(job.id, { type: 'log', line });
      // The helper passes pip's lines on as they are; their phases are read here,
      // not in root code (issue 13).
      for (const ev of progressFromPipLine(line)) onEvent(ev);
      return;
    }
    onEvent(raw);
  };
  const onEvent = (raw: unknown) => {
    if (seq >= MAX_EVENTS) return;
    const ev = toInstallEvent(raw, seq + 1);
    if (!ev) return;
    seq = ev.seq;
    const { seq: _s, ...stored } = ev;
    void _s;
    const at = Date.now();
    summary = summarize([ev], summary);
    d.transaction(() => {
      insertEvent.run(job.id, ev.seq, at, JSON.stringify(stored));
      saveProgress.run(JSON.stringify(summary), JSON.stringify(logTail), at, job.id);
    })();
    publish(job.id, { type: 'progress', event: ev });
  };

  let ended: JobView;
  try {
    const result = await r.runner(job.target, job.actor ?? '', { onProgress, cancel: controller.signal });
    const installed = typeof result.installed === 'object' && result.installed !== null ? (result.installed as Record<string, string>) : {};
    const skipped = Array.isArray(result.skipped) ? result.skipped : [];
    summary = summarize([{ seq: seq + 1, phase: 'done', package: null }], summary);
    ended = finish(job.id, 'succeeded', { result: { installed, skipped, changed: result.changed === true }, summary, logTail });
    auditEnd(ended, 'ok', null, null);
  } catch (error) {
    const e = publicErrorOf(error);
    const cancelled = controller.signal.aborted;
    const state: JobState = cancelled ? 'cancelled' : 'failed';
    const message = cancelled ? `cancelled: ${e.message}` : errorText(e);
    ended = finish(job.id, state, { error: message, summary, logTail });
    auditEnd(ended, cancelled ? 'failed' : outcomeOf(e), message, null);
  } finally {
    r.running.delete(job.id);
  }
  publish(job.id, { type: 'end', job: ended });
  pump();
}

export function isFinal(state: JobState): boolean {
  return FINAL_STATES.has(state);
}
