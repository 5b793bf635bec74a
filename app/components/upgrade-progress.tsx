'use client';
// "Install updates now" on the overview's Updates card: the button, then the
// job's bar, its phase in words and its steps, live from /api/jobs/{id}/events
// (server-sent events, as "Prepare Jupyter"); the end: what was updated, or the
// failure with apt's message and last lines under Details. Cancel is offered and
// honoured only while the downloads run (the helper then lets dpkg finish).
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { format, type Messages } from '@/lib/i18n/messages';
import { BASE_PATH } from '@/lib/constants';
import { FINAL_STATES, RETRYABLE_STATES, summarize, type InstallEvent, type JobView, type ProgressSummary } from '@/lib/jobs/job-progress';
import { api } from './ui/api';
import { Button } from './ui/button';
import { ErrorLine } from './ui/error-line';

type UpdatesText = Messages['updates'];

function eventText(ev: InstallEvent, t: UpdatesText): string {
  return ev.package === null ? t.installDone : format(t[`installPhase_${ev.phase}`], { package: ev.package });
}

export function UpgradeProgress({ last, canStart, t, onEnd }: { last: JobView | null; canStart: boolean; t: UpdatesText; onEnd: () => void }) {
  const [jobId, setJobId] = useState<string | null>(last && !FINAL_STATES.has(last.state) ? last.id : null);
  const [job, setJob] = useState<JobView | null>(last && !FINAL_STATES.has(last.state) ? last : null);
  const [events, setEvents] = useState<InstallEvent[]>([]);
  const [summary, setSummary] = useState<ProgressSummary>(summarize([]));
  const [log, setLog] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const source = useRef<EventSource | null>(null);

  const ended = useEffectEvent(() => onEnd());
  const follow = useEffectEvent((id: string) => {
    source.current?.close();
    const es = new EventSource(`${BASE_PATH}/api/jobs/${encodeURIComponent(id)}/events`);
    source.current = es;
    es.addEventListener('progress', (m) => {
      const ev = JSON.parse((m as MessageEvent<string>).data) as InstallEvent;
      setEvents((list) => (list.some((e) => e.seq === ev.seq) ? list : [...list, ev]));
      setSummary((s) => summarize([ev], s));
    });
    es.addEventListener('state', (m) => {
      const { state } = JSON.parse((m as MessageEvent<string>).data) as { state: JobView['state'] };
      setJob((j) => (j ? { ...j, state } : ({ id, state } as JobView)));
    });
    es.addEventListener('log', (m) => {
      const { line } = JSON.parse((m as MessageEvent<string>).data) as { line: string };
      setLog((l) => [...l.slice(-49), line]);
    });
    es.addEventListener('end', (m) => {
      const { job: done } = JSON.parse((m as MessageEvent<string>).data) as { job: JobView };
      setJob(done);
      setSummary(done.summary);
      setLog(done.logTail);
      es.close();
      ended();
    });
  });

  useEffect(() => {
    if (!jobId) return;
    follow(jobId);
    return () => source.current?.close();
  }, [jobId]);

  async function start(path: string) {
    setBusy(true);
    setError(null);
    const r = await api<{ jobId?: string; job?: JobView }>('POST', path, {});
    setBusy(false);
    if (r.ok && r.data.jobId) {
      // The stream replays every stored event of the new job: its steps start empty.
      setJob(r.data.job ?? null);
      setEvents([]);
      setSummary(summarize([]));
      setLog([]);
      setJobId(r.data.jobId);
    } else setError((!r.ok && r.failure.message) || t.installStartFailed);
  }

  async function cancel() {
    if (!jobId) return;
    setBusy(true);
    const r = await api('POST', `/api/jobs/${encodeURIComponent(jobId)}/cancel`, {});
    setBusy(false);
    if (!r.ok) setError(r.failure.message || t.installStartFailed);
  }

  const state = job?.state ?? (jobId ? 'queued' : null);
  const final = state !== null && FINAL_STATES.has(state);
  const current = events.at(-1);
  // Once dpkg may run (a package being unpacked) the cancel would not be heard: not offered.
  const installing = events.some((e) => e.phase === 'installing' || e.phase === 'done');
  const upgraded = job?.upgraded ? Object.keys(job.upgraded) : [];

  return (
    <div className="mt-3 space-y-2" data-testid="upgrade" data-state={state ?? 'none'}>
      {(!jobId || final) && canStart ? (
        <Button onClick={() => void start(state !== null && RETRYABLE_STATES.has(state) && jobId ? `/api/jobs/${encodeURIComponent(jobId)}/retry` : '/api/updates/install')} disabled={busy}>
          {state !== null && RETRYABLE_STATES.has(state) ? t.installRetry : t.install}
        </Button>
      ) : null}
      {jobId && !final ? (
        <>
          <progress
            value={summary.percent}
            max={100}
            aria-label={t.installProgressLabel}
            className="block h-3 w-full overflow-hidden rounded bg-stone-200 [&::-moz-progress-bar]:bg-brand-700 [&::-webkit-progress-bar]:bg-stone-200 [&::-webkit-progress-value]:bg-brand-700"
          />
          <p aria-live="polite" className="text-sm text-stone-800" data-testid="upgrade-phase">
            {state === 'queued' ? t.installQueued : current ? eventText(current, t) : t.installStarting}
          </p>
          {!installing ? (
            <>
              <Button variant="secondary" size="small" onClick={cancel} disabled={busy}>
                {busy ? t.installCancelling : t.installCancel}
              </Button>
              <p className="text-xs text-stone-700">{t.installCancelNote}</p>
            </>
          ) : null}
        </>
      ) : null}
      {state === 'succeeded' ? (
        <div role="status" className="rounded border border-green-300 bg-green-50 px-3 py-2 text-green-900" data-testid="upgrade-done">
          <p className="font-semibold">{t.installDone}</p>
          <p className="break-words text-sm">{upgraded.length > 0 ? format(t.installDoneCount, { count: upgraded.length }) : t.installNothing}</p>
        </div>
      ) : null}
      {state === 'failed' || state === 'cancelled' || state === 'interrupted' ? (
        <div role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-900" data-testid="upgrade-failed">
          <p className="font-semibold">{state === 'failed' ? t.installFailed : state === 'cancelled' ? t.installCancelled : t.installInterrupted}</p>
          {state === 'failed' ? <p className="text-sm">{t.installFailedNote}</p> : null}
        </div>
      ) : null}
      {events.length > 0 || (final && (log.length > 0 || job?.error)) ? (
        <details className="text-sm" data-testid="upgrade-details">
          <summary className="cursor-pointer font-medium">{t.details}</summary>
          <div className="mt-1 space-y-2 break-words text-stone-800">
            {upgraded.length > 0 ? <p data-testid="upgrade-packages">{format(t.installUpgraded, { packages: upgraded.join(', ') })}</p> : null}
            {state === 'failed' && job?.error ? <p data-testid="upgrade-error">{format(t.installMessage, { message: job.error })}</p> : null}
            {events.length > 0 ? (
              <>
                <h3 className="font-semibold">{t.installSteps}</h3>
                <ol className="list-decimal space-y-0.5 pl-6" data-testid="upgrade-steps">
                  {events.map((ev) => (
                    <li key={ev.seq} data-phase={ev.phase}>
                      {eventText(ev, t)}
                    </li>
                  ))}
                </ol>
              </>
            ) : null}
            {final && log.length > 0 ? (
              <>
                <h3 className="font-semibold">{t.installLastLines}</h3>
                {/* Focusable: a scrolling region is read with the keyboard too. */}
                <pre
                  tabIndex={0}
                  aria-label={t.installLastLines}
                  className="max-h-48 overflow-auto whitespace-pre-wrap break-words rounded bg-white p-2 font-mono text-xs text-stone-900"
                  data-testid="upgrade-log"
                >
                  {log.slice(-20).join('\n')}
                </pre>
              </>
            ) : null}
          </div>
        </details>
      ) : null}
      {error ? <ErrorLine message={error} /> : null}
    </div>
  );
}
