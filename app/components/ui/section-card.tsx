// One card of a page: a section named by its heading (h2), a line under the heading,
// then its content. The overview's hub health and updates, the family page's updates.
import type { ReactNode } from 'react';

export function SectionCard({
  id,
  testId,
  heading,
  intro,
  className = 'mt-6',
  children,
}: {
  id: string;
  testId: string;
  heading: string;
  intro: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className={`${className} rounded-lg border border-stone-200 bg-white p-4 shadow-sm`} data-testid={testId}>
      <h2 id={id} className="text-xl font-semibold">
        {heading}
      </h2>
      <p className="mt-1 text-sm text-stone-700">{intro}</p>
      {children}
    </section>
  );
}
