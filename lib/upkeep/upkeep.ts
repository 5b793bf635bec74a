import 'server-only';
// What the family page and GET /api/upkeep show about idle servers and disk use:
// the idle setting, each member's last automatic stop (while their server is not
// running again) and home size, and the free space of /home. Read only, never
// waits for a measurement or the hub.
import { z } from 'zod';
import { homeFreeSpace, wantDiskUse, type DiskUseEntry, type FreeSpace } from './disk-use';
import { idleStopMinutes, MAX_IDLE_STOP_MINUTES, type IdleStopMinutes } from '../store/family-settings';
import { idleStopNotes, type IdleStopNote } from './idle-stop';
import { isValidUsername } from '../shared/username-rule';

export interface MemberUpkeep {
  disk: DiskUseEntry;
  idleStop: IdleStopNote | null;
}

export interface Upkeep {
  idleStopMinutes: IdleStopMinutes;
  homeSpace: FreeSpace | null;
  members: Record<string, MemberUpkeep>;
}

/**
 * users: the members shown (disk use measured only for them); running: those the
 * hub shows running now (their "stopped after ... idle" no longer applies).
 */
export function upkeepFor(users: readonly string[], running: ReadonlySet<string> = new Set()): Upkeep {
  const disk = wantDiskUse(users);
  const notes = idleStopNotes(users);
  const members: Record<string, MemberUpkeep> = {};
  for (const u of users) {
    const d = disk.get(u);
    if (!d) continue;
    members[u] = { disk: d, idleStop: running.has(u) ? null : (notes.get(u) ?? null) };
  }
  return { idleStopMinutes: idleStopMinutes(), homeSpace: homeFreeSpace(), members };
}

/** GET /api/upkeep?users=a,b (at most 100 names). */
export const upkeepQuerySchema = z.strictObject({
  users: z
    .string()
    .max(100 * 33)
    .default('')
    .transform((s) => (s ? s.split(',') : []))
    .pipe(z.array(z.string().refine(isValidUsername, { message: 'invalid_name' })).max(100)),
});

/** PUT /api/upkeep/idle {minutes}: null is "never"; whole hours unless the sandbox allows minutes (lib/store/family-settings.ts). */
export const idleSettingBodySchema = z.strictObject({
  minutes: z.number().int().min(1).max(MAX_IDLE_STOP_MINUTES).nullable(),
});
