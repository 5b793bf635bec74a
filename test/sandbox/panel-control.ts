// Restarts the sandboxed panel with changed settings (e.g. short session timeouts),
// the same way the set-up command starts it, and waits until it is healthy.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sandboxEnv } from './fixtures';

const ENV_FILE = '/etc/jupyterhub-panel/panel.env';
const REPO = path.resolve(__dirname, '..', '..');

export function readPanelEnv(): string {
  return fs.readFileSync(ENV_FILE, 'utf8');
}

/** Sets (or, with value null, removes) keys in panel.env and restarts the panel. */
export async function restartPanel(changes: Record<string, string | null> = {}): Promise<void> {
  sandboxEnv();
  let text = readPanelEnv();
  for (const [key, value] of Object.entries(changes)) {
    text = text.replace(new RegExp(`^${key}=.*\\n?`, 'gm'), '');
    if (value !== null) text += `${text.endsWith('\n') ? '' : '\n'}${key}=${value}\n`;
  }
  fs.writeFileSync(ENV_FILE, text);
  // The set-up command restarts the one running panel; its build stamps make it quick.
  execFileSync(path.join(REPO, 'system', 'install.sh'), { stdio: 'pipe' });
}

/** Puts panel.env back as it was and restarts. */
export async function restorePanel(original: string): Promise<void> {
  fs.writeFileSync(ENV_FILE, original);
  execFileSync(path.join(REPO, 'system', 'install.sh'), { stdio: 'pipe' });
}

export function panelPid(): number {
  return Number(fs.readFileSync('/run/jupyterhub4family/panel.pid', 'utf8').trim());
}
