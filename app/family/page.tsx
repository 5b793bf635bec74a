import { BASE_PATH } from '@/lib/constants';
import { requestMessages } from '@/lib/i18n/server';
import { format, type Locale, type Messages } from '@/lib/i18n/messages';
import { codeMessage, PublicError } from '@/lib/errors/errors';
import type { JobView } from '@/lib/jobs/job-progress';
import { latestJobs } from '@/lib/jobs';
import { findCandidates, listFamily, type FamilyList, type FamilyMember } from '@/lib/family/members';
import { isValidUsername } from '@/lib/shared/username-rule';
import { FAMILY_PAGE_SIZE } from '@/lib/http/validation';
import { requirePageSession } from '@/lib/auth/page-session';
import { InstallProgress } from '../components/install-progress';
import { param, positiveParam, type SearchParams } from '../components/search-params';
import { SignedInShell } from '../components/signed-in-shell';
import { buttonClass } from '../components/ui/button';
import { AddMemberForm } from './add-member-form';
import { HoursRow } from './hours-row';
import { MemberActions } from './member-actions';
import { HomePrivacy } from './home-privacy';
import { MemberSearch, Pager } from './member-search';
import { DiskFacts } from './disk-facts';
import { UpkeepSection } from './disk-upkeep-section';
import { UpdatesSection } from './updates-section';
import { LimitsSection } from './limits-section';
import { LimitsRow } from './limits-row';
import { familyLimits, type FamilyLimits } from '@/lib/limits/limits';
import { readUpdateSettings } from '@/lib/machine/update-settings';
import { upkeepFor, type MemberUpkeep } from '@/lib/upkeep/upkeep';

// Per request: the session, the locale, the CSP nonce and the live member list.
// One page of members (FAMILY_PAGE_SIZE), searched and paged on the server through
// the URL (?q=&page=), so the HTML stays small at 2,000 members and search and
// paging work before (and without) any script.
export const dynamic = 'force-dynamic';

/** Initial candidates shown under the add-member field (typing searches the rest). */
const CANDIDATES_SHOWN = 8;

const NOTICES = ['added', 'alreadyMember', 'removed', 'removedServerNotStopped', 'wasNotMember', 'resetDone', 'homeMadePrivate'] as const;
type Notice = (typeof NOTICES)[number];

function when(iso: string | null, locale: Locale, t: Messages): string {
  if (!iso) return t.family.never;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? t.family.never : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

function Badge({ children, tone }: { children: string; tone: 'stone' | 'amber' | 'green' | 'red' }) {
  const tones = {
    stone: 'border-stone-300 bg-stone-100 text-stone-800',
    amber: 'border-amber-300 bg-amber-50 text-amber-900',
    green: 'border-green-300 bg-green-50 text-green-900',
    red: 'border-red-300 bg-red-50 text-red-900',
  };
  return <span className={`inline-block rounded border px-2 py-0.5 text-xs font-semibold ${tones[tone]}`}>{children}</span>;
}

function MemberCard({
  m,
  t,
  locale,
  hubConnected,
  job,
  upkeep,
  limits,
}: {
  m: FamilyMember;
  limits: FamilyLimits;
  /** Disk use and the last automatic idle stop (unprotected members). */
  upkeep?: MemberUpkeep;
  t: Messages;
  locale: Locale;
  hubConnected: boolean;
  /** The member's newest package-install job. */
  job: JobView | null;
}) {
  const f = t.family;
  const versionText = m.packages
    ? Object.entries(m.packages)
        .map(([n, v]) => `${n} ${v}`)
        .join(', ')
    : '';
  return (
    <li className="rounded-lg border border-stone-200 bg-white p-4 shadow-sm" data-testid={`member-${m.user}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="text-lg font-semibold">
          {m.fullName || m.user} {m.fullName ? <span className="font-mono text-base font-normal text-stone-700">({m.user})</span> : null}
        </h3>
        <div className="flex flex-wrap gap-1">
          {m.familyAdmin ? <Badge tone="amber">{f.parentBadge}</Badge> : null}
          {m.protected ? <Badge tone="stone">{f.protectedBadge}</Badge> : null}
        </div>
      </div>
      <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr_auto_1fr]">
        <dt className="text-stone-700">{f.username}</dt>
        <dd className="font-mono">{m.user}</dd>
        <dt className="text-stone-700">{f.account}</dt>
        <dd>{m.locked === null ? f.lockUnknown : m.locked ? <Badge tone="red">{f.locked}</Badge> : f.active}</dd>
        <dt className="text-stone-700">{f.packages}</dt>
        <dd data-testid="packages" className="break-words">
          {m.packagesInstalled || versionText ? `${f.packagesYes}${versionText ? `: ${versionText}` : ''}` : f.packagesNo}
        </dd>
        {hubConnected && m.hub ? (
          <>
            <dt className="text-stone-700">{f.server}</dt>
            <dd>{m.hub.running ? <Badge tone="green">{f.serverRunning}</Badge> : f.serverStopped}</dd>
            <dt className="text-stone-700">{f.lastActive}</dt>
            <dd>{when(m.hub.lastActivity, locale, t)}</dd>
          </>
        ) : null}
        <DiskFacts upkeep={upkeep} t={t.upkeep} locale={locale} />
      </dl>
      <HoursRow m={m} t={t} />
      <LimitsRow m={m} limits={limits} t={t} />
      {m.homeOpen && !m.protected && !m.familyAdmin ? (
        <HomePrivacy user={m.user} t={{ open: format(f.homeOpen, { name: m.fullName || m.user }), makePrivate: f.homeMakePrivate, making: f.homeMaking, genericError: f.genericError }} />
      ) : null}
      <p className="mt-3 text-sm">
        <a
          href={`${BASE_PATH}/family/card/${m.user}`}
          className="font-medium text-brand-700 underline underline-offset-4 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700"
        >
          {t.card.link}
          <span className="sr-only"> {format(t.card.linkFor, { user: m.user })}</span>
        </a>
      </p>
      {!m.protected ? <InstallProgress user={m.user} name={m.fullName || m.user} jobId={job?.id ?? null} initialJob={job} canStart={!m.packagesInstalled} t={t.jobs} /> : null}
      <MemberActions
        user={m.user}
        canRemove={!m.protected}
        canReset={!m.protected && !m.familyAdmin}
        t={{
          remove: f.remove,
          removeTitle: format(f.removeTitle, { user: m.user }),
          removeConsequences: format(f.removeConsequences, { user: m.user }),
          removeServers: hubConnected ? f.removeServers : f.removeServersUnknown,
          removeConfirm: format(f.removeConfirm, { user: m.user }),
          cancel: f.cancel,
          removing: f.removing,
          resetPassword: f.resetPassword,
          resetTitle: format(f.resetTitle, { user: m.user }),
          newPassword: f.newPassword,
          passwordHint: f.passwordHint,
          suggest: f.suggest,
          showPassword: f.showPassword,
          resetSubmit: f.resetSubmit,
          resetting: f.resetting,
          genericError: f.genericError,
        }}
      />
    </li>
  );
}

export default async function FamilyPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const session = await requirePageSession();
  const sp = await searchParams;
  const notice = param(sp, 'notice');
  const noticeKey = notice !== undefined && (NOTICES as readonly string[]).includes(notice) ? (notice as Notice) : null;
  const user = param(sp, 'user');
  const noticeUser = user !== undefined && isValidUsername(user) ? user : null;
  const query = (param(sp, 'q') ?? '').slice(0, 200);
  const pageNumber = positiveParam(sp, 'page') ?? 1;
  const { t, locale } = await requestMessages();
  const f = t.family;

  let family: FamilyList | null = null;
  let loadError: string | null = null;
  try {
    family = await listFamily({ q: query, page: pageNumber, pageSize: FAMILY_PAGE_SIZE });
  } catch (error) {
    loadError = `${f.loadFailed} ${codeMessage(error instanceof PublicError ? error.code : 'system_error', locale)}`;
  }
  const candidates = findCandidates('', CANDIDATES_SHOWN);
  const users = family?.members.map((m) => m.user) ?? [];
  const jobs = latestJobs(users);
  const hubConnected = family?.hub.connected ?? false;
  const upkeep = upkeepFor(
    (family?.members ?? []).filter((m) => !m.protected).map((m) => m.user),
    new Set((family?.members ?? []).filter((m) => m.hub?.running).map((m) => m.user)),
  );
  const limits = familyLimits();
  const from = family && family.total > 0 ? (family.page - 1) * family.pageSize + 1 : 0;
  const to = family ? from + family.members.length - (family.members.length ? 1 : 0) : 0;

  return (
    <SignedInShell t={t} username={session.username} fullName={session.fullName} current="family">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">{f.heading}</h1>
          <p className="mt-1 text-stone-700">{f.intro}</p>
        </div>
        <a href={`${BASE_PATH}/family/onboard`} className={buttonClass()}>
          {f.onboardLink}
        </a>
      </div>

      <div role="status" aria-live="polite" className="mt-4">
        {noticeKey && noticeUser ? (
          <p className="rounded border border-green-300 bg-green-50 px-3 py-2 text-green-900" data-testid="notice">
            {format(f[noticeKey], { user: noticeUser })}
          </p>
        ) : null}
      </div>

      <section aria-labelledby="members-heading" className="mt-6">
        <h2 id="members-heading" className="text-xl font-semibold">
          {f.membersHeading}
        </h2>
        {loadError ? (
          <p role="alert" className="mt-3 rounded border border-red-300 bg-red-50 px-3 py-2 text-red-900">
            {loadError}
          </p>
        ) : null}
        {family && !hubConnected ? <p className="mt-2 text-sm text-stone-700">{f.hubNotConnected}</p> : null}
        {family && hubConnected && family.hub.error ? (
          <p className="mt-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="hub-unreachable">
            {f.hubUnreachable}
          </p>
        ) : null}
        <MemberSearch query={family?.query ?? ''} t={{ searchLabel: f.searchLabel, searchHint: f.searchHint, searchSubmit: f.searchSubmit, searchClear: f.searchClear }} />
        {family ? (
          <p className="mt-3 text-sm text-stone-700" data-testid="member-count">
            {family.total === 0
              ? family.query
                ? format(f.noMatches, { query: family.query })
                : f.empty
              : format(family.query ? f.showingMatches : f.showing, { from, to, total: family.total.toLocaleString(locale), query: family.query })}
          </p>
        ) : null}
        {family && family.members.length > 0 ? (
          <ul className="mt-3 grid gap-3 lg:grid-cols-2" data-testid="member-list">
            {family.members.map((m) => (
              <MemberCard key={m.user} m={m} t={t} locale={locale} hubConnected={hubConnected} job={jobs.get(m.user) ?? null} upkeep={upkeep.members[m.user]} limits={limits} />
            ))}
          </ul>
        ) : null}
        {family && family.pages > 1 ? (
          <Pager page={family.page} pages={family.pages} query={family.query} t={{ pagerLabel: f.pagerLabel, previousPage: f.previousPage, nextPage: f.nextPage, pageOf: f.pageOf }} />
        ) : null}
      </section>

      <UpkeepSection upkeep={upkeep} t={t.upkeep} locale={locale} />

      <LimitsSection limits={limits} t={t.limits} />

      <UpdatesSection settings={readUpdateSettings()} t={t.updateSettings} />

      <section aria-labelledby="add-heading" className="mt-8 rounded-lg border border-stone-200 bg-white p-4 shadow-sm">
        <h2 id="add-heading" className="text-xl font-semibold">
          {f.addHeading}
        </h2>
        <p className="mt-1 text-sm text-stone-700">{f.addIntro}</p>
        <AddMemberForm
          initial={candidates}
          t={{
            candidateSearchLabel: f.candidateSearchLabel,
            candidateSearchHint: f.candidateSearchHint,
            candidatesShown: f.candidatesShown,
            candidatesAll: f.candidatesAll,
            candidatesNone: f.candidatesNone,
            addSubmit: f.addSubmit,
            adding: f.adding,
            noCandidates: f.noCandidates,
            genericError: f.genericError,
          }}
        />
      </section>
    </SignedInShell>
  );
}
