import 'server-only';
// The family's memory and CPU limits, the panel's side: read without root (the
// file is root's, 0644, in root's own folder, written only by the helper's
// set-limits), the machine's memory from /proc/meminfo, and a parent's change
// through the helper, audited as limits_set (refusals too).
import fs from 'node:fs';
import { z } from 'zod';
import { PublicError } from '../errors/errors';
import * as helper from '../helper/commands';
import { audited, refuse, type Actor } from '../store/audited';
import { isValidUsername } from '../shared/username-rule';
import {
  effectiveLimits,
  LIMITS_DIR,
  LIMITS_FILE,
  LimitsError,
  machineDefaults,
  memTotalMiB,
  parseCpuWeight,
  parseLimitsFile,
  parseMemoryMiB,
  parseTarget,
  type EffectiveLimits,
  type LimitsFile,
  type LimitsRole,
} from '../shared/limits-rule';

export type LimitsFileState = { kind: 'none' } | { kind: 'ok'; file: LimitsFile } | { kind: 'broken'; problem: string };

const MAX_BYTES = 256 * 1024;

export function readLimitsFile(path: string = LIMITS_FILE, dir: string = LIMITS_DIR): LimitsFileState {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return { kind: 'none' };
  }
  try {
    const st = fs.fstatSync(fd);
    const d = fs.lstatSync(dir);
    if (!st.isFile() || st.uid !== 0 || (st.mode & 0o022) !== 0 || d.uid !== 0 || (d.mode & 0o022) !== 0 || st.size > MAX_BYTES) {
      return { kind: 'broken', problem: `${path} is not a root-owned file closed to others` };
    }
    return { kind: 'ok', file: parseLimitsFile(fs.readFileSync(fd, 'utf8')) };
  } catch (e) {
    return { kind: 'broken', problem: e instanceof LimitsError ? e.message : String(e) };
  } finally {
    fs.closeSync(fd);
  }
}

/** The machine's memory in MiB (0 when /proc/meminfo cannot say: every figure is then refused). */
export function machineMemoryMiB(): number {
  try {
    return memTotalMiB(fs.readFileSync('/proc/meminfo', 'utf8')) ?? 0;
  } catch {
    return 0;
  }
}

export interface FamilyLimits {
  machineMiB: number;
  file: LimitsFileState;
  /** The family's defaults as they apply now (file, else the machine's). */
  kids: EffectiveLimits;
  parents: EffectiveLimits;
  machineDefaults: ReturnType<typeof machineDefaults>;
}

export function familyLimits(): FamilyLimits {
  const machineMiB = machineMemoryMiB();
  const file = readLimitsFile();
  const f = file.kind === 'ok' ? file.file : null;
  // A user name no account has: only the family's and the machine's figures count.
  return {
    machineMiB,
    file,
    kids: effectiveLimits(f, '', 'kids', machineMiB),
    parents: effectiveLimits(f, '', 'parents', machineMiB),
    machineDefaults: machineDefaults(machineMiB),
  };
}

export function limitsOf(family: FamilyLimits, user: string, role: LimitsRole): EffectiveLimits & { own: boolean } {
  const f = family.file.kind === 'ok' ? family.file.file : null;
  const e = effectiveLimits(f, user, role, family.machineMiB);
  return { ...e, own: f !== null && Object.hasOwn(f.users, user) };
}

/** PUT /api/limits: the figures are checked in setFamilyLimits, so a bad one is audited. */
export const limitsBodySchema = z.strictObject({ target: z.string().max(64), memoryMiB: z.unknown().optional(), cpuWeight: z.unknown().optional() });

/** null: back to the default; undefined: unchanged. */
export async function setFamilyLimits(actor: Actor, target: string, memoryMiB: unknown, cpuWeight: unknown): Promise<{ changed: boolean; target: string }> {
  const machineMiB = machineMemoryMiB();
  let parsed;
  let change: { memoryMiB?: number | null; cpuWeight?: number | null };
  try {
    parsed = parseTarget(target, isValidUsername);
    change = {
      memoryMiB: memoryMiB === undefined || memoryMiB === null ? (memoryMiB as null | undefined) : parseMemoryMiB(memoryMiB, machineMiB),
      cpuWeight: cpuWeight === undefined || cpuWeight === null ? (cpuWeight as null | undefined) : parseCpuWeight(cpuWeight),
    };
    if (change.memoryMiB === undefined && change.cpuWeight === undefined) throw new LimitsError('nothing to set', 'limits_nothing_to_set');
  } catch (e) {
    if (!(e instanceof LimitsError)) throw e;
    return refuse(actor, 'limits_set', target.slice(0, 64), new PublicError('invalid_input', { fields: { limits: e.reason }, logText: e.message }), {
      memoryMiB: typeof memoryMiB === 'number' ? memoryMiB : String(memoryMiB).slice(0, 20),
      cpuWeight: typeof cpuWeight === 'number' ? cpuWeight : String(cpuWeight).slice(0, 20),
    });
  }
  const t = parsed;
  const r = await audited(actor, 'limits_set', target, () => helper.setLimits(t, change, actor.username, { timeoutMs: 30_000 }), {
    detail: {
      memoryMiB: change.memoryMiB ?? (change.memoryMiB === null ? 'default' : 'unchanged'),
      cpuWeight: change.cpuWeight ?? (change.cpuWeight === null ? 'default' : 'unchanged'),
      file: LIMITS_FILE,
    },
    summary: (result) => ({ changed: result.changed }),
  });
  return { changed: r.changed, target };
}
