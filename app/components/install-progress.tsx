'use client';
// The progress of a member's Jupyter package install: a bar, the phase in
// words, the steps in order, "Jupyter ready" with versions, or the failure with
// pip's last lines; cancel and retry. Survives a reload: it reads the job from
// GET /api/jobs/{id}, then follows /api/jobs/{id}/events (server-sent events).
// Used on the onboarding result and on each member's card of the family page.
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { format, type Messages } from '@/lib/i18n/messages';
import { BASE_PATH } from '@/lib/constants';
import { FINAL_STATES, RETRYABLE_STATES, summarize, type InstallEvent, type JobView, type ProgressSummary } from '@/lib/jobs/job-progress';
import { api } from './ui/api';
import { Button } from './ui/button';
import { ErrorLine } from './ui/error-line';

type JobsText = Messages['jobs'];

function size(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

export function eventText(ev: Pick<InstallEvent, 'phase' | 'package' | 'bytes'>, t: JobsText): string {
  if (ev.package === null) return t.ready;
  if (ev.phase === 'downloading' && ev.bytes) return format(t.phase_downloadingBytes, { package: ev.package, size: size(ev.bytes) });
  return format(t[`phase_${ev.phase}`], { package: ev.package });
}

export function InstallProgress({
  user,
  name,
  jobId: initialJobId,
  initialJob,
  canStart,
  t,
}: {
  user: string;
  name: string;
  jobId: string | null;
  /** The job as the server rendered it (family page); refreshed from the API on mount. */
  initialJob?: JobView | null;
  /** Offer "Prepare Jupyter now" when there is no job (family page). */
  canStart: boolean;
  t: JobsText;
}) {
  const [jobId, setJobId] = useState<string | null>(initialJobId);
  const [job, setJob] = useState<JobView | null>(initialJob ?? null);
  const [events, setEvents] = useState<InstallEvent[]>([]);
  const [summary, setSummary] = useState<ProgressSummary>(initialJob?.summary ?? summarize([]));
  const [log, setLog] = useState<string[]>(initialJob?.logTail ?? []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reconnecting, setReconnecting] = useState(false);
  const source = useRef<EventSource | null>(null);

  // An Effect Event, so that it reads the newest `t` without depending on it: a parent
  // re-render hands a new `t` object, which must not restart the stream (that would
  // empty the steps and replay them).
  const follow = useEffectEvent((id: string) => {
    source.current?.close();
    let cancelled = false;
    (async () => {
      const r = await api<{ job: JobView }>('GET', `/api/jobs/${encodeURIComponent(id)}`);
      if (cancelled) return;
      // The stream replays every stored event, so the steps start empty and are
      // complete after a reload.
      setEvents([]);
      setSummary(summarize([]));
      if (!r.ok) {
        setError(r.status === 404 ? t.notFound : t.connectionLost);
        return;
      }
      const fresh = r.data.job;
      setJob(fresh);
      setLog(fresh.logTail);
      const es = new EventSource(`${BASE_PATH}/api/jobs/${encodeURIComponent(id)}/events`);
      source.current = es;
      es.addEventListener('progress', (m) => {
        const ev = JSON.parse((m as MessageEvent<string>).data) as InstallEvent;
        setReconnecting(false);
        setEvents((list) => (list.some((e) => e.seq === ev.seq) ? list : [...list, ev]));
        setSummary((s) => summarize([ev], s));
      });
      es.addEventListener('state', (m) => {
        const { state } = JSON.parse((m as MessageEvent<string>).data) as { state: JobView['state'] };
        setReconnecting(false);
        setJob((j) => (j ? { ...j, state } : j));
      });
      es.addEventListener('log', (m) => {
        const { line } = JSON.parse((m as MessageEvent<string>).data) as { line: string };
        setLog((l) => [...l.slice(-49), line]);
      });
      es.addEventListener('end', (m) => {
        const { job: ended } = JSON.parse((m as MessageEvent<string>).data) as { job: JobView };
        setJob(ended);
        setSummary(ended.summary);
        setLog(ended.logTail);
        es.close();
      });
      es.onerror = () => {
        if (es.readyState !== EventSource.CLOSED) setReconnecting(true);
      };
    })();
    return () => {
      cancelled = true;
    };
  });

  useEffect(() => {
    if (!jobId) return;
    const stop = follow(jobId);
    return () => {
      stop();
      source.current?.close();
    };
  }, [jobId]);

  async function start() {
    setBusy(true);
    setError(null);
    const r = await api<{ jobId?: string }>('POST', `/api/members/${encodeURIComponent(user)}/install`, {});
    setBusy(false);
    if (r.ok && r.data.jobId) setJobId(r.data.jobId);
    else setError((!r.ok && r.failure.message) || t.starting_failed);
  }

  async function cancel() {
    if (!jobId) return;
    setBusy(true);
    const r = await api<{ job?: JobView }>('POST', `/api/jobs/${encodeURIComponent(jobId)}/cancel`, {});
    setBusy(false);
    if (!r.ok) setError(r.failure.message || t.conflict);
  }

  async function retry() {
    if (!jobId) return;
    setBusy(true);
    setError(null);
    const r = await api<{ jobId?: string }>('POST', `/api/jobs/${encodeURIComponent(jobId)}/retry`, {});
    setBusy(false);
    if (r.ok && r.data.jobId) {
      setJob(null);
      setLog([]);
      setJobId(r.data.jobId);
    } else setError((!r.ok && r.failure.message) || t.starting_failed);
  }

  const state = job?.state ?? (jobId ? 'queued' : null);
  const final = state !== null && FINAL_STATES.has(state);
  const current = events.at(-1);
  let phaseText = '';
  if (state === 'queued') phaseText = t.queued;
  else if (state === 'running') phaseText = current ? eventText(current, t) : t.starting;
  const versions = job?.installed
    ? Object.entries(job.installed)
        .map(([n, v]) => `${n} ${v}`)
        .join(', ')
    : '';
  const percent = state === 'succeeded' ? 100 : summary.percent;

  return (
    <div className="mt-3 space-y-2" data-testid={`install-${user}`} data-state={state ?? 'none'}>
      {!jobId && canStart ? (
        <Button variant="outline" size="small" onClick={start} disabled={busy}>
          {t.install}
        </Button>
      ) : null}

      {jobId && !final ? (
        <>
          <progress
            value={percent}
            max={100}
            aria-label={format(t.progressLabel, { name })}
            className="block h-3 w-full overflow-hidden rounded bg-stone-200 [&::-moz-progress-bar]:bg-brand-700 [&::-webkit-progress-bar]:bg-stone-200 [&::-webkit-progress-value]:bg-brand-700"
          />
          <p aria-live="polite" className="text-sm text-stone-800" data-testid="install-phase">
            {phaseText}
          </p>
          {reconnecting ? <p className="text-sm text-stone-700">{t.connectionLost}</p> : null}
          <Button variant="secondary" size="small" onClick={cancel} disabled={busy}>
            {busy ? t.cancelling : t.cancel}
          </Button>
        </>
      ) : null}

      {state === 'succeeded' ? (
        <div role="status" className="rounded border border-green-300 bg-green-50 px-3 py-2 text-green-900" data-testid="install-ready">
          <p className="font-semibold">{t.ready}</p>
          <p className="break-words text-sm">{versions ? format(t.readyVersions, { versions }) : t.alreadyReady}</p>
        </div>
      ) : null}

      {state === 'failed' || state === 'cancelled' || state === 'interrupted' ? (
        <div role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-900" data-testid="install-failed">
          <p className="font-semibold">{state === 'failed' ? t.failed : state === 'cancelled' ? t.cancelled : t.interrupted}</p>
          {state === 'failed' && log.length > 0 ? (
            <>
              <p className="mt-1 text-sm">{t.lastLines}:</p>
              <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-words rounded bg-white p-2 font-mono text-xs text-stone-900" data-testid="install-log">
                {log.slice(-20).join('\n')}
              </pre>
            </>
          ) : null}
        </div>
      ) : null}
      {state !== null && RETRYABLE_STATES.has(state) ? (
        <Button size="small" onClick={retry} disabled={busy}>
          {t.retry}
        </Button>
      ) : null}

      {events.length > 0 ? (
        <details className="text-sm">
          <summary className="cursor-pointer text-stone-800">{format(t.heading, { name })}</summary>
          <ol className="mt-1 list-decimal space-y-0.5 pl-6 text-stone-800" data-testid="install-steps">
            {events.map((ev) => (
              <li key={ev.seq} data-seq={ev.seq} data-phase={ev.phase}>
                {eventText(ev, t)}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      {error ? <ErrorLine message={error} /> : null}
    </div>
  );
}
