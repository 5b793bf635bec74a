import 'server-only';
// The panel reads the kids' Jupyter hours without root: the file is root's, 0644,
// in root's own folder (written only by the helper's set-hours). Opened without
// following a link or waiting on a FIFO; a file another account could write is
// not believed (the hub refuses kids then too, see system/hub/jupyterhub4family/hours.py).
import fs from 'node:fs';
import { HOURS_DIR, HOURS_FILE, HoursError, parseHoursFile, type HoursFile } from '../shared/hours-rule';

export type HoursFileState = { kind: 'none' } | { kind: 'ok'; file: HoursFile } | { kind: 'broken'; problem: string };

const MAX_BYTES = 256 * 1024;

export function readHoursFile(path: string = HOURS_FILE): HoursFileState {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    // Missing or unreadable: the hub applies no restrictions either.
    return { kind: 'none' };
  }
  try {
    const st = fs.fstatSync(fd);
    const dir = fs.lstatSync(path === HOURS_FILE ? HOURS_DIR : path.replace(/\/[^/]*$/, ''));
    if (!st.isFile() || st.uid !== 0 || (st.mode & 0o022) !== 0 || dir.uid !== 0 || (dir.mode & 0o022) !== 0 || st.size > MAX_BYTES) {
      return { kind: 'broken', problem: `${path} is not a root-owned file closed to others` };
    }
    return { kind: 'ok', file: parseHoursFile(fs.readFileSync(fd, 'utf8')) };
  } catch (e) {
    return { kind: 'broken', problem: e instanceof HoursError ? e.message : String(e) };
  } finally {
    fs.closeSync(fd);
  }
}
