// One member's disk use and last automatic idle stop, as rows of the member
// card's <dl> (the card stays one list of facts).
import { bytesText } from '@/lib/i18n/bytes-text';
import { format, type Locale, type Messages } from '@/lib/i18n/messages';
import { idleSpan } from '@/lib/upkeep/idle-rule';
import type { MemberUpkeep } from '@/lib/upkeep/upkeep';

export function idleSpanText(idleMs: number, t: Messages['upkeep']): string {
  const span = idleSpan(idleMs);
  return 'hours' in span ? format(t.idleHours, { hours: span.hours }) : format(t.idleMinutes, { minutes: span.minutes });
}

export function DiskFacts({ upkeep, t, locale }: { upkeep: MemberUpkeep | undefined; t: Messages['upkeep']; locale: Locale }) {
  if (!upkeep) return null;
  const { size, error } = upkeep.disk;
  const diskText = size ? (size.complete ? bytesText(size.bytes, locale) : format(t.diskMoreThan, { size: bytesText(size.bytes, locale) })) : error ? t.diskFailed : t.diskMeasuring;
  return (
    <>
      <dt className="text-stone-700">{t.diskUse}</dt>
      <dd data-testid="disk-use" data-bytes={size ? String(size.bytes) : undefined} data-complete={size ? String(size.complete) : undefined}>
        {diskText}
      </dd>
      {upkeep.idleStop ? (
        <dd className="col-span-2 text-amber-900 sm:col-span-4" data-testid="idle-stopped">
          {format(t.idleStopped, { span: idleSpanText(upkeep.idleStop.idleMs, t) })}
        </dd>
      ) : null}
    </>
  );
}
