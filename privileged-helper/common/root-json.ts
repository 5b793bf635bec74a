// The helper's one loader for root's own files: helper.json (policy.ts),
// hours.json (commands/set-hours.ts) and, in the agent, packages.json
// (agent/packages.ts). A file is trusted only when it is a regular file owned by
// root and closed to others, in a folder that is too; it is opened without
// following a link or waiting on a FIFO. A missing file means the defaults; an
// untrusted one is ignored (defaults, with the reason); a trusted but malformed
// one fails closed (system_error).
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { systemError } from './errors';
import { isRootOnlyWritable } from '../../lib/shared/protection';

export { isRootOnlyWritable };

/** Root's configuration folder (helper.json, packages.json). */
export const CONFIG_DIR = '/etc/jupyterhub-panel';
/** Larger than any of them needs (hours.json: some 100 bytes a kid). */
const MAX_BYTES = 256 * 1024;

type Loaded<T> = { data: T; ignoredReason: null } | { data: undefined; ignoredReason: string | null };

/** The text of a trusted file, or undefined with why it was not used (null: it does not exist). */
export function readRootFile(path: string, dir: string): Loaded<string> {
  const ignored = (ignoredReason: string | null) => ({ data: undefined, ignoredReason });
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return ignored(code === 'ENOENT' || code === 'ENOTDIR' ? null : `${path} cannot be opened (${code})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return ignored(`${path} is not a regular file`);
    if (!isRootOnlyWritable(st)) return ignored(`${path} is not owned by root or is writable by others`);
    const d = lstatSync(dir);
    if (!d.isDirectory() || !isRootOnlyWritable(d)) return ignored(`${dir} is not a root-owned directory closed to others`);
    if (st.size > MAX_BYTES) throw systemError(`${path} is too large`);
    return { data: readFileSync(fd, 'utf8'), ignoredReason: null };
  } finally {
    closeSync(fd);
  }
}

/** The parsed JSON of a trusted file, or undefined with why it was not used. */
export function readRootJson(path: string, dir: string): Loaded<unknown> {
  const r = readRootFile(path, dir);
  if (r.data === undefined) return r;
  try {
    return { data: JSON.parse(r.data) as unknown, ignoredReason: null };
  } catch {
    throw systemError(`${path} is not valid JSON`);
  }
}
