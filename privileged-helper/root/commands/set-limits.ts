// set-limits --for kids|parents|kid:NAME [--memory-mib N|default] [--cpu-weight N|default] --actor NAME:
// the memory and CPU limits of the family's servers, in /etc/jupyterhub4family/limits.json
// (root:root 0644), which the family hub reads at every server start
// (system/hub/jupyterhub4family/limits.py). lib/shared/limits-rule.ts validates the
// numbers: whole MiB from 256 up to the machine's memory (read here, as root, from
// /proc/meminfo: never the caller's figure), a CPU weight 1..10000; "default"
// removes the figure. kid:NAME is only for an unprotected member of jupyterhub who
// is not a parent (a parent's servers follow the parents' default). Family hub only.
// Written atomically (temp file in the same root-owned folder, fsync, rename), the
// other entries kept as they are.
import { lstatSync, readFileSync } from 'node:fs';
import {
  LIMITS_DIR,
  LIMITS_FILE,
  LimitsError,
  memTotalMiB,
  parseCpuWeight,
  parseLimitsFile,
  parseMemoryMiB,
  parseTarget,
  renderLimitsFile,
  type LimitsFile,
} from '../../../lib/shared/limits-rule';
import { isValidUsername } from '../../../lib/shared/username-rule';
import { detectHubKind, isFamilyKind } from '../../../lib/shared/hub-kind';
import { readSystemState } from '../accounts';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import type { Command } from '../context';
import { conflict, refused, systemError, usage } from '../../common/errors';
import { writeRootFile } from '../hub-account';
import { ADMIN_GROUP, ACCESS_GROUP } from '../policy';
import { isRootOnlyWritable, readRootFile } from '../../common/root-json';
import { requireMembersGroup, requireUnprotectedAccount } from './common';

function readLimitsFile(): LimitsFile | null {
  const r = readRootFile(LIMITS_FILE, LIMITS_DIR);
  if (r.ignoredReason) throw systemError(`${r.ignoredReason}; remove ${LIMITS_FILE} and set the limits again`);
  try {
    return r.data === undefined ? null : parseLimitsFile(r.data);
  } catch (e) {
    if (e instanceof LimitsError) throw conflict(`${LIMITS_FILE}: ${e.message}; remove it and set the limits again`, 'limits_file_broken', { path: LIMITS_FILE });
    throw e;
  }
}

function machineMiB(): number {
  const total = memTotalMiB(readFileSync('/proc/meminfo', 'utf8'));
  if (total === null) throw systemError('/proc/meminfo has no MemTotal');
  return total;
}

export const setLimits: Command = {
  spec: HELPER_COMMAND_SPECS['set-limits'],
  run(ctx) {
    const o = ctx.args.options;
    const forText = o['--for'];
    const memText = o['--memory-mib'];
    const cpuText = o['--cpu-weight'];
    let target;
    let memoryMiB: number | null | undefined;
    let cpuWeight: number | null | undefined;
    const total = machineMiB();
    try {
      if (forText === undefined) throw new LimitsError('set-limits needs --for kids|parents|kid:NAME', 'limits_target_invalid');
      target = parseTarget(forText, isValidUsername);
      if (memText === undefined && cpuText === undefined) throw new LimitsError('set-limits needs --memory-mib or --cpu-weight', 'limits_nothing_to_set');
      memoryMiB = memText === undefined ? undefined : memText === 'default' ? null : parseMemoryMiB(memText, total);
      cpuWeight = cpuText === undefined ? undefined : cpuText === 'default' ? null : parseCpuWeight(cpuText);
    } catch (e) {
      if (e instanceof LimitsError) throw usage(`invalid limits: ${e.message}`, e.reason, e.values);
      throw e;
    }
    if (!isFamilyKind(detectHubKind())) throw conflict('limits need the family hub; this machine has another hub (or none)', 'not_family_hub');

    if (target.kind === 'user') {
      // Under the lock: an unprotected member of jupyterhub who is not a parent.
      const state = readSystemState();
      requireMembersGroup(state);
      requireUnprotectedAccount(ctx, state, target.user);
      if (state.isInGroup(target.user, ADMIN_GROUP))
        throw refused(`refused: ${target.user} is a parent (${ADMIN_GROUP}); set the parents' limits instead`, 'is_parent', { user: target.user, group: ADMIN_GROUP });
      if (!state.isSupplementaryMember(target.user, ACCESS_GROUP))
        throw refused(`refused: ${target.user} is not a member of ${ACCESS_GROUP}`, 'not_member', { user: target.user, group: ACCESS_GROUP });
    }

    // Root writes only into a folder no other account can write.
    const dir = lstatSync(LIMITS_DIR, { throwIfNoEntry: false });
    if (!dir?.isDirectory() || !isRootOnlyWritable(dir)) throw systemError(`${LIMITS_DIR} is not a root-owned folder closed to others`);
    const file = readLimitsFile();
    const next = renderLimitsFile(file, target, { memoryMiB, cpuWeight });
    const before = file ? renderLimitsFile(file, { kind: 'role', role: 'kids' }, {}) : null;
    const result = { for: forText, memoryMiB: memoryMiB ?? null, cpuWeight: cpuWeight ?? null, machineMiB: total };
    if (next === before) return { changed: false, ...result };
    writeRootFile(LIMITS_FILE, next, 0, 0, 0o644);
    return { changed: true, ...result, file: LIMITS_FILE };
  },
};
