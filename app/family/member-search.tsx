// Search and paging of the member list: a plain GET form and plain links, so they
// work before the page's scripts have loaded (and without them). The server does
// the searching and paging (lib/family/members.ts listFamily); the URL holds the state,
// so a search or a page can be bookmarked and reloaded.
import { BASE_PATH } from '@/lib/constants';
import { format } from '@/lib/i18n/messages';
import { Button, buttonClass } from '../components/ui/button';
import { Field } from '../components/ui/field';

const FAMILY_PATH = `${BASE_PATH}/family`;

export function familyHref(query: string, page: number): string {
  const params = new URLSearchParams();
  if (query) params.set('q', query);
  if (page > 1) params.set('page', String(page));
  const search = params.toString();
  return search ? `${FAMILY_PATH}?${search}` : FAMILY_PATH;
}

const linkClass = buttonClass('outline', 'small');

export interface MemberSearchText {
  searchLabel: string;
  searchHint: string;
  searchSubmit: string;
  searchClear: string;
}

export function MemberSearch({ query, t }: { query: string; t: MemberSearchText }) {
  return (
    <form method="get" action={FAMILY_PATH} role="search" className="mt-3 flex flex-wrap items-end gap-2">
      <Field
        id="member-search"
        wrapperClass="min-w-0 flex-1 basis-56"
        name="q"
        type="search"
        label={t.searchLabel}
        hint={t.searchHint}
        defaultValue={query}
        maxLength={200}
        autoComplete="off"
        spellCheck={false}
      />
      <div className="flex gap-2 pb-7">
        <Button type="submit">{t.searchSubmit}</Button>
        {query ? (
          <a href={FAMILY_PATH} className={buttonClass('secondary')}>
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
      <p className="text-sm text-stone-700">{format(t.pageOf, { page, pages })}</p>
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
