import { BASE_PATH } from '@/lib/constants';
import { requestMessages } from '@/lib/i18n/server';

/** 404 for a name that is not valid or not a family member (the page's notFound()). */
export default async function LoginCardNotFound() {
  const { t } = await requestMessages();
  return (
    <main id="main" className="mx-auto max-w-5xl px-4 py-6">
      <h1 className="text-2xl font-semibold">{t.card.notFoundHeading}</h1>
      <p className="mt-2" data-testid="card-not-found">
        {t.card.notFoundText}
      </p>
      <p className="mt-3">
        <a href={`${BASE_PATH}/family`} className="text-brand-700 underline underline-offset-4">
          {t.card.backToFamily}
        </a>
      </p>
    </main>
  );
}
