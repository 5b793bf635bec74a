// set-updates --mode security|all|off --actor NAME: the family's automatic updates,
// as our one apt drop-in /etc/apt/apt.conf.d/52jupyterhub4family-updates (root:root
// 0644), which Debian's unattended-upgrades reads (lib/shared/update-settings.ts
// has its text). The mode is the only input and one of three words; the text is
// ours, never the caller's. Written atomically (temp file in the same root-owned
// folder, fsync, rename), so apt never reads half a file; the folder must be
// root's alone, or root would be writing where another account can swap names.
import { lstatSync, readFileSync } from 'node:fs';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import { isUpdateMode, parseUpdateSettings, UPDATE_MODES, UPDATES_DIR, UPDATES_FILE, updateSettingsText } from '../../../lib/shared/update-settings';
import type { Command } from '../context';
import { systemError, usage } from '../../common/errors';
import { writeRootFile } from '../hub-account';
import { isRootOnlyWritable } from '../../common/root-json';

/** The mode the file records now (null: none, or not a file we wrote). Read as root, without following a link. */
function currentMode(): string | null {
  const st = lstatSync(UPDATES_FILE, { throwIfNoEntry: false });
  if (!st?.isFile()) return null;
  return parseUpdateSettings(readFileSync(UPDATES_FILE, 'utf8')).mode;
}

export const setUpdates: Command = {
  spec: HELPER_COMMAND_SPECS['set-updates'],
  run(ctx) {
    const mode = ctx.args.options['--mode'];
    if (mode === undefined) throw usage(`set-updates needs --mode ${UPDATE_MODES.join('|')}`, 'update_mode_invalid');
    if (!isUpdateMode(mode)) throw usage(`invalid --mode ${JSON.stringify(mode.slice(0, 64))}: one of ${UPDATE_MODES.join(', ')}`, 'update_mode_invalid', { mode: mode.slice(0, 64) });
    const dir = lstatSync(UPDATES_DIR, { throwIfNoEntry: false });
    if (!dir?.isDirectory() || !isRootOnlyWritable(dir)) throw systemError(`${UPDATES_DIR} is not a root-owned folder closed to others`);
    const before = currentMode();
    if (before === mode) return { changed: false, mode, before, file: UPDATES_FILE };
    writeRootFile(UPDATES_FILE, updateSettingsText(mode), 0, 0, 0o644);
    return { changed: true, mode, before, file: UPDATES_FILE };
  },
};
