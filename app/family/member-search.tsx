// Search and paging of the member list: a plain GET form and plain links, so they
// work before the page's scripts have loaded (and without them). The server does
// the searching and paging (lib/members.ts listFamily); the URL holds the state,
// so a search or a page can be bookmarked and reloaded.
import { format } from '@/lib/i18n/messages';

const FAMILY_PATH = '/panel/family';

export function familyHref(query: string, page: number): string {
  const params = new URLSearchParams();
  if (query) params.set('q', query);
  if (page > 1) params.set('page', String(page));
  const search = params.toString();
  return search ? `${FAMILY_PATH}?${search}` : FAMILY_PATH;
}

const linkClass =
  'inline-block rounded border border-stone-300 bg-white px-3 py-1.5 text-sm font-semibold text-brand-700 hover:bg-stone-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700';

export interface MemberSearchText {
  searchLabel: string;
  searchHint: string;
  searchSubmit: string;
  searchClear: string;
}

export function MemberSearch({ query, t }: { query: string; t: MemberSearchText }) {
  return (
    <form method="get" action={FAMILY_PATH} role="search" className="mt-3 flex flex-wrap items-end gap-2">
      <div className="min-w-0 flex-1 basis-56">
        <label htmlFor="member-search" className="block text-sm font-medium">
          {t.searchLabel}
        </label>
        <input
          id="member-search"
          name="q"
          type="search"
          defaultValue={query}
          maxLength={200}
          autoComplete="off"
          spellCheck={false}
          aria-describedby="member-search-hint"
          className="mt-1 block w-full rounded border border-stone-400 px-3 py-2 text-base"
        />
        <p id="member-search-hint" className="mt-1 text-xs text-stone-700">
          {t.searchHint}
        </p>
      </div>
      <div className="flex gap-2 pb-5">
        <button
          type="submit"
          className="rounded bg-brand-700 px-4 py-2 font-semibold text-white hover:bg-brand-600 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700"
        >
          {t.searchSubmit}
        </button>
        {query ? (
          <a href={FAMILY_PATH} className={`${linkClass} py-2`}>
            {t.searchClear}
          </a>
        ) : null}
      </div>
    </form>
  );
}

export interface PagerText {
  pagerLabel: string;
  previousPage: string;
  nextPage: string;
  pageOf: string;
}

export function Pager({ page, pages, query, t }: { page: number; pages: number; query: string; t: PagerText }) {
  return (
    <nav aria-label={t.pagerLabel} className="mt-4 flex flex-wrap items-center justify-between gap-2" data-testid="member-pager">
      {page > 1 ? (
        <a href={familyHref(query, page - 1)} rel="prev" className={linkClass}>
          {t.previousPage}
        </a>
      ) : (
        <span />
      )}
      <p className="text-sm text-stone-700">
        {format(t.pageOf, { page, pages })}
      </p>
      {page < pages ? (
        <a href={familyHref(query, page + 1)} rel="next" className={linkClass}>
          {t.nextPage}
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}
