import { audit, type AuditEntry } from '@/lib/store/audit';
import { ACCESS_GROUP, BASE_PATH } from '@/lib/constants';
import { requestMessages } from '@/lib/i18n/server';
import { format, type Locale, type Messages } from '@/lib/i18n/messages';
import { isValidUsername } from '@/lib/shared/username-rule';
import { requirePageSession } from '@/lib/auth/page-session';
import { getGroup } from '@/lib/accounts/unix-accounts';
import { param, positiveParam, type SearchParams } from '../components/search-params';
import { SignedInShell } from '../components/signed-in-shell';
import { Button } from '../components/ui/button';
import { auditWords } from '@/lib/store/audit-words';

export const dynamic = 'force-dynamic';

const PAGE_SIZE = 25;
const AUDIT_PATH = `${BASE_PATH}/audit`;

function outcomeLabel(e: AuditEntry, t: Messages): { text: string; tone: string } {
  const o = t.audit.outcomes;
  // Listed only while its change has no outcome row (lib/store/audit.ts).
  if (e.detail?.phase === 'start') return { text: o.started, tone: 'border-stone-300 bg-stone-100 text-stone-800' };
  if (e.outcome === 'ok') return { text: o.ok, tone: 'border-green-300 bg-green-50 text-green-900' };
  if (e.outcome === 'refused') return { text: o.refused, tone: 'border-amber-300 bg-amber-50 text-amber-900' };
  return { text: o.failed, tone: 'border-red-300 bg-red-50 text-red-900' };
}

function Entry({ e, t, locale }: { e: AuditEntry; t: Messages; locale: Locale }) {
  const a = t.audit;
  const outcome = outcomeLabel(e, t);
  const action = (a.actions as Record<string, string>)[e.action] ?? e.action;
  const notes: string[] = [];
  if (e.detail?.changed === false) notes.push(a.noChange);
  // The row keeps the seconds; the words are the reader's language.
  if (e.action === 'activity_in_future' && typeof e.detail?.aheadSeconds === 'number') {
    notes.push(format(a.aheadNote, { minutes: Math.max(1, Math.floor(e.detail.aheadSeconds / 60)) }));
  }
  const words = e.outcome === 'ok' ? null : auditWords(e, locale);
  return (
    <li
      className="rounded-lg border border-stone-200 bg-white p-3 shadow-sm"
      data-testid="audit-entry"
      data-id={e.id}
      data-action={e.action}
      data-target={e.target ?? ''}
      data-outcome={e.outcome}
      data-phase={typeof e.detail?.phase === 'string' ? e.detail.phase : ''}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-semibold">
          {action}
          {notes.length ? <span className="font-normal text-stone-700"> ({notes.join(', ')})</span> : null}
        </p>
        <span className={`inline-block rounded border px-2 py-0.5 text-xs font-semibold ${outcome.tone}`}>{outcome.text}</span>
      </div>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr_auto_1fr_auto_1fr]">
        <dt className="text-stone-700">{a.when}</dt>
        <dd>
          <time dateTime={e.at}>{new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(e.at))}</time>
        </dd>
        <dt className="text-stone-700">{a.who}</dt>
        <dd className="break-all font-mono">{e.actor ?? a.nobody}</dd>
        <dt className="text-stone-700">{a.onWhom}</dt>
        <dd className="break-all font-mono">{e.target ?? a.nobody}</dd>
      </dl>
      {words?.reason ? (
        <p className="mt-2 break-words text-sm text-red-900" data-testid="audit-reason">
          <span className="font-medium">{a.error}:</span> {words.reason}
        </p>
      ) : null}
      {words?.codes ? (
        <p className="mt-1 break-all font-mono text-xs text-stone-700" data-testid="audit-codes">
          {a.details}: {words.codes}
        </p>
      ) : null}
    </li>
  );
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const session = await requirePageSession();
  const sp = await searchParams;
  const named = param(sp, 'target');
  const target = named !== undefined && isValidUsername(named) ? named : undefined;
  const before = positiveParam(sp, 'before');
  const { t, locale } = await requestMessages();
  const a = t.audit;

  const entries = audit.list({ limit: PAGE_SIZE, before, target });
  const last = entries.at(-1);
  const olderHref = entries.length === PAGE_SIZE && last ? `${AUDIT_PATH}?${new URLSearchParams({ ...(target ? { target } : {}), before: String(last.id) })}` : null;
  const newestHref = before ? `${AUDIT_PATH}${target ? `?${new URLSearchParams({ target })}` : ''}` : null;
  const members = new Set(getGroup(ACCESS_GROUP)?.members ?? []);
  if (target) members.add(target);

  return (
    <SignedInShell t={t} username={session.username} fullName={session.fullName} current="audit">
      <h1 className="text-2xl font-semibold">{a.heading}</h1>
      <p className="mt-1 text-stone-700">{a.intro}</p>
      <form method="get" action={AUDIT_PATH} className="mt-4 flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="audit-target" className="block text-sm font-medium">
            {a.filterLabel}
          </label>
          <select id="audit-target" name="target" defaultValue={target ?? ''} className="mt-1 block rounded border border-stone-400 bg-white px-3 py-2 text-base">
            <option value="">{a.allMembers}</option>
            {[...members].sort().map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="secondary">
          {a.filterSubmit}
        </Button>
      </form>
      {entries.length === 0 ? <p className="mt-4 text-stone-700">{a.empty}</p> : null}
      <ol className="mt-4 space-y-2" aria-label={a.heading}>
        {entries.map((e) => (
          <Entry key={e.id} e={e} t={t} locale={locale} />
        ))}
      </ol>
      <nav aria-label={a.heading} className="mt-4 flex flex-wrap gap-4">
        {newestHref ? (
          <a href={newestHref} className="text-brand-700 underline underline-offset-4">
            {a.newest}
          </a>
        ) : null}
        {olderHref ? (
          <a href={olderHref} className="text-brand-700 underline underline-offset-4" rel="next">
            {a.older}
          </a>
        ) : null}
      </nav>
    </SignedInShell>
  );
}
