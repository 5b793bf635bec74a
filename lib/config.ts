import fs from 'node:fs';

// The panel's settings. Read from /etc/jupyterhub-panel/panel.env (KEY=VALUE
// lines, written by the set-up command), then overridden by the process
// environment, so systemd's EnvironmentFile, the background start and the tests
// all use one mechanism. Pure apart from reading that one file.

export interface PanelConfig {
  host: string;
  port: number;
  tlsCert: string;
  tlsKey: string;
  dataDir: string;
  /** Serve plain HTTP instead of HTTPS. Only honoured on a loopback address. */
  insecureHttp: boolean;
  sessionIdleSeconds: number;
  sessionMaxSeconds: number;
  /** Longest wait a run of failed logins can cause (per user name or client address). */
  loginDelayMaxSeconds: number;
  hubUrl: string;
  hubCert: string;
  /** The panel's hub service token, written by the helper's connect-hub. */
  hubTokenFile: string;
  /** The hub's configuration file (shown to parents; the helper finds it from the hub account). */
  hubConfig: string;
  /** The hub account's home (its free disk space is checked). */
  hubHome: string;
  /**
   * Origins the panel is also reached at, besides the names and addresses in its
   * certificate with JH4F_PORT (lib/http/panel-origins.ts): e.g. a name behind a reverse proxy.
   */
  publicOrigins: string[];
  /** Seconds between the idle checks (lib/upkeep/idle-stop.ts); default 60. */
  idleCheckSeconds: number;
  /** JH4F_IDLE_MINUTES=1: idle limits in minutes, not only whole hours (the test sandbox). */
  idleMinutesAllowed: boolean;
}

export const DEFAULT_CONFIG_FILE = '/etc/jupyterhub-panel/panel.env';

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    out[line.slice(0, eq).trim()] = value;
  }
  return out;
}

function readConfigFile(path: string): Record<string, string> {
  try {
    return parseEnvFile(fs.readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * JH4F_PUBLIC_ORIGINS: origins separated by spaces or commas, each exactly
 * `https://NAME[:PORT]` (what a browser sends as Origin). Pure; throws on anything else.
 */
export function parsePublicOrigins(value: string | undefined): string[] {
  const out: string[] = [];
  for (const item of (value ?? '').split(/[\s,]+/).filter(Boolean)) {
    let url: URL | null = null;
    try {
      url = new URL(item);
    } catch {
      /* reported below */
    }
    const bare = url && url.protocol === 'https:' && !url.username && !url.password && url.pathname === '/' && !url.search && !url.hash && !item.endsWith('/');
    if (!url || !bare || url.hostname.startsWith('*')) {
      throw new Error(`JH4F_PUBLIC_ORIGINS: ${JSON.stringify(item)} is not an origin like https://panel.example.org or https://panel.example.org:8443`);
    }
    if (!out.includes(url.origin)) out.push(url.origin);
  }
  return out;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): PanelConfig {
  const file = readConfigFile(env.JH4F_CONFIG ?? DEFAULT_CONFIG_FILE);
  const get = (key: string) => env[key] ?? file[key];
  const config: PanelConfig = {
    host: get('JH4F_HOST') || '0.0.0.0',
    port: int(get('JH4F_PORT'), 8010, 'JH4F_PORT'),
    tlsCert: get('JH4F_TLS_CERT') || '/etc/jupyterhub-panel/tls/cert.pem',
    tlsKey: get('JH4F_TLS_KEY') || '/etc/jupyterhub-panel/tls/key.pem',
    dataDir: get('JH4F_DATA_DIR') || '/var/lib/jupyterhub-panel',
    insecureHttp: get('JH4F_INSECURE_HTTP') === '1',
    sessionIdleSeconds: int(get('JH4F_SESSION_IDLE_SECONDS'), 30 * 60, 'JH4F_SESSION_IDLE_SECONDS'),
    sessionMaxSeconds: int(get('JH4F_SESSION_MAX_SECONDS'), 12 * 60 * 60, 'JH4F_SESSION_MAX_SECONDS'),
    loginDelayMaxSeconds: int(get('JH4F_LOGIN_DELAY_MAX_SECONDS'), 15 * 60, 'JH4F_LOGIN_DELAY_MAX_SECONDS'),
    hubUrl: get('JH4F_HUB_URL') || 'https://127.0.0.1:8000',
    hubCert: get('JH4F_HUB_CERT') || '/home/jupyterhub/etc/cert.crt',
    hubTokenFile: get('JH4F_HUB_TOKEN_FILE') || '/etc/jupyterhub-panel/hub-token',
    hubConfig: get('JH4F_HUB_CONFIG') || '/home/jupyterhub/etc/jupyterhub_config.py',
    hubHome: get('JH4F_HUB_HOME') || '/home/jupyterhub',
    publicOrigins: parsePublicOrigins(get('JH4F_PUBLIC_ORIGINS')),
    idleCheckSeconds: Math.min(int(get('JH4F_IDLE_CHECK_SECONDS'), 60, 'JH4F_IDLE_CHECK_SECONDS'), 3600),
    idleMinutesAllowed: get('JH4F_IDLE_MINUTES') === '1',
  };
  if (config.insecureHttp && !isLoopback(config.host)) {
    throw new Error('JH4F_INSECURE_HTTP=1 is only allowed with a loopback JH4F_HOST (127.0.0.1, ::1, localhost)');
  }
  return config;
}
