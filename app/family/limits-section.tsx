// The family page's "Memory and processor" section: the kids' and the parents'
// defaults, what applies now, and (under Details) the file behind them. Read
// without root (lib/limits/limits.ts). Each kid's own figure is on the kid's card
// (LimitsRow).
import { format, type Messages } from '@/lib/i18n/messages';
import type { EffectiveLimits, LimitsEntry } from '@/lib/shared/limits-rule';
import { LIMITS_FILE } from '@/lib/shared/limits-rule';
import type { FamilyLimits } from '@/lib/limits/limits';
import { SectionCard } from '../components/ui/section-card';
import { LimitsForm, type Choice } from './limits-form';

type T = Messages['limits'];

/** "2 GiB", "1.5 GiB", "512 MiB". */
export function sizeText(mib: number): string {
  if (mib < 1024) return `${mib} MiB`;
  const gib = mib / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

const CPU_WEIGHTS = [50, 100, 200, 400] as const;

export function cpuText(weight: number, t: T): string {
  const named: Record<number, string> = { 50: t.cpuLow, 100: t.cpuNormal, 200: t.cpuHigh, 400: t.cpuHighest };
  return named[weight] ?? format(t.cpuWeight, { weight });
}

export function memoryChoices(machineMiB: number, current: number | null, defaultMiB: number, t: T): Choice[] {
  const sizes = new Set<number>([512, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384, 24576, 32768, 49152, 65536].filter((m) => m <= machineMiB));
  if (current !== null) sizes.add(current);
  return [{ value: null, label: format(t.useDefault, { value: sizeText(defaultMiB) }) }, ...[...sizes].sort((a, b) => a - b).map((m) => ({ value: m, label: sizeText(m) }))];
}

export function cpuChoices(current: number | null, defaultWeight: number, t: T): Choice[] {
  const weights = new Set<number>(CPU_WEIGHTS);
  if (current !== null) weights.add(current);
  return [{ value: null, label: format(t.useDefault, { value: cpuText(defaultWeight, t) }) }, ...[...weights].sort((a, b) => a - b).map((w) => ({ value: w, label: cpuText(w, t) }))];
}

export function formText(t: T, legend: string) {
  return { legend, memoryLabel: t.memoryLabel, cpuLabel: t.cpuLabel, save: t.save, saving: t.saving, saved: t.saved, failed: t.failed };
}

function RoleForm({ role, limits, own, t }: { role: 'kids' | 'parents'; limits: FamilyLimits; own: LimitsEntry; t: T }) {
  const machine = limits.machineDefaults[role];
  return (
    <LimitsForm
      target={role}
      testId={`limits-${role}`}
      memoryMiB={own.memoryMiB ?? null}
      cpuWeight={own.cpuWeight ?? null}
      memoryChoices={memoryChoices(limits.machineMiB, own.memoryMiB ?? null, machine.memoryMiB, t)}
      cpuChoices={cpuChoices(own.cpuWeight ?? null, machine.cpuWeight, t)}
      t={formText(t, role === 'kids' ? t.kidsLegend : t.parentsLegend)}
    />
  );
}

function now(e: EffectiveLimits, t: T): string {
  return format(t.applies, { memory: sizeText(e.memoryMiB), cpu: cpuText(e.cpuWeight, t) });
}

export function LimitsSection({ limits, t }: { limits: FamilyLimits; t: T }) {
  const file = limits.file.kind === 'ok' ? limits.file.file : null;
  return (
    <SectionCard id="limits-heading" testId="limits" heading={t.heading} intro={format(t.intro, { total: sizeText(limits.machineMiB) })} className="mt-8">
      {limits.file.kind === 'broken' ? (
        <p className="mt-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="limits-file-problem">
          {t.fileProblem}
        </p>
      ) : null}
      <RoleForm role="kids" limits={limits} own={file?.kids ?? {}} t={t} />
      <p className="text-sm text-stone-700" data-testid="limits-kids-now">
        {now(limits.kids, t)}
      </p>
      <RoleForm role="parents" limits={limits} own={file?.parents ?? {}} t={t} />
      <p className="text-sm text-stone-700" data-testid="limits-parents-now">
        {now(limits.parents, t)}
      </p>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer font-medium">{t.details}</summary>
        <p className="mt-1 break-words font-mono">{format(t.detailsFile, { file: LIMITS_FILE })}</p>
        <p className="mt-1">{t.detailsHow}</p>
        {limits.file.kind === 'broken' ? <p className="mt-1 break-words font-mono">{limits.file.problem}</p> : null}
      </details>
    </SectionCard>
  );
}
