// The automatic-updates drop-in: its text per mode (what apt and unattended-upgrades
// read), reading the mode back, the default file the set-up installs, and the
// panel's reader of the file (lib/machine/update-settings.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ALL_ORIGINS, parseUpdateSettings, SECURITY_ORIGINS, UPDATE_MODES, updateSettingsText } from '../../lib/shared/update-settings';
import { readUpdateSettings } from '../../lib/machine/update-settings';

const ROOT = path.join(import.meta.dirname, '..', '..');

/** The quoted entries of the Origins-Pattern block, in order. */
function originsOf(text: string): string[] {
  const block = /Unattended-Upgrade::Origins-Pattern \{\n([\s\S]*?)\n\};/.exec(text)?.[1] ?? '';
  return block.split('\n').map((l) => /^ {2}"(.*)";$/.exec(l)?.[1] ?? `unparsed: ${l}`);
}

test('security: the lists refresh and the upgrade run daily, from the security archive only', () => {
  const text = updateSettingsText('security');
  assert.equal(text.split('\n')[0], '// jupyterhub4family: mode=security');
  assert.match(text, /^APT::Periodic::Update-Package-Lists "1";$/m);
  assert.match(text, /^APT::Periodic::Unattended-Upgrade "1";$/m);
  // Debian's own list also names the release itself: ours replaces it.
  assert.match(text, /^#clear Unattended-Upgrade::Origins-Pattern;\nUnattended-Upgrade::Origins-Pattern \{$/m);
  assert.deepEqual(originsOf(text), [...SECURITY_ORIGINS]);
  assert.ok(SECURITY_ORIGINS.every((o) => o.endsWith('label=Debian-Security')));
});

test('all: security, the stable updates and the release; off: nothing runs', () => {
  const all = updateSettingsText('all');
  assert.match(all, /^APT::Periodic::Unattended-Upgrade "1";$/m);
  assert.deepEqual(originsOf(all), [...ALL_ORIGINS]);
  assert.ok(ALL_ORIGINS.includes('origin=Debian,codename=${distro_codename}-updates,label=Debian'));
  assert.ok(ALL_ORIGINS.includes('origin=Debian,codename=${distro_codename},label=Debian'));
  const off = updateSettingsText('off');
  assert.match(off, /^APT::Periodic::Update-Package-Lists "0";$/m);
  assert.match(off, /^APT::Periodic::Unattended-Upgrade "0";$/m);
  assert.doesNotMatch(off, /"1";/);
});

test('each mode reads back from its own text; anything else says why it cannot be read', () => {
  for (const mode of UPDATE_MODES) assert.deepEqual(parseUpdateSettings(updateSettingsText(mode)), { mode, problem: null });
  assert.deepEqual(parseUpdateSettings(''), { mode: null, problem: 'no_mode_line' });
  assert.deepEqual(parseUpdateSettings('APT::Periodic::Unattended-Upgrade "1";\n'), { mode: null, problem: 'no_mode_line' });
  assert.deepEqual(parseUpdateSettings(updateSettingsText('all').replace('mode=all', 'mode=weekly')), { mode: null, problem: 'unknown_mode' });
  // Edited by hand: the first line says security, apt would do something else.
  const edited = updateSettingsText('security').replace('Unattended-Upgrade "1"', 'Unattended-Upgrade "0"');
  assert.deepEqual(parseUpdateSettings(edited), { mode: null, problem: 'not_ours' });
  assert.deepEqual(parseUpdateSettings(`${updateSettingsText('off')}APT::Periodic::Unattended-Upgrade "1";\n`), { mode: null, problem: 'not_ours' });
});

test("the set-up's default file is the security mode's text, and its timer drop-in runs it at night", () => {
  assert.equal(fs.readFileSync(path.join(ROOT, 'system/apt/52jupyterhub4family-updates'), 'utf8'), updateSettingsText('security'));
  const timer = fs.readFileSync(path.join(ROOT, 'system/apt/apt-daily-upgrade.timer.d.conf'), 'utf8');
  // An empty OnCalendar= first: a drop-in's value is otherwise added to Debian's 6:00.
  assert.match(timer, /^\[Timer\]\nOnCalendar=\nOnCalendar=\*-\*-\* 03:00\nRandomizedDelaySec=30min$/m);
});

test('the panel reads the file without root: missing, a link, a file only root may write', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-updates-'));
  try {
    fs.chmodSync(dir, 0o755);
    const file = path.join(dir, '52jupyterhub4family-updates');
    const systemd = path.join(dir, 'systemd');
    assert.deepEqual(readUpdateSettings(file, systemd), { mode: null, automaticRuns: false, problem: 'missing' });
    fs.mkdirSync(systemd);
    fs.writeFileSync(path.join(dir, 'elsewhere'), updateSettingsText('all'), { mode: 0o644 });
    fs.symlinkSync(path.join(dir, 'elsewhere'), file);
    assert.deepEqual(readUpdateSettings(file, systemd), { mode: null, automaticRuns: true, problem: 'untrusted' });
    fs.unlinkSync(file);
    fs.writeFileSync(file, updateSettingsText('all'), { mode: 0o644 });
    // Believed only when root owns it (and its folder): as root this run sees the mode, otherwise not.
    const asRoot = process.getuid?.() === 0;
    assert.deepEqual(readUpdateSettings(file, systemd), asRoot ? { mode: 'all', automaticRuns: true, problem: null } : { mode: null, automaticRuns: true, problem: 'untrusted' });
    if (asRoot) {
      fs.chmodSync(file, 0o666);
      assert.equal(readUpdateSettings(file, systemd).problem, 'untrusted', 'a file others may write is not believed');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
