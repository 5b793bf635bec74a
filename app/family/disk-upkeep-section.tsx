// The family page's section for idle servers and disk space: the free space of
// /home and the idle-stop setting. Per-member figures are on the member cards.
import { bytesText } from '@/lib/i18n/bytes-text';
import { IDLE_STOP_HOUR_CHOICES } from '@/lib/store/family-settings';
import { format, type Locale, type Messages } from '@/lib/i18n/messages';
import type { Upkeep } from '@/lib/upkeep/upkeep';
import { idleSpanText } from './disk-facts';
import { IdleSetting } from './idle-setting';

export function UpkeepSection({ upkeep, t, locale }: { upkeep: Upkeep; t: Messages['upkeep']; locale: Locale }) {
  const current = upkeep.idleStopMinutes;
  const minutes = IDLE_STOP_HOUR_CHOICES.map((h) => h * 60);
  if (current !== null && !minutes.includes(current)) minutes.push(current);
  minutes.sort((a, b) => a - b);
  const choices = [...minutes.map((m) => ({ minutes: m as number | null, label: idleSpanText(m * 60_000, t) })), { minutes: null, label: t.idleNever }];
  const space = upkeep.homeSpace;
  return (
    <section aria-labelledby="upkeep-heading" className="mt-8 rounded-lg border border-stone-200 bg-white p-4 shadow-sm" data-testid="upkeep">
      <h2 id="upkeep-heading" className="text-xl font-semibold">
        {t.heading}
      </h2>
      <p className="mt-1 text-sm" data-testid="home-free">
        {space ? format(t.homeFree, { free: bytesText(space.freeBytes, locale), total: bytesText(space.totalBytes, locale) }) : t.homeFreeUnknown}
      </p>
      <IdleSetting
        minutes={current}
        choices={choices}
        t={{ idleLabel: t.idleLabel, idleHint: t.idleHint, idleSave: t.idleSave, idleSaving: t.idleSaving, idleSaved: t.idleSaved, idleFailed: t.idleFailed }}
      />
    </section>
  );
}
