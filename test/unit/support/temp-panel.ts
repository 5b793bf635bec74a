// Unit-test support: a throwaway data directory and account files, so lib/ modules
// that use SQLite and /etc/passwd|group run without touching the system.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempPanel {
  dir: string;
  passwd: string;
  group: string;
  /** Rewrites /etc/group's stand-in (bumps the mtime so caches notice). */
  writeGroup(text: string): void;
  cleanup(): void;
}

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'mama:x:1000:1000:Maria Mustermann,,,:/home/mama:/bin/bash',
  'papa:x:1001:1001:Peter Mustermann:/home/papa:/bin/bash',
  'anna:x:1002:1002:Anna Mustermann:/home/anna:/bin/bash',
  'primary:x:1003:995::/home/primary:/bin/bash',
  '',
].join('\n');

export const GROUP = ['root:x:0:', 'mama:x:1000:', 'papa:x:1001:', 'anna:x:1002:', 'jupyterhub:x:996:anna', 'jupyterhub_adm:x:995:mama,papa', ''].join('\n');

/** Call before importing lib/ modules that read settings (the env is read once). */
export function tempPanel(extraEnv: Record<string, string> = {}): TempPanel {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-unit-'));
  const passwd = path.join(dir, 'passwd');
  const group = path.join(dir, 'group');
  fs.writeFileSync(passwd, PASSWD);
  fs.writeFileSync(group, GROUP);
  Object.assign(process.env, {
    JH4F_CONFIG: path.join(dir, 'no-such-panel.env'),
    JH4F_DATA_DIR: path.join(dir, 'data'),
    JH4F_SESSION_IDLE_SECONDS: '60',
    JH4F_SESSION_MAX_SECONDS: '3600',
    JH4F_LOGIN_DELAY_MAX_SECONDS: '900',
    ...extraEnv,
  });
  let tick = 0;
  return {
    dir,
    passwd,
    group,
    writeGroup(text) {
      fs.writeFileSync(group, text);
      const t = new Date(Date.now() + ++tick * 1000);
      fs.utimesSync(group, t, t);
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
