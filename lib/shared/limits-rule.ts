// Memory and CPU limits per server: the rules, pure (no I/O, no npm imports: the
// root helper bundles this module to validate and write the file). The family
// hub's Python package reads the same file and computes the same defaults --
// system/hub/jupyterhub4family/limits.py; both run test/fixtures/limits-cases.json
// (test/unit/limits.test.ts and test/python/test_limits.py).
//
// The file /etc/jupyterhub4family/limits.json (root:root 0644, written only by the
// helper's set-limits) holds
//   {"version":1,"kids":{"memoryMiB":2048,"cpuWeight":100},"parents":{...},
//    "users":{"anna":{"memoryMiB":3072}}}
// Every field is optional. A server's limit is the user's own entry, else the
// family's default for kids or parents, else the machine's default: a kid may use
// at most half of the memory, a parent three quarters; a parent's CPU weight is
// twice a kid's (CPUWeight / cpu.weight: 100 is the kernel's usual share).

export const LIMITS_FILE = '/etc/jupyterhub4family/limits.json';
export const LIMITS_DIR = '/etc/jupyterhub4family';

/** Below this a Jupyter server does not start at all. */
export const MIN_MEMORY_MIB = 256;
export const MIN_CPU_WEIGHT = 1;
export const MAX_CPU_WEIGHT = 10_000;
/** A fixed bound on processes: against a fork bomb, far above what notebooks use. */
export const TASKS_MAX = { kids: 512, parents: 2048 } as const;

export type LimitsRole = 'kids' | 'parents';

export interface LimitsEntry {
  memoryMiB?: number;
  cpuWeight?: number;
}

export interface LimitsFile {
  kids: LimitsEntry;
  parents: LimitsEntry;
  users: Record<string, LimitsEntry>;
}

export interface EffectiveLimits {
  memoryMiB: number;
  cpuWeight: number;
  tasksMax: number;
  /** Where the memory figure came from. */
  memoryFrom: 'user' | 'family' | 'machine';
}

export const LIMITS_REASONS = [
  'limits_target_invalid',
  'limits_memory_invalid',
  'limits_memory_too_small',
  'limits_memory_too_large',
  'limits_cpu_invalid',
  'limits_nothing_to_set',
  'limits_file_broken',
] as const;
export type LimitsReason = (typeof LIMITS_REASONS)[number];

export class LimitsError extends Error {
  readonly reason: LimitsReason;
  readonly values: Readonly<Record<string, string | number>>;
  constructor(message: string, reason: LimitsReason, values: Record<string, string | number> = {}) {
    super(message);
    this.name = 'LimitsError';
    this.reason = reason;
    this.values = values;
  }
}

/** The machine's defaults: rounded down to 64 MiB, never below the minimum. */
export function machineDefaults(totalMiB: number): Record<LimitsRole, { memoryMiB: number; cpuWeight: number }> {
  const round = (n: number) => Math.max(MIN_MEMORY_MIB, Math.floor(n / 64) * 64);
  return {
    kids: { memoryMiB: round(totalMiB / 2), cpuWeight: 100 },
    parents: { memoryMiB: round((totalMiB * 3) / 4), cpuWeight: 200 },
  };
}

/** A memory figure from the panel or the command line: whole MiB, at least the minimum, at most the machine's memory. */
export function parseMemoryMiB(value: unknown, totalMiB: number): number {
  const n = typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new LimitsError('the memory limit must be a whole number of MiB', 'limits_memory_invalid');
  if (n < MIN_MEMORY_MIB) throw new LimitsError(`the memory limit must be at least ${MIN_MEMORY_MIB} MiB`, 'limits_memory_too_small', { min: MIN_MEMORY_MIB });
  if (n > totalMiB) throw new LimitsError(`the memory limit cannot be more than the machine's ${totalMiB} MiB`, 'limits_memory_too_large', { max: totalMiB });
  return n;
}

export function parseCpuWeight(value: unknown): number {
  const n = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < MIN_CPU_WEIGHT || n > MAX_CPU_WEIGHT)
    throw new LimitsError(`the CPU weight must be a whole number from ${MIN_CPU_WEIGHT} to ${MAX_CPU_WEIGHT}`, 'limits_cpu_invalid', { min: MIN_CPU_WEIGHT, max: MAX_CPU_WEIGHT });
  return n;
}

/** The target of set-limits: "kids", "parents" or "kid:NAME" (a colon is never in a user name). */
export type LimitsTarget = { kind: 'role'; role: LimitsRole } | { kind: 'user'; user: string };

export function parseTarget(text: string, isValidUser: (name: string) => boolean): LimitsTarget {
  if (text === 'kids' || text === 'parents') return { kind: 'role', role: text };
  const user = text.startsWith('kid:') ? text.slice(4) : null;
  if (user === null || !isValidUser(user)) throw new LimitsError('the target must be kids, parents or kid:NAME', 'limits_target_invalid', { target: text.slice(0, 40) });
  return { kind: 'user', user };
}

function entryOf(raw: unknown): LimitsEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new LimitsError('an entry of the limits file is not an object', 'limits_file_broken');
  const r = raw as Record<string, unknown>;
  const e: LimitsEntry = {};
  for (const key of Object.keys(r)) if (key !== 'memoryMiB' && key !== 'cpuWeight') throw new LimitsError(`unknown field ${key.slice(0, 40)} in the limits file`, 'limits_file_broken');
  if (r.memoryMiB !== undefined) {
    if (typeof r.memoryMiB !== 'number' || !Number.isSafeInteger(r.memoryMiB) || r.memoryMiB < MIN_MEMORY_MIB)
      throw new LimitsError('a memory limit in the limits file is not valid', 'limits_file_broken');
    e.memoryMiB = r.memoryMiB;
  }
  if (r.cpuWeight !== undefined) {
    if (typeof r.cpuWeight !== 'number' || !Number.isSafeInteger(r.cpuWeight) || r.cpuWeight < MIN_CPU_WEIGHT || r.cpuWeight > MAX_CPU_WEIGHT)
      throw new LimitsError('a CPU weight in the limits file is not valid', 'limits_file_broken');
    e.cpuWeight = r.cpuWeight;
  }
  return e;
}

/** The file's text -> its entries; LimitsError (limits_file_broken) for anything not ours. */
export function parseLimitsFile(text: string): LimitsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new LimitsError('the limits file is not valid JSON', 'limits_file_broken');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new LimitsError('the limits file must hold a JSON object', 'limits_file_broken');
  const d = data as Record<string, unknown>;
  if (d.version !== 1) throw new LimitsError('the limits file has an unknown version', 'limits_file_broken');
  const usersRaw = d.users ?? {};
  if (typeof usersRaw !== 'object' || usersRaw === null || Array.isArray(usersRaw)) throw new LimitsError('the limits file\'s "users" is not an object', 'limits_file_broken');
  const users: Record<string, LimitsEntry> = Object.create(null);
  for (const [k, v] of Object.entries(usersRaw as Record<string, unknown>)) users[k] = entryOf(v);
  return { kids: entryOf(d.kids ?? {}), parents: entryOf(d.parents ?? {}), users };
}

/** A server's limits: the user's entry, else the family's, else the machine's. */
export function effectiveLimits(file: LimitsFile | null, user: string, role: LimitsRole, totalMiB: number): EffectiveLimits {
  const own = file && Object.hasOwn(file.users, user) ? file.users[user]! : {};
  const family = file ? file[role] : {};
  const machine = machineDefaults(totalMiB)[role];
  const memoryFrom = own.memoryMiB !== undefined ? 'user' : family.memoryMiB !== undefined ? 'family' : 'machine';
  return {
    memoryMiB: own.memoryMiB ?? family.memoryMiB ?? machine.memoryMiB,
    cpuWeight: own.cpuWeight ?? family.cpuWeight ?? machine.cpuWeight,
    tasksMax: TASKS_MAX[role],
    memoryFrom,
  };
}

/**
 * The file's new text with one target's entry replaced. A field given as null
 * goes back to the default (removed); undefined keeps what is there. An empty
 * user entry is removed.
 */
export function renderLimitsFile(file: LimitsFile | null, target: LimitsTarget, change: { memoryMiB?: number | null; cpuWeight?: number | null }): string {
  const base: LimitsFile = file ?? { kids: {}, parents: {}, users: {} };
  const apply = (e: LimitsEntry): LimitsEntry => {
    const next: LimitsEntry = { ...e };
    if (change.memoryMiB === null) delete next.memoryMiB;
    else if (change.memoryMiB !== undefined) next.memoryMiB = change.memoryMiB;
    if (change.cpuWeight === null) delete next.cpuWeight;
    else if (change.cpuWeight !== undefined) next.cpuWeight = change.cpuWeight;
    return next;
  };
  const kids = target.kind === 'role' && target.role === 'kids' ? apply(base.kids) : base.kids;
  const parents = target.kind === 'role' && target.role === 'parents' ? apply(base.parents) : base.parents;
  const users: Record<string, LimitsEntry> = {};
  for (const k of Object.keys(base.users).sort()) users[k] = base.users[k]!;
  if (target.kind === 'user') {
    const e = apply(users[target.user] ?? {});
    if (Object.keys(e).length) users[target.user] = e;
    else delete users[target.user];
  }
  const sorted: Record<string, LimitsEntry> = {};
  for (const k of Object.keys(users).sort()) sorted[k] = users[k]!;
  return `${JSON.stringify({ version: 1, kids: ordered(kids), parents: ordered(parents), users: sorted }, null, 2)}\n`;
}

function ordered(e: LimitsEntry): LimitsEntry {
  const o: LimitsEntry = {};
  if (e.memoryMiB !== undefined) o.memoryMiB = e.memoryMiB;
  if (e.cpuWeight !== undefined) o.cpuWeight = e.cpuWeight;
  return o;
}

/** MemTotal of /proc/meminfo's text, in MiB (null when it has none). */
export function memTotalMiB(meminfo: string): number | null {
  const m = /^MemTotal:\s+([0-9]+) kB$/m.exec(meminfo);
  return m ? Math.floor(Number(m[1]) / 1024) : null;
}
