// The family page's Updates section: what the computer does by itself at night,
// the setting, and (under Details) the file and tool behind it. Read without
// root from our apt drop-in (lib/machine/update-settings.ts).
import { format, type Messages } from '@/lib/i18n/messages';
import type { UpdateSettings } from '@/lib/machine/update-settings';
import { UPDATES_FILE } from '@/lib/shared/update-settings';
import { UpdatesSetting } from './updates-setting';
import { SectionCard } from '../components/ui/section-card';

export function UpdatesSection({ settings, t }: { settings: UpdateSettings; t: Messages['updateSettings'] }) {
  return (
    <SectionCard id="updates-heading" testId="updates" heading={t.heading} intro={t.intro} className="mt-8">
      {!settings.automaticRuns ? (
        <p className="mt-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="updates-no-systemd">
          {t.noSystemd}
        </p>
      ) : null}
      {settings.problem ? (
        <p className="mt-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="updates-file-problem">
          {t.fileProblem}
        </p>
      ) : null}
      <UpdatesSetting
        mode={settings.mode}
        t={{
          label: t.label,
          choices: [
            { mode: 'security', label: t.security, hint: t.securityHint },
            { mode: 'all', label: t.all, hint: t.allHint },
            { mode: 'off', label: t.off, hint: t.offHint },
          ],
          offWarning: t.offWarning,
          save: t.save,
          saving: t.saving,
          saved: t.saved,
          failed: t.failed,
        }}
      />
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer font-medium">{t.details}</summary>
        <p className="mt-1 break-words font-mono">{format(t.detailsFile, { file: UPDATES_FILE })}</p>
        <p className="mt-1">{t.detailsTool}</p>
        {settings.problem ? <p className="mt-1 font-mono">{format(t.detailsProblem, { problem: settings.problem })}</p> : null}
      </details>
    </SectionCard>
  );
}
