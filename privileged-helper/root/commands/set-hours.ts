// set-hours USER --hours JSON --actor NAME: a kid's Jupyter hours, in
// /etc/jupyterhub4family/hours.json (root:root 0644), which the family hub reads
// at every login and server start (system/hub/jupyterhub4family/hours.py). JSON is
// "always" (removes the kid's entry) or {"mon":["16:00-20:00"],...} (lib/shared/hours-rule.ts
// validates it: known days, HH:MM-HH:MM within one day, no overlaps). Only for an
// unprotected member of jupyterhub who is not a parent (jupyterhub_adm): the
// hours are the parents' rule for their kids. Family hub only: a seed hub's
// configuration is not ours. Written atomically (temp file in the same root-owned
// folder, fsync, rename), other kids' entries kept as they are.
import { lstatSync } from 'node:fs';
import { HOURS_DIR, HOURS_FILE, HoursError, parseHours, parseHoursFile, renderHoursFile, type HoursFile } from '../../../lib/shared/hours-rule';
import { detectHubKind, isFamilyKind } from '../../../lib/shared/hub-kind';
import { readSystemState } from '../accounts';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { conflict, refused, systemError, usage } from '../../common/errors';
import { writeRootFile } from '../hub-account';
import { ADMIN_GROUP, ACCESS_GROUP } from '../policy';
import { isRootOnlyWritable, readRootFile } from '../../common/root-json';
import { requireMembersGroup, requireUnprotectedAccount, target } from './common';

/** The current file, or null when there is none; one that is not root's own regular file is refused. */
function readHoursFile(): HoursFile | null {
  const r = readRootFile(HOURS_FILE, HOURS_DIR);
  if (r.ignoredReason) throw systemError(`${r.ignoredReason}; remove ${HOURS_FILE} and set the hours again`);
  try {
    return r.data === undefined ? null : parseHoursFile(r.data);
  } catch (e) {
    if (e instanceof HoursError)
      throw conflict(`${HOURS_FILE}: ${e.message}; remove it and set the hours again`, 'hours_file_broken', { path: HOURS_FILE, problem: e.reason ?? 'hours_file_not_object' });
    throw e;
  }
}

export const setHours: Command = {
  spec: HELPER_COMMAND_SPECS['set-hours'],
  run(ctx) {
    const user = target(ctx);
    const text = ctx.args.options['--hours'];
    if (text === undefined) throw usage('set-hours needs --hours always or --hours {"mon":["HH:MM-HH:MM"],...}', 'hours_missing');
    let hours;
    try {
      hours = parseHours(text === 'always' ? 'always' : JSON.parse(text.length > 4096 ? '' : text));
    } catch (e) {
      if (e instanceof HoursError) throw usage(`invalid hours: ${e.message}`, e.reason ?? 'usage', e.values);
      throw usage('invalid hours: not JSON (at most 4096 characters)', 'hours_not_json');
    }
    if (!isFamilyKind(detectHubKind())) throw conflict('Jupyter hours need the family hub; this machine has another hub (or none)', 'not_family_hub');

    // Under the lock: an unprotected member of jupyterhub who is not a parent. A
    // parent first, member or not, as set-password does: that is the reason a
    // parent can act on (a parent on the hub is never held to hours).
    const state = readSystemState();
    requireMembersGroup(state);
    requireUnprotectedAccount(ctx, state, user);
    if (state.isInGroup(user, ADMIN_GROUP)) throw refused(`refused: ${user} is a parent (${ADMIN_GROUP}); hours are for kids`, 'is_parent', { user, group: ADMIN_GROUP });
    if (!state.isSupplementaryMember(user, ACCESS_GROUP)) throw refused(`refused: ${user} is not a member of ${ACCESS_GROUP}`, 'not_member', { user, group: ACCESS_GROUP });

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
