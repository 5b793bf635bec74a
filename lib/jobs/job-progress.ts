// Package-install progress: the events the helper streams, and the summary the
// progress bar shows. Pure and free of server imports, so the client component
// (app/components/install-progress.tsx) and lib/jobs/ share it.

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);
export const RETRYABLE_STATES: ReadonlySet<JobState> = new Set(['failed', 'cancelled', 'interrupted']);

export type InstallPhase = 'collecting' | 'downloading' | 'installing' | 'done';
const PHASES: readonly InstallPhase[] = ['collecting', 'downloading', 'installing', 'done'];

export interface InstallEvent {
  /** 1, 2, ... in the order the helper reported them. */
  seq: number;
  phase: InstallPhase;
  /** null on the final "done" of the whole install. */
  package: string | null;
  bytes?: number;
  version?: string;
  alreadyInstalled?: boolean;
}

export const JOB_KINDS = ['packages_install', 'system_upgrade'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** The job as the API shows it (GET /api/jobs/{id}). */
export interface JobView {
  id: string;
  /** "Prepare Jupyter" for a member, or "Install updates now" for the machine. */
  kind: JobKind;
  /** The member (packages_install), or the update mode, security or all (system_upgrade). */
  target: string;
  actor: string | null;
  state: JobState;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  retryOf: string | null;
  summary: ProgressSummary;
  /** pip's last lines (bounded), newest last. */
  logTail: string[];
  /** On success: project -> version (packages_install), package -> new version (system_upgrade). */
  installed: Record<string, string> | null;
  /** system_upgrade, on success or failure: what dpkg's database shows changed (from null: newly installed). */
  upgraded: Record<string, { from: string | null; to: string }> | null;
  /** system_upgrade, on success: Debian's reboot marker was there afterwards. */
  rebootRequired: boolean;
  error: string | null;
}

export interface ProgressSummary {
  /** 0..100 */
  percent: number;
  phase: InstallPhase | null;
  package: string | null;
  /** Packages seen so far and how far each got. */
  packages: Record<string, InstallPhase>;
  /** Bytes announced for downloads (pip says the size when it starts one). */
  bytes: number;
  lastSeq: number;
}

const WEIGHT: Record<InstallPhase, number> = { collecting: 0.15, downloading: 0.4, installing: 0.8, done: 1 };

/** Validate one raw progress object of the helper; null when it is not a phase event. Pure. */
export function toInstallEvent(raw: unknown, seq: number): InstallEvent | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.phase !== 'string' || !(PHASES as readonly string[]).includes(r.phase)) return null;
  const pkg = typeof r.package === 'string' ? r.package.slice(0, 100) : null;
  const ev: InstallEvent = { seq, phase: r.phase as InstallPhase, package: pkg };
  if (typeof r.bytes === 'number' && Number.isFinite(r.bytes) && r.bytes >= 0) ev.bytes = Math.round(r.bytes);
  if (typeof r.version === 'string') ev.version = r.version.slice(0, 64);
  if (r.alreadyInstalled === true) ev.alreadyInstalled = true;
  return ev;
}

export function emptySummary(): ProgressSummary {
  return { percent: 0, phase: null, package: null, packages: {}, bytes: 0, lastSeq: 0 };
}

/** Fold events (in order) into the summary. Pure; a package never goes back a phase. */
export function summarize(events: readonly InstallEvent[], start: ProgressSummary = emptySummary()): ProgressSummary {
  const s: ProgressSummary = { ...start, packages: { ...start.packages } };
  for (const ev of events) {
    if (ev.seq <= s.lastSeq) continue;
    s.lastSeq = ev.seq;
    s.phase = ev.phase;
    s.package = ev.package;
    if (ev.bytes) s.bytes += ev.bytes;
    if (ev.package === null) {
      if (ev.phase === 'done') for (const k of Object.keys(s.packages)) s.packages[k] = 'done';
      continue;
    }
    const before = s.packages[ev.package];
    if (!before || WEIGHT[ev.phase] > WEIGHT[before]) s.packages[ev.package] = ev.phase;
  }
  const names = Object.keys(s.packages);
  const done = s.phase === 'done' && s.package === null;
  s.percent = done ? 100 : names.length === 0 ? 0 : Math.min(95, Math.round((100 * names.reduce((a, n) => a + WEIGHT[s.packages[n]!], 0)) / names.length));
  return s;
}
