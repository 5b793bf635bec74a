'use client';
// The hub dashboard on the signed-in start page: one sentence on what works and
// what to do, running servers with a stop button, the actions connect / restart /
// start log, and under "Details" (closed) the technical checks of this kind of hub. Polls /api/hub every 10 s
// while the page is visible (the server caches, so many tabs cost little).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import { checkLabelKey, type CheckResult, type HubReport } from '@/lib/hub/hub-report';
import { api } from './ui/api';
import { Button } from './ui/button';
import { SectionCard } from './ui/section-card';

type HubText = Messages['hub'];
const POLL_MS = 10_000;

const STATE_STYLE: Record<HubReport['state'], string> = {
  up: 'border-green-700 bg-green-50 text-green-900',
  degraded: 'border-amber-700 bg-amber-50 text-amber-900',
  down: 'border-red-700 bg-red-50 text-red-900',
  not_installed: 'border-stone-500 bg-stone-100 text-stone-900',
};
const STATUS_STYLE: Record<CheckResult['status'], string> = {
  ok: 'bg-green-100 text-green-900',
  warn: 'bg-amber-100 text-amber-900',
  fail: 'bg-red-100 text-red-900',
  skipped: 'bg-stone-200 text-stone-800',
};

function text(section: Record<string, string>, key: string, values: Record<string, string | number> = {}): string {
  return format(section[key] ?? key, values);
}

export function HubHealth({ t }: { t: HubText }) {
  const [report, setReport] = useState<HubReport | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [busy, setBusy] = useState<null | 'connect' | 'restart' | string>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [log, setLog] = useState<{ path: string; lines: string[] } | null>(null);
  const [logOpen, setLogOpen] = useState(false);
  const [logLoading, setLogLoading] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    const r = await api<HubReport>('GET', '/api/hub');
    if (r.ok) setReport(r.data);
    setLoadFailed(!r.ok);
  }, []);

  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      if (document.visibilityState === 'visible') await load();
      if (!stopped) timer.current = setTimeout(tick, POLL_MS);
    };
    void tick();
    const onVisible = () => {
      if (document.visibilityState === 'visible') void load();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      if (timer.current) clearTimeout(timer.current);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [load]);

  async function act(kind: 'connect' | 'restart') {
    if (kind === 'restart' && !window.confirm(t.actions.confirmRestart)) return;
    setBusy(kind);
    setNotice(null);
    const r = await api('POST', `/api/hub/${kind}`, {});
    setNotice(r.ok ? (kind === 'connect' ? t.actions.connected : t.actions.restarted) : format(t.actions.failed, { message: r.failure.message }));
    setBusy(null);
    void load();
  }

  async function stop(name: string) {
    setBusy(`stop:${name}`);
    setNotice(null);
    const r = await api('POST', `/api/members/${encodeURIComponent(name)}/server/stop`, {});
    setNotice(r.ok ? format(t.users.stopped, { name }) : format(t.actions.failed, { message: r.failure.message }));
    setBusy(null);
    void load();
  }

  async function toggleLog() {
    if (logOpen) {
      setLogOpen(false);
      return;
    }
    setLogOpen(true);
    setLogLoading(true);
    const r = await api<{ path?: string; lines?: string[] }>('GET', '/api/hub/log');
    if (r.ok) setLog({ path: r.data.path ?? '', lines: r.data.lines ?? [] });
    else setNotice(format(t.actions.failed, { message: r.failure.message }));
    setLogLoading(false);
  }

  const time = report ? new Date(report.checkedAt).toLocaleTimeString() : '';

  return (
    <SectionCard id="hub-heading" testId="hub-health" heading={t.heading} intro={t.intro}>
      <div aria-live="polite" className="mt-3">
        {!report && !loadFailed ? <p className="text-stone-700">{t.loading}</p> : null}
        {loadFailed ? <p className="text-sm font-medium text-red-800">{t.loadFailed}</p> : null}
        {report ? (
          <div className={`rounded border-l-4 px-3 py-2 ${STATE_STYLE[report.state]}`} data-testid="hub-state" data-state={report.state}>
            <p className="font-semibold" data-testid="hub-lead">
              {t.lead[report.state]}
            </p>
            {/* "Everything works" would only repeat the lead. */}
            {report.advice.key === 'allGood' ? null : (
              <p className="mt-1" data-testid="hub-advice" data-advice={report.advice.key}>
                {text(t.advice, report.advice.key, report.advice.values)}
              </p>
            )}
          </div>
        ) : null}
      </div>

      {report?.kind === 'none' ? null : (
        <>
          <h3 className="mt-4 font-semibold">{t.actions.heading}</h3>
          <div className="mt-2 flex flex-wrap gap-2">
            {/* Only a seed hub is connected by hand; the family hub got the panel's token at set-up. */}
            {report?.kind === 'seed' ? (
              <Button variant="outline" size="small" onClick={() => void act('connect')} disabled={busy !== null}>
                {busy === 'connect' ? t.actions.connecting : t.actions.connect}
              </Button>
            ) : null}
            <Button size="small" onClick={() => void act('restart')} disabled={busy !== null}>
              {busy === 'restart' ? t.actions.restarting : t.actions.restart}
            </Button>
            <Button variant="secondary" size="small" onClick={() => void toggleLog()} aria-expanded={logOpen} aria-controls="hub-log">
              {logOpen ? t.actions.hideLog : t.actions.showLog}
            </Button>
          </div>
        </>
      )}
      <p role="status" className="mt-2 min-h-5 text-sm font-medium text-stone-800">
        {notice}
      </p>

      {logOpen ? (
        <div id="hub-log" className="mt-2">
          {logLoading ? <p className="text-sm">{t.actions.loadingLog}</p> : null}
          {log && !logLoading ? (
            <>
              <h4 className="text-sm font-semibold">{format(t.actions.logHeading, { path: log.path })}</h4>
              {log.lines.length === 0 ? (
                <p className="text-sm">{t.actions.logEmpty}</p>
              ) : (
                <pre tabIndex={0} className="mt-1 max-h-72 overflow-auto rounded bg-stone-900 p-2 text-xs text-stone-50">
                  {log.lines.join('\n')}
                </pre>
              )}
            </>
          ) : null}
        </div>
      ) : null}

      {report ? (
        <>
          <h3 className="mt-4 font-semibold">{t.users.heading}</h3>
          {!report.connected ? (
            <p className="mt-1 text-sm text-stone-700">{t.users.notConnected}</p>
          ) : report.users.length === 0 ? (
            <p className="mt-1 text-sm text-stone-700">{t.users.none}</p>
          ) : (
            <ul className="mt-2 divide-y divide-stone-200 rounded border border-stone-200" data-testid="hub-users">
              {report.users.map((u) => (
                <li key={u.name} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
                  <div>
                    <p className="font-medium">{u.name}</p>
                    <p className="text-xs text-stone-700">
                      {t.users.lastActivity}: {u.lastActivity ? new Date(u.lastActivity).toLocaleString() : t.users.never}
                      {u.ready ? '' : ` · ${t.users.starting}`}
                    </p>
                  </div>
                  <Button variant="dangerOutline" size="small" onClick={() => void stop(u.name)} disabled={busy !== null} aria-label={format(t.users.stop, { name: u.name })}>
                    {busy === `stop:${u.name}` ? t.users.stopping : t.users.stopShort}
                  </Button>
                </li>
              ))}
            </ul>
          )}

          <details className="mt-4" data-testid="hub-details">
            <summary className="cursor-pointer font-semibold">{t.details}</summary>
            <p className="mt-2 text-sm" data-testid="hub-kind" data-kind={report.kind}>
              {t.state[report.state]}. {t.kind[report.kind]}
            </p>
            <p className="mt-1 text-xs text-stone-700">
              {format(t.checkedAt, { time, ms: report.ms })}
              {report.version ? ` · ${format(t.version, { version: report.version })}` : ''}
            </p>
            <h3 className="mt-3 font-semibold">{t.checksHeading}</h3>
            <ul className="mt-2 divide-y divide-stone-200 rounded border border-stone-200" data-testid="hub-checks">
              {report.checks.map((c) => (
                <li key={c.id} className="px-3 py-2" data-check={c.id} data-status={c.status}>
                  <div className="flex flex-wrap items-baseline justify-between gap-2">
                    <p className="font-medium">{text(t.check, checkLabelKey(report.kind, c.id))}</p>
                    <p className="flex items-center gap-2 text-xs">
                      <span className={`rounded px-2 py-0.5 font-semibold ${STATUS_STYLE[c.status]}`}>{t.status[c.status]}</span>
                      <span className="text-stone-700">{format(t.ms, { ms: c.ms })}</span>
                    </p>
                  </div>
                  <p className="mt-0.5 break-words text-sm text-stone-700">{text(t.detail, c.detail.key, c.detail.values)}</p>
                </li>
              ))}
            </ul>
          </details>
        </>
      ) : null}
    </SectionCard>
  );
}
