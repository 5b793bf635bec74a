// The panel's audit log as the sandbox tests read it: straight from the panel's
// database (read-only), so a test sees what was written, not what the API shows.
import Database from 'better-sqlite3';

export interface AuditRow {
  id: number;
  actor: string | null;
  action: string;
  target: string | null;
  outcome: string;
  error: string | null;
  detail: string | null;
  /** detail, parsed ({} when there is none). */
  d: Record<string, any>;
}

export function auditRows(dbPath: string): { lastAuditId(): number; auditSince(id: number): AuditRow[] } {
  const read = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    lastAuditId: () => read((db) => (db.prepare('SELECT coalesce(max(id), 0) AS id FROM audit').get() as { id: number }).id),
    auditSince: (id) =>
      read((db) =>
        (db.prepare('SELECT id, actor, action, target, outcome, error, detail FROM audit WHERE id > ? ORDER BY id').all(id) as Omit<AuditRow, 'd'>[]).map((r) => ({
          ...r,
          d: r.detail ? (JSON.parse(r.detail) as Record<string, any>) : {},
        })),
      ),
  };
}
