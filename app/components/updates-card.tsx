'use client';
// The overview's Updates card: "Up to date" in green, or how many security and
// other updates wait; the last upgrade; "Restart needed" when Debian's marker is
// there; which family services run old code. Technical facts (package names,
// versions, why a part could not be read) sit under "Details". It asks
// /api/updates again every few seconds while a check is under way, then every
// minute while the page is visible (the server keeps the answer; apt runs there
// only when something changed).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import type { UpdatesAnswer as ReportAnswer, UpdatesReport } from '@/lib/machine/updates';
import type { JobView } from '@/lib/jobs/job-progress';
import type { UpdateMode } from '@/lib/shared/update-settings';
import { api } from './ui/api';
import { SectionCard } from './ui/section-card';
import { UpgradeProgress } from './upgrade-progress';

/** GET /api/updates: the report, the saved mode and the newest "Install updates now". */
type UpdatesAnswer = ReportAnswer & { mode: UpdateMode | null; upgrade: JobView | null };

type UpdatesText = Messages['updates'];
const POLL_MS = 60_000;
const CHECKING_POLL_MS = 3000;

type Overall = 'up_to_date' | 'pending' | 'unknown';

function overallOf(r: UpdatesReport): Overall {
  if (!r.pending.ok) return 'unknown';
  return r.pending.security.length + r.pending.other.length === 0 ? 'up_to_date' : 'pending';
}

const STYLE: Record<Overall, string> = {
  up_to_date: 'border-green-700 bg-green-50 text-green-900',
  pending: 'border-amber-700 bg-amber-50 text-amber-900',
  unknown: 'border-stone-500 bg-stone-100 text-stone-900',
};

export function UpdatesCard({ t }: { t: UpdatesText }) {
  const [answer, setAnswer] = useState<UpdatesAnswer | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async (): Promise<boolean> => {
    const r = await api<UpdatesAnswer>('GET', '/api/updates');
    setLoadFailed(!r.ok);
    if (!r.ok) return false;
    setAnswer(r.data);
    return r.data.report === null || r.data.refreshing;
  }, []);

  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      const checking = document.visibilityState === 'visible' ? await load() : false;
      if (!stopped) timer.current = setTimeout(tick, checking ? CHECKING_POLL_MS : POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load]);

  const report = answer?.report ?? null;
  const overall = report ? overallOf(report) : null;
  const heading = overall === 'up_to_date' ? t.upToDate : overall === 'pending' ? t.waiting : t.couldNotCheck;
  const old = report?.services.ok ? report.services.list.filter((s) => s.state === 'old') : [];
  const mode = answer?.mode ?? null;
  const canInstall = mode === 'security' || mode === 'all';
  // What "Install updates now" would install in this mode.
  const installable = report?.pending.ok ? report.pending.security.length + (mode === 'all' ? report.pending.other.length : 0) : 0;
  const running = answer?.upgrade ? !['succeeded', 'failed', 'cancelled', 'interrupted'].includes(answer.upgrade.state) : false;

  return (
    <SectionCard id="updates-heading" testId="updates-card" heading={t.heading} intro={t.intro}>
      <div aria-live="polite" className="mt-3">
        {!answer && !loadFailed ? <p className="text-stone-700">{t.checking}</p> : null}
        {loadFailed ? <p className="text-sm font-medium text-red-800">{t.loadFailed}</p> : null}
        {answer && !report ? <p className="text-stone-700">{t.checking}</p> : null}
        {report && overall ? (
          <div className={`rounded border-l-4 px-3 py-2 ${STYLE[overall]}`} data-testid="updates-state" data-state={overall}>
            <p className="font-semibold">{heading}</p>
            {report.pending.ok && overall === 'pending' ? (
              <>
                <p className="mt-1" data-testid="updates-security" data-count={report.pending.security.length}>
                  {format(t.securityWaiting, { count: report.pending.security.length })}
                </p>
                <p data-testid="updates-other" data-count={report.pending.other.length}>
                  {format(t.otherWaiting, { count: report.pending.other.length })}
                </p>
              </>
            ) : null}
          </div>
        ) : null}
      </div>
      {answer && (installable > 0 || running || answer.upgrade) ? (
        <div className="mt-3" data-testid="updates-install">
          {installable > 0 ? <p className="text-sm">{!canInstall ? t.installOff : mode === 'all' ? t.installHintAll : t.installHintSecurity}</p> : null}
          {installable > 0 && mode === 'security' && report?.pending.ok && report.pending.other.length > 0 ? <p className="text-sm">{t.installOffSecurityOnly}</p> : null}
          <UpgradeProgress last={answer.upgrade} canStart={canInstall && installable > 0} t={t} onEnd={() => void load()} />
        </div>
      ) : null}
      {report ? (
        <>
          <p className="mt-2 text-sm" data-testid="updates-last" data-count={report.lastUpgrade.ok ? (report.lastUpgrade.upgrade?.packages.length ?? 0) : ''}>
            {!report.lastUpgrade.ok
              ? t.lastUpgradeUnknown
              : report.lastUpgrade.upgrade
                ? format(t.lastUpgrade, { time: new Date(report.lastUpgrade.upgrade.at).toLocaleString(), count: report.lastUpgrade.upgrade.packages.length })
                : t.lastUpgradeNone}
          </p>
          {report.reboot.ok && report.reboot.required ? (
            <p className="mt-2 rounded border-l-4 border-amber-700 bg-amber-50 px-3 py-2 text-sm font-semibold text-amber-900" data-testid="updates-reboot">
              {t.rebootNeeded}
            </p>
          ) : null}
          <p className="mt-2 text-sm" data-testid="updates-services" data-old={old.map((s) => s.service).join(' ')}>
            {!report.services.ok || report.services.list.some((s) => s.state === 'unknown')
              ? old.length > 0
                ? `${format(t.oldCode, { services: old.map((s) => t.service[s.service]).join(', ') })} ${t.servicesUnknown}`
                : t.servicesUnknown
              : old.length > 0
                ? format(t.oldCode, { services: old.map((s) => t.service[s.service]).join(', ') })
                : t.allCurrent}
          </p>
          <details className="mt-3 text-sm" data-testid="updates-details">
            <summary className="cursor-pointer font-medium">{t.details}</summary>
            <div className="mt-2 space-y-2 break-words text-stone-800">
              {report.pending.ok ? (
                <div>
                  <h3 className="font-semibold">{t.detailsPending}</h3>
                  {report.pending.security.length + report.pending.other.length === 0 ? (
                    <p>{t.detailsNone}</p>
                  ) : (
                    <ul className="list-disc pl-5">
                      {[...report.pending.security, ...report.pending.other].map((p) => (
                        <li key={p.name}>
                          {p.name} {p.from ?? '–'} → {p.to} ({p.releases.join(', ')})
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              ) : (
                <p>{format(t.detailsReason, { reason: report.pending.reason })}</p>
              )}
              {!report.lastUpgrade.ok ? <p>{format(t.detailsReason, { reason: report.lastUpgrade.reason })}</p> : null}
              {report.lastUpgrade.ok && report.lastUpgrade.upgrade ? <p>{report.lastUpgrade.upgrade.packages.join(', ')}</p> : null}
              {report.reboot.ok && report.reboot.required && report.reboot.packages.length > 0 ? (
                <p data-testid="updates-reboot-packages">{format(t.detailsRebootPackages, { packages: report.reboot.packages.join(', ') })}</p>
              ) : null}
              {!report.reboot.ok ? <p>{format(t.detailsReason, { reason: report.reboot.reason })}</p> : null}
              {report.services.ok ? (
                <ul className="list-disc pl-5">
                  {report.services.list.map((s) => (
                    <li key={s.service}>
                      {s.state === 'old'
                        ? format(t.detailsServiceOld, { service: t.service[s.service], packages: s.changed.join(', ') })
                        : s.state === 'unknown'
                          ? format(t.detailsServiceUnknown, { service: t.service[s.service], reason: s.reason ?? '' })
                          : s.state === 'not_running'
                            ? format(t.detailsServiceNotRunning, { service: t.service[s.service] })
                            : format(t.detailsServiceCurrent, { service: t.service[s.service] })}
                    </li>
                  ))}
                </ul>
              ) : (
                <p>{format(t.detailsReason, { reason: report.services.reason })}</p>
              )}
              <p className="text-xs text-stone-700">
                {format(t.checkedAt, { time: new Date(report.checkedAt).toLocaleTimeString(), ms: report.ms })}
                {answer?.refreshing ? ` · ${t.checkingAgain}` : ''}
              </p>
            </div>
          </details>
        </>
      ) : null}
    </SectionCard>
  );
}
