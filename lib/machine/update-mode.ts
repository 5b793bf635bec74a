import 'server-only';
// A parent changes the family's automatic updates: through the root helper's
// set-updates (the drop-in is root's), audited as setting_change with the old and
// the new mode. A mode the panel does not know is refused here, before the helper,
// and audited too.
import { z } from 'zod';
import { PublicError } from '../errors/errors';
import * as helper from '../helper/commands';
import { audited, refuse, type Actor } from '../store/audited';
import { isUpdateMode, UPDATES_FILE, type UpdateMode } from '../shared/update-settings';
import { readUpdateSettings } from './update-settings';

/** The audit row's target: the setting, as idle stop's is its key. */
export const UPDATES_SETTING_KEY = 'automatic_updates';

/** PUT /api/updates/mode {mode}: the mode itself is checked in setUpdateMode, so a bad one is audited. */
export const updateModeBodySchema = z.strictObject({ mode: z.unknown() });

export async function setUpdateMode(actor: Actor, mode: unknown): Promise<{ changed: boolean; mode: UpdateMode }> {
  const from = readUpdateSettings().mode;
  if (!isUpdateMode(mode)) {
    const shown = typeof mode === 'string' ? mode.slice(0, 64) : typeof mode;
    refuse(actor, 'setting_change', UPDATES_SETTING_KEY, new PublicError('invalid_input', { fields: { mode: 'update_mode' }, logText: `unknown update mode ${JSON.stringify(shown)}` }), {
      from,
      requested: shown,
    });
  }
  const r = await audited(actor, 'setting_change', UPDATES_SETTING_KEY, () => helper.setUpdates(mode, actor.username, { timeoutMs: 30_000 }), {
    detail: { from, to: mode, file: UPDATES_FILE },
    summary: (result) => ({ changed: result.changed, before: result.before }),
  });
  return { changed: r.changed, mode: r.mode };
}
