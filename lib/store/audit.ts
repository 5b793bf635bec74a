import 'server-only';
// The audit log: who did what to whom, and how it ended. A first-class call,
// written before and after each privileged action; the row written after names
// the one before (startId), and the log lists a change once, with its outcome
// (a start row without an outcome row is a change that never finished). Passwords never reach it:
// detail is scrubbed of any key that looks like a secret.
import { db } from './db';

export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'login_throttled',
  'logout',
  'member_add',
  'member_remove',
  'user_create',
  'onboard',
  'password_set',
  'packages_install',
  'system_upgrade',
  'hub_connect',
  'hub_restart',
  'server_stop',
  'server_idle_stop',
  'activity_in_future',
  'setting_change',
  'hours_set',
  'limits_set',
  'home_private',
  'hours_stop',
  'bedtime',
  // A signed-in change the request checks refused before any use case ran
  // (another page's Origin, or none); the target is the path it was sent to.
  'request_refused',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['ok', 'failed', 'refused'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export type AuditDetail = Record<string, unknown>;

export interface AuditInput {
  /** The parent who acted; null when nobody is signed in (a failed login). */
  actor: string | null;
  action: AuditAction;
  target?: string | null;
  outcome: AuditOutcome;
  detail?: AuditDetail;
  error?: string | null;
  clientAddress?: string | null;
  /** The outcome row of a change: the id of the start row written before the call. */
  startId?: number | null;
}

export interface AuditEntry {
  id: number;
  /** ISO 8601, UTC. */
  at: string;
  actor: string | null;
  action: AuditAction;
  target: string | null;
  outcome: AuditOutcome;
  detail: AuditDetail | null;
  error: string | null;
  clientAddress: string | null;
  startId: number | null;
}

const SECRET_KEY_RE = /pass|secret|token|authtok|cookie|session_?id|credential/i;
const MAX_DETAIL_CHARS = 8 * 1024;
const MAX_TEXT_CHARS = 2 * 1024;

/** Drops every key that could hold a secret, at any depth. Exported for tests. */
export function scrubDetail(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[too deep]';
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => scrubDetail(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (SECRET_KEY_RE.test(key)) continue;
      out[key] = scrubDetail(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string') return clip(value, MAX_TEXT_CHARS);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  return value;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Untrusted text (a name typed into the login form) stored so it can be shown safely. */
function printable(text: string | null | undefined, max = 128): string | null {
  if (text === null || text === undefined) return null;
  // JSON escaping makes control characters visible ("alice\nbob" stays one line).
  const visible = /^[\x20-\x7e]*$/.test(text) ? text : JSON.stringify(text).slice(1, -1);
  return clip(visible, max);
}

function record(input: AuditInput): number {
  if (!AUDIT_ACTIONS.includes(input.action)) throw new Error(`unknown audit action ${String(input.action)}`);
  if (!AUDIT_OUTCOMES.includes(input.outcome)) throw new Error(`unknown audit outcome ${String(input.outcome)}`);
  let detail: string | null = null;
  if (input.detail !== undefined) {
    detail = JSON.stringify(scrubDetail(input.detail));
    if (detail.length > MAX_DETAIL_CHARS) detail = JSON.stringify({ truncated: true, head: detail.slice(0, MAX_DETAIL_CHARS) });
  }
  const result = db()
    .prepare(
      `INSERT INTO audit (at, actor, action, target, outcome, detail, error, client_address, start_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      Date.now(),
      printable(input.actor, 64),
      input.action,
      printable(input.target),
      input.outcome,
      detail,
      input.error ? clip(input.error, MAX_TEXT_CHARS) : null,
      printable(input.clientAddress, 64),
      input.startId ?? null,
    );
  return Number(result.lastInsertRowid);
}

interface AuditRow {
  id: number;
  at: number;
  actor: string | null;
  action: string;
  target: string | null;
  outcome: string;
  detail: string | null;
  error: string | null;
  client_address: string | null;
  start_id: number | null;
}

function reshape(row: AuditRow): AuditEntry {
  let detail: AuditDetail | null = null;
  if (row.detail) {
    try {
      detail = JSON.parse(row.detail) as AuditDetail;
    } catch {
      detail = { unreadable: row.detail };
    }
  }
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action as AuditAction,
    target: row.target,
    outcome: row.outcome as AuditOutcome,
    detail,
    error: row.error,
    clientAddress: row.client_address,
    startId: row.start_id,
  };
}

export interface AuditQuery {
  /** 1..500, default 50. */
  limit?: number;
  /** Only entries with an id below this one (paging backwards). */
  before?: number;
  target?: string;
}

/** Newest first. */
function list(query: AuditQuery = {}): AuditEntry[] {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), 500);
  // A start row whose change has its outcome row is that change's first half: not listed again.
  const where: string[] = ['NOT EXISTS (SELECT 1 FROM audit d WHERE d.start_id = audit.id)'];
  const args: (string | number)[] = [];
  if (query.before !== undefined) {
    where.push('id < ?');
    args.push(Math.trunc(query.before));
  }
  if (query.target !== undefined) {
    where.push('target = ?');
    args.push(query.target);
  }
  const sql = `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
  return (
    db()
      .prepare(sql)
      .all(...args, limit) as AuditRow[]
  ).map(reshape);
}

export const audit = { record, list };
