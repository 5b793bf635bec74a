// A member's memory and CPU limit on their family card: what applies to their
// server, and for a kid a "Change" that sets the kid's own figures (or goes back
// to the family's default).
import { format, type Messages } from '@/lib/i18n/messages';
import type { FamilyMember } from '@/lib/family/members';
import { limitsOf, type FamilyLimits } from '@/lib/limits/limits';
import { LimitsForm } from './limits-form';
import { cpuChoices, cpuText, formText, memoryChoices, sizeText } from './limits-section';

export function LimitsRow({ m, limits, t }: { m: FamilyMember; limits: FamilyLimits; t: Messages }) {
  const l = t.limits;
  if (m.protected) return null;
  const role = m.familyAdmin ? 'parents' : 'kids';
  const e = limitsOf(limits, m.user, role);
  const own = limits.file.kind === 'ok' ? limits.file.file.users[m.user] : undefined;
  const family = role === 'kids' ? limits.kids : limits.parents;
  return (
    <div className="mt-3 text-sm" data-testid="limits-row">
      <p>
        <span className="text-stone-700">{l.label}: </span>
        <span data-testid="limits-summary">{format(e.own ? l.ownLimit : l.familyLimit, { memory: sizeText(e.memoryMiB), cpu: cpuText(e.cpuWeight, l) })}</span>
      </p>
      {role === 'kids' ? (
        <details className="mt-1">
          <summary className="cursor-pointer font-medium text-brand-700">{l.change}</summary>
          <LimitsForm
            target={`kid:${m.user}`}
            testId="limits-kid"
            memoryMiB={own?.memoryMiB ?? null}
            cpuWeight={own?.cpuWeight ?? null}
            memoryChoices={memoryChoices(limits.machineMiB, own?.memoryMiB ?? null, family.memoryMiB, l)}
            cpuChoices={cpuChoices(own?.cpuWeight ?? null, family.cpuWeight, l)}
            t={formText(l, format(l.kidLegend, { user: m.fullName || m.user }))}
          />
        </details>
      ) : null}
    </div>
  );
}
