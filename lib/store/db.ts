import 'server-only';
// The panel's only SQLite connection (better-sqlite3, synchronous, one per process).
// Opened lazily on first use, so `next build` never touches /var/lib. Schema
// changes are an ordered list of migrations tracked with PRAGMA user_version.
// Only lib/ modules import this file; nothing else writes SQL.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { settings } from '../settings';

export type Db = Database.Database;

/** Append only: never edit a migration that has shipped, add a new one. */
export const MIGRATIONS: readonly string[] = [
  // 1: sessions, login throttling, audit log, jobs
  `
  CREATE TABLE sessions (
    id_hash        TEXT PRIMARY KEY,            -- SHA-256 (hex) of the cookie value; the value itself is never stored
    username       TEXT NOT NULL,
    created_at     INTEGER NOT NULL,            -- ms since the epoch
    last_seen_at   INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,            -- absolute end (created_at + sessionMaxSeconds)
    client_address TEXT,
    user_agent     TEXT
  ) STRICT;
  CREATE INDEX sessions_username ON sessions(username);
  CREATE INDEX sessions_expires_at ON sessions(expires_at);

  CREATE TABLE login_throttle (
    kind          TEXT NOT NULL CHECK (kind IN ('username', 'address')),
    key           TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    window_start  INTEGER NOT NULL,
    last_failure  INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key)
  ) STRICT;

  CREATE TABLE audit (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    actor          TEXT,
    action         TEXT NOT NULL,
    target         TEXT,
    outcome        TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'refused')),
    detail         TEXT,                        -- JSON object
    error          TEXT,
    client_address TEXT
  ) STRICT;
  CREATE INDEX audit_target ON audit(target, id);

  CREATE TABLE jobs (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    target     TEXT,
    actor      TEXT,
    state      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    progress   TEXT,                            -- JSON
    log_tail   TEXT,
    result     TEXT,                            -- JSON
    error      TEXT
  ) STRICT;
  CREATE INDEX jobs_state ON jobs(state);
  `,
  // 2: jobs: runs linked for retry, start/end times, ordered progress events (lib/jobs/)
  `
  ALTER TABLE jobs ADD COLUMN retry_of    TEXT;
  ALTER TABLE jobs ADD COLUMN started_at  INTEGER;
  ALTER TABLE jobs ADD COLUMN finished_at INTEGER;
  CREATE INDEX jobs_target ON jobs(target, created_at);
  CREATE TABLE job_events (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,                    -- 1, 2, ... per job, in the order they happened
    at     INTEGER NOT NULL,
    event  TEXT NOT NULL,                       -- JSON: a progress event of the helper
    PRIMARY KEY (job_id, seq)
  ) STRICT;
  `,
  // 3: login throttling keyed by address, name+address and name (lib/auth/throttle.ts,
  // docs/ARCHITECTURE.md "Login throttling"). The old rows counted per name
  // regardless of address, which let a stranger keep a parent out: dropped.
  `
  DROP TABLE login_throttle;
  CREATE TABLE login_throttle (
    kind          TEXT NOT NULL CHECK (kind IN ('address', 'name_address', 'name')),
    key           TEXT NOT NULL,
    failures      INTEGER NOT NULL,            -- attempts counted (when they start) since the key was last forgotten
    last_failure  INTEGER NOT NULL,            -- ms since the epoch
    blocked_until INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key)
  ) STRICT;
  `,
  // 4: family settings parents change on the panel (lib/store/family-settings.ts) and the
  // panel's own automatic server stops (lib/upkeep/idle-stop.ts).
  `
  CREATE TABLE family_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,                   -- JSON
    updated_at INTEGER NOT NULL,
    updated_by TEXT
  ) STRICT;
  CREATE TABLE idle_stops (
    user       TEXT PRIMARY KEY,                -- the hub user whose server the panel stopped last
    stopped_at INTEGER NOT NULL,                -- ms since the epoch
    idle_ms    INTEGER NOT NULL                 -- how long the hub had seen no activity
  ) STRICT;
  `,
  // 5: onboarding state: the accounts the panel made, and whether their onboarding
  // finished (lib/family/onboarding-state.ts), so "run it again" continues without
  // reading the audit log as state. Filled once from the audit log as the
  // panel read it until now: a user_create that was not refused, the last onboard ok.
  `
  CREATE TABLE onboarding (
    user        TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL,               -- ms since the epoch
    finished_at INTEGER                         -- ms since the epoch; NULL while unfinished
  ) STRICT;
  INSERT INTO onboarding (user, created_at, finished_at)
    SELECT target, MIN(at), NULL FROM audit
     WHERE action = 'user_create' AND outcome != 'refused' AND target IS NOT NULL
       AND coalesce(CASE WHEN json_valid(detail) THEN json_extract(detail, '$.phase') END, '') != 'start'
     GROUP BY target;
  UPDATE onboarding SET finished_at = (
      SELECT a.at FROM audit a WHERE a.action = 'onboard' AND a.target = onboarding.user ORDER BY a.id DESC LIMIT 1)
   WHERE (SELECT a.outcome FROM audit a WHERE a.action = 'onboard' AND a.target = onboarding.user ORDER BY a.id DESC LIMIT 1) = 'ok';
  `,
  // 6: device cookies (lib/auth/device-cookie.ts, docs/ARCHITECTURE.md "Login throttling"):
  // the panel's own keys (the device cookie's HMAC key, made on first use), and the
  // throttle kind 'device'. SQLite cannot change a CHECK in place: the table is
  // copied, so the counters of attempts under way survive the upgrade.
  `
  CREATE TABLE panel_keys (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,                   -- random bytes; never logged, never sent
    created_at INTEGER NOT NULL                 -- ms since the epoch
  ) STRICT;
  CREATE TABLE login_throttle_v6 (
    kind          TEXT NOT NULL CHECK (kind IN ('address', 'name_address', 'name', 'device')),
    key           TEXT NOT NULL,
    failures      INTEGER NOT NULL,
    last_failure  INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key)
  ) STRICT;
  INSERT INTO login_throttle_v6 (kind, key, failures, last_failure, blocked_until)
    SELECT kind, key, failures, last_failure, blocked_until FROM login_throttle;
  DROP TABLE login_throttle;
  ALTER TABLE login_throttle_v6 RENAME TO login_throttle;
  `,
  // 7: one audit entry per change (lib/store/audit.ts): the row with a change's
  // outcome names the "start" row written before the call, and the log shows only
  // the outcome. Old pairs are linked here: each outcome row of audited() to the
  // last start row of the same action, actor and target written after that key's
  // previous outcome row.
  `
  ALTER TABLE audit ADD COLUMN start_id INTEGER;
  CREATE INDEX audit_start ON audit(start_id) WHERE start_id IS NOT NULL;
  UPDATE audit SET start_id = (
      SELECT s.id FROM audit s
       WHERE s.id < audit.id AND s.action = audit.action AND s.actor IS audit.actor AND s.target IS audit.target
         AND json_valid(s.detail) AND json_extract(s.detail, '$.phase') = 'start'
         AND s.id > coalesce((SELECT max(p.id) FROM audit p
                               WHERE p.id < audit.id AND p.action = audit.action AND p.actor IS audit.actor AND p.target IS audit.target
                                 AND json_valid(p.detail) AND json_extract(p.detail, '$.phase') = 'done'), 0)
       ORDER BY s.id DESC LIMIT 1)
   WHERE json_valid(detail) AND json_extract(detail, '$.phase') = 'done';
  `,
];

/** Opens (creating if needed) and migrates a database file. Exported for tests. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') {
    fs.mkdirSync(/*turbopackIgnore: true*/ path.dirname(file), { recursive: true, mode: 0o700 });
    // Sessions and the audit log are for the panel account only; SQLite gives the
    // -wal and -shm files the main file's mode.
    fs.closeSync(fs.openSync(/*turbopackIgnore: true*/ file, 'a', 0o600));
  }
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`panel.db has schema version ${current}, newer than this panel (${MIGRATIONS.length}); refusing to run an older panel on it`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

// One connection per process, kept on globalThis: Next.js may load this module
// more than once (one copy per server bundle layer), and they must share it.
const KEY = Symbol.for('jh4f.db');
type Holder = { [KEY]?: Db };
const holder = globalThis as Holder;

export function databaseFile(): string {
  return path.join(settings().dataDir, 'panel.db');
}

/** The connection, opened on first use. */
export function db(): Db {
  let conn = holder[KEY];
  if (!conn) {
    conn = openDatabase(databaseFile());
    holder[KEY] = conn;
    interruptLeftoverJobs(conn);
  }
  return conn;
}

/**
 * Start-up of the panel process (its first open of the database): a job still
 * queued or running belongs to a panel that is gone (killed, crashed,
 * restarted). It is marked interrupted, and its end is audited like any other
 * (packages_install, failed), so the audit log has a start and an end for it.
 * Exported for tests.
 */
export function interruptLeftoverJobs(conn: Db, now = Date.now()): number {
  const leftovers = conn.prepare(`SELECT id, kind, target, actor, state FROM jobs WHERE state IN ('queued', 'running')`).all() as Array<{
    id: string;
    kind: string;
    target: string | null;
    actor: string | null;
    state: string;
  }>;
  if (leftovers.length === 0) return 0;
  const message = 'interrupted: the panel stopped while this job was queued or running';
  conn.transaction(() => {
    for (const job of leftovers) {
      conn.prepare(`UPDATE jobs SET state = 'interrupted', error = ?, updated_at = ?, finished_at = ? WHERE id = ?`).run(message, now, now, job.id);
      if (job.kind === 'packages_install') {
        conn
          .prepare(`INSERT INTO audit (at, actor, action, target, outcome, detail, error) VALUES (?, ?, 'packages_install', ?, 'failed', ?, ?)`)
          .run(now, job.actor, job.target, JSON.stringify({ phase: 'done', jobId: job.id, state: 'interrupted', was: job.state }), message);
      } else if (job.kind === 'system_upgrade') {
        // The helper goes on with an upgrade once dpkg runs (a panel's end does not stop it): the log says only that the panel lost it.
        conn
          .prepare(`INSERT INTO audit (at, actor, action, target, outcome, detail, error) VALUES (?, ?, 'system_upgrade', 'system', 'failed', ?, ?)`)
          .run(now, job.actor, JSON.stringify({ phase: 'done', jobId: job.id, state: 'interrupted', was: job.state, mode: job.target }), message);
      }
    }
  })();
  return leftovers.length;
}

/** Tests: use this connection (or close and forget the current one with null). */
export function setDatabaseForTests(conn: Db | null): void {
  const old = holder[KEY];
  if (old && old !== conn && old.open) old.close();
  if (conn) holder[KEY] = conn;
  else delete holder[KEY];
}
