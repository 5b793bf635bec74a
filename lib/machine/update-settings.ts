// The family's automatic updates as the panel reads them, without root: the mode
// our apt drop-in records (root's file, 0644, in root's /etc/apt/apt.conf.d; the
// file is the one truth, as hours.json is for the hours) and whether anything will
// run unattended-upgrades (systemd's apt-daily-upgrade.timer: without systemd,
// containers and the test sandbox, nothing does). Pure apart from the two reads,
// whose paths a test may pass; the overview's update status reads this too.
import fs from 'node:fs';
import { parseUpdateSettings, UPDATES_DIR, UPDATES_FILE, type UpdateMode, type UpdateSettingsProblem } from '../shared/update-settings';

export type UpdateFileProblem = UpdateSettingsProblem | 'missing' | 'untrusted';

export interface UpdateSettings {
  /** null: the file is missing or not as we write it (then `problem` says why). */
  mode: UpdateMode | null;
  /** systemd runs here, so its apt-daily-upgrade.timer starts unattended-upgrades at night. */
  automaticRuns: boolean;
  problem: UpdateFileProblem | null;
}

const MAX_BYTES = 64 * 1024;

/** Where systemd runs, it makes this folder at boot (sd_booted(3)). */
export const SYSTEMD_RUN_DIR = '/run/systemd/system';

export function readUpdateSettings(path: string = UPDATES_FILE, systemdDir: string = SYSTEMD_RUN_DIR): UpdateSettings {
  const automaticRuns = fs.existsSync(systemdDir);
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    // A link (ELOOP) or anything else unreadable is no file of ours.
    return { mode: null, automaticRuns, problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'untrusted' };
  }
  try {
    const st = fs.fstatSync(fd);
    const dir = fs.lstatSync(path === UPDATES_FILE ? UPDATES_DIR : path.replace(/\/[^/]*$/, ''));
    // apt reads the file as root whoever wrote it; a file another account could have
    // written is not believed (the mode shown would be theirs).
    if (!st.isFile() || st.uid !== 0 || (st.mode & 0o022) !== 0 || dir.uid !== 0 || (dir.mode & 0o022) !== 0 || st.size > MAX_BYTES) {
      return { mode: null, automaticRuns, problem: 'untrusted' };
    }
    const parsed = parseUpdateSettings(fs.readFileSync(fd, 'utf8'));
    return { mode: parsed.mode, automaticRuns, problem: parsed.problem };
  } finally {
    fs.closeSync(fd);
  }
}
