import 'server-only';
// The install jobs' records: the jobs and job_events tables (lib/store/db.ts) and the
// job's two audit rows (packages_install start and end), written with the row
// changes they belong to. No queue, no helper here: lib/jobs/queue.ts runs jobs,
// lib/jobs/install-packages.ts decides what may be started.
import crypto from 'node:crypto';
import { audit, type AuditOutcome } from '../store/audit';
import { db } from '../store/db';
import { JOB_KINDS, summarize, type InstallEvent, type JobKind, type JobState, type JobView, type ProgressSummary } from './job-progress';
import type { Actor } from '../store/audited';

/** The member installs' kind: the family page's queries are about these only. */
export const KIND = 'packages_install';
export const UPGRADE_KIND = 'system_upgrade';
/** A system upgrade's audit target (its mode is in the detail). */
export const UPGRADE_TARGET = 'system';

export interface JobRow {
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

export function reshape(row: JobRow): JobView {
  const result = parseJson<{ installed?: Record<string, string>; upgraded?: JobView['upgraded']; rebootRequired?: boolean } | null>(row.result, null);
  return {
    id: row.id,
    kind: (JOB_KINDS as readonly string[]).includes(row.kind) ? (row.kind as JobKind) : 'packages_install',
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
    upgraded: result?.upgraded ?? null,
    rebootRequired: result?.rebootRequired === true,
    error: row.error,
  };
}

function jobRow(id: string): JobRow | undefined {
  return db().prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
}

export const JOB_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

export function getJob(id: string): JobView | null {
  if (!JOB_ID_RE.test(id)) return null;
  const r = jobRow(id);
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
  const r = db().prepare(`SELECT * FROM jobs WHERE kind = ? AND target = ? AND state = 'succeeded' ORDER BY finished_at DESC, rowid DESC LIMIT 1`).get(KIND, user) as JobRow | undefined;
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
  const rows = db().prepare(`SELECT target, result FROM jobs WHERE kind = ? AND state = 'succeeded' ORDER BY finished_at DESC, rowid DESC`).all(KIND) as Array<{
    target: string | null;
    result: string | null;
  }>;
  for (const r of rows) {
    if (r.target === null || !wanted.has(r.target) || out.has(r.target)) continue;
    out.set(r.target, parseJson<{ installed?: Record<string, string> } | null>(r.result, null)?.installed ?? {});
  }
  return out;
}

/** The member's install that is queued or running in the table, if any. */
export function activeJobOf(user: string): JobRow | undefined {
  return db().prepare(`SELECT * FROM jobs WHERE kind = ? AND target = ? AND state IN ('queued', 'running') ORDER BY created_at DESC LIMIT 1`).get(KIND, user) as JobRow | undefined;
}

/** The system upgrade queued or running in the table, if any (whatever its mode). */
export function activeUpgrade(): JobRow | undefined {
  return db().prepare(`SELECT * FROM jobs WHERE kind = ? AND state IN ('queued', 'running') ORDER BY created_at DESC LIMIT 1`).get(UPGRADE_KIND) as JobRow | undefined;
}

/** The newest system upgrade (the overview shows how it went). */
export function latestUpgrade(): JobView | null {
  const r = db().prepare('SELECT * FROM jobs WHERE kind = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(UPGRADE_KIND) as JobRow | undefined;
  return r ? reshape(r) : null;
}

const auditActionOf = (kind: JobKind) => (kind === UPGRADE_KIND ? 'system_upgrade' : 'packages_install');
const auditTargetOf = (kind: JobKind, target: string) => (kind === UPGRADE_KIND ? UPGRADE_TARGET : target);

/** A new queued job and its audit "start" row, in one transaction. */
export function insertJob(actor: Actor, user: string, retryOf: string | null, kind: JobKind = KIND): JobView {
  const id = crypto.randomBytes(12).toString('base64url');
  const now = Date.now();
  const d = db();
  d.transaction(() => {
    d.prepare(
      `INSERT INTO jobs (id, kind, target, actor, state, created_at, updated_at, progress, log_tail, retry_of)
       VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, '[]', ?)`,
    ).run(id, kind, user, actor.username, now, now, JSON.stringify(summarize([])), retryOf);
    audit.record({
      actor: actor.username,
      action: auditActionOf(kind),
      target: auditTargetOf(kind, user),
      outcome: 'ok',
      detail: { phase: 'start', jobId: id, ...(kind === UPGRADE_KIND ? { mode: user } : {}), ...(retryOf ? { retryOf } : {}) },
      clientAddress: actor.clientAddress,
    });
  })();
  return getJob(id)!;
}

export function markRunning(id: string): void {
  const now = Date.now();
  db().prepare(`UPDATE jobs SET state = 'running', started_at = ?, updated_at = ? WHERE id = ?`).run(now, now, id);
}

/** Writes a running job's progress: pip's last lines, and each event in order. */
export function progressWriter(id: string): {
  saveProgress(summary: ProgressSummary, logTail: string[], at?: number): void;
  addEvent(event: InstallEvent, summary: ProgressSummary, logTail: string[]): void;
} {
  const d = db();
  const insertEvent = d.prepare('INSERT INTO job_events (job_id, seq, at, event) VALUES (?, ?, ?, ?)');
  const save = d.prepare('UPDATE jobs SET progress = ?, log_tail = ?, updated_at = ? WHERE id = ?');
  return {
    saveProgress(summary, logTail, at = Date.now()) {
      save.run(JSON.stringify(summary), JSON.stringify(logTail), at, id);
    },
    addEvent(event, summary, logTail) {
      const { seq, ...stored } = event;
      const at = Date.now();
      d.transaction(() => {
        insertEvent.run(id, seq, at, JSON.stringify(stored));
        save.run(JSON.stringify(summary), JSON.stringify(logTail), at, id);
      })();
    },
  };
}

export function finish(id: string, state: JobState, fields: { result?: unknown; error?: string | null; summary?: ProgressSummary; logTail?: string[] }): JobView {
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

/** The job's audit "done" row (actor: who cancelled it, else the job's own). */
export function auditEnd(job: JobView, outcome: AuditOutcome, error: string | null, actor: Actor | null, why: Record<string, unknown> = {}): void {
  // The job's start row, so the log shows the install once (lib/store/audit.ts).
  const start = db()
    .prepare(
      `SELECT id FROM audit WHERE action = 'packages_install' AND target IS ? AND json_valid(detail) AND json_extract(detail, '$.jobId') = ? AND json_extract(detail, '$.phase') = 'start' ORDER BY id DESC LIMIT 1`,
    )
    .get(job.target, job.id) as { id: number } | undefined;
  audit.record({
    startId: start?.id ?? null,
    actor: actor?.username ?? job.actor,
    action: auditActionOf(job.kind),
    target: auditTargetOf(job.kind, job.target),
    outcome,
    detail: {
      phase: 'done',
      jobId: job.id,
      state: job.state,
      ...(job.kind === UPGRADE_KIND ? { mode: job.target, upgraded: job.upgraded ?? {} } : {}),
      ...(job.installed && job.kind !== UPGRADE_KIND ? { installed: job.installed } : {}),
      ...why,
    },
    error,
    clientAddress: actor?.clientAddress ?? null,
  });
}
