// Automatic updates: the text of our one apt drop-in, and reading its mode back.
// Debian's unattended-upgrades does the work; we never edit its files, only add
// /etc/apt/apt.conf.d/52jupyterhub4family-updates (root:root 0644), read after
// Debian's 20auto-upgrades and 50unattended-upgrades, so our APT::Periodic values
// and our Origins-Pattern list win (Debian's other settings stay as they are). The file is the one truth about the mode:
// its first line records it, so the panel reads it back without root, as it
// reads hours.json. Pure: bundled into the root helper (set-updates) and read by
// the panel (lib/machine/update-settings.ts); system/apt/ holds the default file
// the set-up and the package install, checked equal to securityText by a unit test.

export const UPDATES_DIR = '/etc/apt/apt.conf.d';
export const UPDATES_FILE = `${UPDATES_DIR}/52jupyterhub4family-updates`;

export const UPDATE_MODES = ['security', 'all', 'off'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];
/** What the set-up writes when the file is missing. */
export const DEFAULT_UPDATE_MODE: UpdateMode = 'security';

const MODE_LINE = /^\/\/ jupyterhub4family: mode=([a-z]+)$/;

export function isUpdateMode(v: unknown): v is UpdateMode {
  return typeof v === 'string' && (UPDATE_MODES as readonly string[]).includes(v);
}

/** Debian's security archive, as Debian's own 50unattended-upgrades names it. */
export const SECURITY_ORIGINS: readonly string[] = [
  'origin=Debian,codename=${distro_codename},label=Debian-Security',
  'origin=Debian,codename=${distro_codename}-security,label=Debian-Security',
];
/** "All updates" adds the stable updates and the release itself (point releases). */
export const ALL_ORIGINS: readonly string[] = [
  ...SECURITY_ORIGINS,
  'origin=Debian,codename=${distro_codename}-updates,label=Debian',
  'origin=Debian,codename=${distro_codename},label=Debian',
];

/**
 * The drop-in for a mode. It clears the origin list first: Debian's own file also
 * names the release itself (point releases), so appending to it could not mean
 * "security updates only". "off" stops both the list refresh and the upgrade. Pure.
 */
export function updateSettingsText(mode: UpdateMode): string {
  const on = mode === 'off' ? '0' : '1';
  const origins = mode === 'all' ? ALL_ORIGINS : SECURITY_ORIGINS;
  return [
    `// jupyterhub4family: mode=${mode}`,
    "// Written by jupyterhub4family (the set-up, or the Updates setting on the panel's",
    '// family page, through its root helper). Change the mode there, not here.',
    `APT::Periodic::Update-Package-Lists "${on}";`,
    `APT::Periodic::Unattended-Upgrade "${on}";`,
    '#clear Unattended-Upgrade::Origins-Pattern;',
    'Unattended-Upgrade::Origins-Pattern {',
    ...origins.map((o) => `  "${o}";`),
    '};',
    '',
  ].join('\n');
}

export type UpdateSettingsProblem = 'no_mode_line' | 'unknown_mode' | 'not_ours';

/**
 * The mode a drop-in's text records, or why it cannot be read. A file whose first
 * line names a mode but whose text is not what we write for it (edited by hand)
 * is `not_ours`: the panel says so rather than showing a mode apt may not follow. Pure.
 */
export function parseUpdateSettings(text: string): { mode: UpdateMode; problem: null } | { mode: null; problem: UpdateSettingsProblem } {
  const m = MODE_LINE.exec(text.split('\n', 1)[0] ?? '');
  if (!m) return { mode: null, problem: 'no_mode_line' };
  if (!isUpdateMode(m[1])) return { mode: null, problem: 'unknown_mode' };
  if (text !== updateSettingsText(m[1])) return { mode: null, problem: 'not_ours' };
  return { mode: m[1], problem: null };
}
