import 'server-only';
// Which accounts the panel made for onboarding, and whether that onboarding
// finished: the state that lets "run onboarding again" continue where it
// stopped (lib/family/members.ts onboardKid). Kept in its own table (lib/store/db.ts,
// migration 6) rather than read back from the audit log, which is a record of
// what happened, not the panel's working state.
import { db } from '../store/db';

export interface OnboardingState {
  /** ms since the epoch: the panel's create-user made the account. */
  createdAt: number;
  /** ms since the epoch: the onboarding ended ok; null while unfinished. */
  finishedAt: number | null;
}

/** The panel's create-user made this account (it may still be unfinished). */
export function markCreated(user: string, now = Date.now()): void {
  db()
    .prepare('INSERT INTO onboarding (user, created_at, finished_at) VALUES (?, ?, NULL) ON CONFLICT(user) DO UPDATE SET created_at = excluded.created_at, finished_at = NULL')
    .run(user, now);
}

/** The onboarding of this account ended ok (a first run or a resumed one). */
export function markFinished(user: string, now = Date.now()): void {
  db().prepare('UPDATE onboarding SET finished_at = ? WHERE user = ?').run(now, user);
}

/** null: the panel did not make this account. */
export function onboardingOf(user: string): OnboardingState | null {
  const row = db().prepare('SELECT created_at, finished_at FROM onboarding WHERE user = ?').get(user) as { created_at: number; finished_at: number | null } | undefined;
  return row ? { createdAt: row.created_at, finishedAt: row.finished_at } : null;
}
