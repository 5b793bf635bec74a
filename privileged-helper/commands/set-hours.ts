// set-hours USER --hours JSON --actor NAME: a kid's Jupyter hours, in
// /etc/jupyterhub4family/hours.json (root:root 0644), which the family hub reads
// at every login and server start (system/hub/jupyterhub_config.py). JSON is
// "always" (removes the kid's entry) or {"mon":["16:00-20:00"],...} (lib/hours.ts
// validates it: known days, HH:MM-HH:MM within one day, no overlaps). Only for an
// unprotected member of jupyterhub who is not a parent (jupyterhub_adm): the
// hours are the parents' rule for their kids. Family hub only: a seed hub's
// configuration is not ours. Written atomically (temp file in the same root-owned
// folder, fsync, rename), other kids' entries kept as they are.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { HOURS_DIR, HOURS_FILE, HoursError, parseHours, parseHoursFile, renderHoursFile, type HoursFile } from '../../lib/hours';
import { detectHubKind, isFamilyKind } from '../../lib/hub-kind';
import { readSystemState } from '../accounts';
import type { Command } from '../context';
import { conflict, refused, systemError, usage } from '../errors';
import { writeRootFile } from '../hub-account';
import { ADMIN_GROUP, ACCESS_GROUP } from '../policy';
import { isRootOnlyWritable } from '../../lib/shared/protection';
import { requireMembersGroup, requireUnprotectedAccount, target } from './common';

const MAX_FILE_BYTES = 256 * 1024;

/** The current file, or null when there is none. Never follows a link, never waits on a FIFO. */
function readHoursFile(): HoursFile | null {
  let fd: number;
  try {
    fd = openSync(HOURS_FILE, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw systemError(`${HOURS_FILE} cannot be opened (${(e as NodeJS.ErrnoException).code}); remove it and set the hours again`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) throw systemError(`${HOURS_FILE} is not a regular file of a sensible size; remove it and set the hours again`);
    return parseHoursFile(readFileSync(fd, 'utf8'));
  } catch (e) {
    if (e instanceof HoursError) throw conflict(`${HOURS_FILE}: ${e.message}; remove it and set the hours again`);
    throw e;
  } finally {
    closeSync(fd);
  }
}

export const setHours: Command = {
  spec: {
    name: 'set-hours',
    positionals: ['user'],
    options: ['--hours'],
    mutating: true,
    readsPassword: false,
    synopsis: 'set-hours USER --hours always|{"mon":["16:00-20:00"],...} --actor NAME',
  },
  run(ctx) {
    const user = target(ctx);
    const text = ctx.args.options['--hours'];
    if (text === undefined) throw usage('set-hours needs --hours always or --hours {"mon":["HH:MM-HH:MM"],...}');
    let hours;
    try {
      hours = parseHours(text === 'always' ? 'always' : JSON.parse(text.length > 4096 ? '' : text));
    } catch (e) {
      throw usage(`invalid hours: ${e instanceof HoursError ? e.message : 'not JSON (at most 4096 characters)'}`);
    }
    if (!isFamilyKind(detectHubKind())) throw conflict('Jupyter hours need the family hub; this machine has another hub (or none)');

    // Under the lock: an unprotected member of jupyterhub who is not a parent.
    const state = readSystemState();
    requireMembersGroup(state);
    requireUnprotectedAccount(ctx, state, user);
    if (!state.isSupplementaryMember(user, ACCESS_GROUP)) throw refused(`refused: ${user} is not a member of ${ACCESS_GROUP}`);
    if (state.isInGroup(user, ADMIN_GROUP)) throw refused(`refused: ${user} is a parent (${ADMIN_GROUP}); hours are for kids`);

    // Root writes only into a folder no other account can write.
    const dir = lstatSync(HOURS_DIR, { throwIfNoEntry: false });
    if (!dir?.isDirectory() || !isRootOnlyWritable(dir)) throw systemError(`${HOURS_DIR} is not a root-owned folder closed to others`);
    const file = readHoursFile();
    const next = renderHoursFile(file, user, hours);
    const before = file ? renderHoursFile(file, '', null) : null;
    if (next === before) return { changed: false, user, hours: hours === null ? 'always' : JSON.parse(next).users[user] };
    writeRootFile(HOURS_FILE, next, 0, 0, 0o644);
    return { changed: true, user, hours: hours === null ? 'always' : (JSON.parse(next) as { users: Record<string, unknown> }).users[user], file: HOURS_FILE };
  },
};
