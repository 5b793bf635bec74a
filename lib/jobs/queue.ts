import 'server-only';
// Running install jobs: one at a time (MAX_RUNNING), a queue in this process fed
// in creation order, the helper's install-packages as the runner (unit tests plug
// in a fake), and live messages for the server-sent events. The records are
// lib/jobs/store.ts's; what may be queued is lib/jobs/install-packages.ts's.
import { EventEmitter } from 'node:events';
import * as helper from '../helper/commands';
import type { HelperResult } from '../helper/commands';
import { publicErrorOf } from '../errors/public-error-of';
import { summarize, toInstallEvent, type InstallEvent, type JobState, type JobView } from './job-progress';
import { progressFromPipLine, type PipProgress } from './pip-output';
import { progressFromAptLine, progressFromUpgradeStep } from './apt-output';
import { errorDetail, errorText, outcomeOf } from '../store/audited';
import { auditEnd, finish, getJob, markRunning, progressWriter } from './store';

export const MAX_RUNNING = 1;
export const MAX_EVENTS = 500;
export const LOG_TAIL_LINES = 50;
/** The helper bounds pip to 30 min; the panel waits a little longer for its answer. */
export const HELPER_TIMEOUT_MS = 32 * 60_000;
/** upgrade-system: its simulation (2 min), the downloads (30 min) and dpkg's run (60 min), and a little more. */
export const UPGRADE_TIMEOUT_MS = 95 * 60_000;

/** Live messages of one job (the SSE route listens). */
export type JobMessage = { type: 'progress'; event: InstallEvent } | { type: 'log'; line: string } | { type: 'state'; state: JobState } | { type: 'end'; job: JobView };

/** What runs one install (the helper; unit tests plug in a fake). */
export type InstallRunner = (user: string, actor: string, opts: { onProgress: (p: unknown) => void; cancel: AbortSignal }) => Promise<HelperResult>;

const helperRunner: InstallRunner = (user, actor, opts) => helper.installPackages(user, actor, { timeoutMs: HELPER_TIMEOUT_MS, onProgress: opts.onProgress, cancel: opts.cancel });

/**
 * The system upgrade's runner: the helper's upgrade-system (target: the mode). The
 * panel's cancel reaches the helper, which heeds it only until dpkg starts.
 */
const upgradeRunner: InstallRunner = async (mode, actor, opts) => {
  const r = await helper.upgradeSystem(mode === 'all' ? 'all' : 'security', actor, { timeoutMs: UPGRADE_TIMEOUT_MS, onProgress: opts.onProgress, cancel: opts.cancel });
  const installed = Object.fromEntries(Object.entries(r.upgraded).map(([n, v]) => [n, v.to]));
  return { ok: true, changed: r.changed, installed, upgraded: r.upgraded, rebootRequired: r.rebootRequired };
};

/** Per job kind: how its output lines and the helper's own progress objects become phase events. */
const LINE_PARSERS: Record<JobView['kind'], { line(line: string): PipProgress[]; step(raw: unknown): PipProgress[] }> = {
  packages_install: { line: progressFromPipLine, step: () => [] },
  system_upgrade: { line: progressFromAptLine, step: progressFromUpgradeStep },
};
interface Runtime {
  emitter: EventEmitter;
  queue: string[];
  running: Map<string, AbortController>;
  runner: InstallRunner;
  upgradeRunner: InstallRunner;
}
const KEY = Symbol.for('jh4f.jobs');
const holder = globalThis as { [KEY]?: Runtime };
function rt(): Runtime {
  let r = holder[KEY];
  if (!r) {
    r = { emitter: new EventEmitter(), queue: [], running: new Map(), runner: helperRunner, upgradeRunner };
    r.emitter.setMaxListeners(0);
    holder[KEY] = r;
  }
  return r;
}

/** Tests: replace the runners (null: the real helper) and forget the queue. */
export function setInstallRunnerForTests(runner: InstallRunner | null, upgrade: InstallRunner | null = null): void {
  const r = rt();
  r.runner = runner ?? helperRunner;
  r.upgradeRunner = upgrade ?? upgradeRunner;
  r.queue = [];
  r.running.clear();
}

/** Subscribe to a job's live messages; returns the unsubscribe function. */
export function subscribe(id: string, listener: (m: JobMessage) => void): () => void {
  const { emitter } = rt();
  emitter.on(id, listener);
  return () => emitter.off(id, listener);
}

export function publish(id: string, m: JobMessage): void {
  rt().emitter.emit(id, m);
}

/** Puts a new job in the queue; it starts when the slot is free. */
export function enqueue(id: string): void {
  rt().queue.push(id);
  queueMicrotask(pump);
}

/** The job is in this process's queue or running now (a row left 'queued' by a dead panel is neither). */
export function isLive(id: string): boolean {
  return rt().queue.includes(id) || rt().running.has(id);
}

/** Stops a running job through its cancel signal (the helper's closed pipe); false when it is not running. */
export function abortRunning(id: string): boolean {
  const controller = rt().running.get(id);
  if (!controller) return false;
  controller.abort();
  return true;
}

/** Takes a queued job out of the queue. */
export function dequeue(id: string): void {
  const r = rt();
  r.queue = r.queue.filter((q) => q !== id);
}

function pump(): void {
  const r = rt();
  while (r.running.size < MAX_RUNNING && r.queue.length > 0) {
    const id = r.queue.shift()!;
    const job = getJob(id);
    if (!job || job.state !== 'queued') continue;
    void run(job);
  }
}

async function run(job: JobView): Promise<void> {
  const r = rt();
  const controller = new AbortController();
  r.running.set(job.id, controller);
  markRunning(job.id);
  publish(job.id, { type: 'state', state: 'running' });

  let summary = summarize([]);
  let seq = 0;
  const logTail: string[] = [];
  const progress = progressWriter(job.id);
  const parse = LINE_PARSERS[job.kind];

  const onProgress = (raw: unknown) => {
    const p = raw as Record<string, unknown> | null;
    if (p && typeof p.log === 'string') {
      const line = p.log.slice(0, 500);
      logTail.push(line);
      if (logTail.length > LOG_TAIL_LINES) logTail.shift();
      progress.saveProgress(summary, logTail);
      publish(job.id, { type: 'log', line });
      // The helper passes pip's (apt's) lines on as they are; their phases are
      // read here, not in root code.
      for (const ev of parse.line(line)) onEvent(ev);
      return;
    }
    const steps = parse.step(raw);
    if (steps.length > 0) for (const ev of steps) onEvent(ev);
    else onEvent(raw);
  };
  const onEvent = (raw: unknown) => {
    if (seq >= MAX_EVENTS) return;
    const ev = toInstallEvent(raw, seq + 1);
    if (!ev) return;
    seq = ev.seq;
    summary = summarize([ev], summary);
    progress.addEvent(ev, summary, logTail);
    publish(job.id, { type: 'progress', event: ev });
  };

  let ended: JobView;
  try {
    const runner = job.kind === 'system_upgrade' ? r.upgradeRunner : r.runner;
    const result = await runner(job.target, job.actor ?? '', { onProgress, cancel: controller.signal });
    const installed = typeof result.installed === 'object' && result.installed !== null ? (result.installed as Record<string, string>) : {};
    const skipped = Array.isArray(result.skipped) ? result.skipped : [];
    const upgrade = job.kind === 'system_upgrade' ? { upgraded: result.upgraded ?? {}, rebootRequired: result.rebootRequired === true } : {};
    summary = summarize([{ seq: seq + 1, phase: 'done', package: null }], summary);
    ended = finish(job.id, 'succeeded', { result: { installed, skipped, changed: result.changed === true, ...upgrade }, summary, logTail });
    auditEnd(ended, 'ok', null, null);
  } catch (error) {
    const e = publicErrorOf(error);
    const cancelled = controller.signal.aborted;
    const state: JobState = cancelled ? 'cancelled' : 'failed';
    const message = cancelled ? `cancelled: ${e.message}` : errorText(e);
    // What a failed upgrade changed before it failed is in the helper's values (values.upgraded), kept in the audit row's detail.
    ended = finish(job.id, state, { error: message, summary, logTail });
    auditEnd(ended, cancelled ? 'failed' : outcomeOf(e), message, null, errorDetail(e));
  } finally {
    r.running.delete(job.id);
  }
  publish(job.id, { type: 'end', job: ended });
  pump();
}
