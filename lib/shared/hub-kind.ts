// Which hub this machine has, for the root helper and the panel alike (no npm
// imports: the helper bundles it). Four kinds, each managed its own way:
//
// | kind               | runs as                        | restart                      | log                         |
// |--------------------|--------------------------------|------------------------------|-----------------------------|
// | family-systemd     | Debian's jupyterhub.service    | systemctl restart            | journal of jupyterhub.service |
// | family-background  | root, started by family-hub    | family-hub restart (helper)  | /var/log/jupyterhub4family/hub.log |
// | seed               | account jupyterhub, cron+screen| the crontab's command (helper) | ~jupyterhub/bootstrap.log |
// | none               | -                              | -                            | -                           |
//
// The family hub is recognised by our configuration file (root's, written by the
// set-up); a seed hub by the account jupyterhub. The set-up never makes both.
import { parsePasswd } from './account-files';
import { HUB_ACCOUNT } from './names';
import fs from 'node:fs';

export type HubKind = 'family-systemd' | 'family-background' | 'seed' | 'none';

export const FAMILY_HUB_CONFIG = '/etc/jupyterhub4family/jupyterhub_config.py';
export const FAMILY_HUB_CERT = '/etc/jupyterhub4family/tls/cert.pem';
export const FAMILY_HUB_KEY = '/etc/jupyterhub4family/tls/key.pem';
export const FAMILY_HUB_LOG = '/var/log/jupyterhub4family/hub.log';
export const FAMILY_HUB_PID_FILE = '/run/jupyterhub4family/hub.pid';
export const FAMILY_HUB_STATE_DIR = '/var/lib/jupyterhub';
export const FAMILY_HUB_CTL = '/usr/libexec/jupyterhub-panel/family-hub';
export const FAMILY_HUB_UNIT = 'jupyterhub.service';
export const SEED_HUB_ACCOUNT = HUB_ACCOUNT;

export interface HubKindFacts {
  /** Our configuration file exists, a regular file owned by root. */
  familyConfig: boolean;
  /** systemd is the running init (/run/systemd/system exists). */
  systemd: boolean;
  /** /etc/passwd has the account jupyterhub. */
  seedAccount: boolean;
}

/** Pure. */
export function hubKindFrom(f: HubKindFacts): HubKind {
  if (f.familyConfig) return f.systemd ? 'family-systemd' : 'family-background';
  return f.seedAccount ? 'seed' : 'none';
}

export function isFamilyKind(kind: HubKind): kind is 'family-systemd' | 'family-background' {
  return kind === 'family-systemd' || kind === 'family-background';
}

/** The facts, read from this machine: two lstats and /etc/passwd. */
export function readHubKindFacts(passwdText?: string): HubKindFacts {
  const config = fs.lstatSync(FAMILY_HUB_CONFIG, { throwIfNoEntry: false });
  const systemd = fs.lstatSync('/run/systemd/system', { throwIfNoEntry: false });
  let passwd = passwdText;
  if (passwd === undefined) {
    try {
      passwd = fs.readFileSync('/etc/passwd', 'utf8');
    } catch {
      passwd = '';
    }
  }
  return {
    familyConfig: config !== undefined && config.isFile() && config.uid === 0,
    systemd: systemd?.isDirectory() ?? false,
    seedAccount: parsePasswd(passwd).has(SEED_HUB_ACCOUNT),
  };
}

export function detectHubKind(): HubKind {
  return hubKindFrom(readHubKindFacts());
}
