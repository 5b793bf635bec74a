// install-packages in the agent (as the kid), the pure parts: the root-owned
// package configuration (/etc/jupyterhub-panel/packages.json, world-readable),
// the pip command line built from it, pip list's answer. pip's progress lines are
// read by the panel (lib/jobs/pip-output.ts). No I/O here except loadPackagesConfig and
// hubVersion (both read root-owned files, trusted only when root-owned and closed
// to others). Unit-tested in test/unit/install-packages.test.ts.
import { lstatSync, readFileSync } from 'node:fs';
import { normalizeName } from '../../lib/shared/package-name';
import { systemError } from '../common/errors';
import { CONFIG_DIR, isRootOnlyWritable, readRootJson } from '../common/root-json';

export { normalizeName };

export const PACKAGES_CONFIG_PATH = `${CONFIG_DIR}/packages.json`;
export const DEFAULT_PACKAGES: readonly string[] = ['jupyterlab', 'notebook'];
export const MAX_PACKAGES = 50;
/** Where Debian's jupyterhub package keeps its version. */
export const HUB_VERSION_FILES: readonly string[] = ['/usr/lib/python3/dist-packages/jupyterhub/_version.py', '/usr/local/lib/python3/dist-packages/jupyterhub/_version.py'];

export interface PackagesConfig {
  /** Requirement strings: name[extras][specifiers], e.g. jupyterhub==3.0.0. */
  readonly packages: readonly string[];
  readonly indexUrl: string | null;
  readonly extraIndexUrls: readonly string[];
  readonly findLinks: readonly string[];
  readonly noIndex: boolean;
  /** pip --timeout (seconds per network operation) and --retries, when set. */
  readonly pipTimeoutSeconds: number | null;
  readonly pipRetries: number | null;
  /** Why the file was ignored (not root-owned, ...), or null. */
  readonly ignoredReason: string | null;
}

// A requirement is a PEP 508 name, optional extras, optional comma-separated
// version specifiers. No spaces, no environment markers, no "@ URL", never a
// leading "-" (so it can never be read as a pip option).
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?';
const EXTRAS = `\\[${NAME}(?:,${NAME})*\\]`;
const VERSION = '[A-Za-z0-9.*+!_-]{1,64}';
const SPEC = `(?:===|==|!=|~=|>=|<=|<|>)${VERSION}`;
export const REQUIREMENT_RE = new RegExp(`^(${NAME})(?:${EXTRAS})?(?:${SPEC}(?:,${SPEC})*)?$`);

/** The project name of a valid requirement string (normalized). */
export function requirementName(req: string): string {
  const m = REQUIREMENT_RE.exec(req);
  if (!m) throw systemError(`invalid requirement ${JSON.stringify(req.slice(0, 100))}`);
  return normalizeName(m[1]!);
}

/** The exact version a requirement pins with ==, or null. */
export function pinnedVersion(req: string): string | null {
  const m = /^[^=<>!~]+==([A-Za-z0-9.+!_-]+)$/.exec(req);
  return m ? m[1]! : null;
}

function isSafeUrl(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (value.length > 500 || /[\s\x00-\x1f\x7f]/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // No credentials: they would show in every process listing (pip's argv).
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.hostname !== '';
}

function isSafePath(value: string): boolean {
  return value.length <= 500 && /^\/[A-Za-z0-9._/+-]*$/.test(value) && !value.split('/').includes('..');
}

function stringList(value: unknown, key: string, ok: (s: string) => boolean, max = 20): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > max || !value.every((v) => typeof v === 'string' && ok(v))) {
    throw systemError(`${PACKAGES_CONFIG_PATH}: ${key} is malformed`);
  }
  return [...new Set(value as string[])];
}

function boundedInt(value: unknown, key: string, min: number, max: number): number | null {
  if (value === undefined) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw systemError(`${PACKAGES_CONFIG_PATH}: ${key} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

const KNOWN_KEYS = new Set(['packages', 'indexUrl', 'extraIndexUrls', 'findLinks', 'noIndex', 'pipTimeoutSeconds', 'pipRetries']);

/**
 * Validate the parsed content of packages.json. Pure. Strict: an unknown key
 * or a wrong shape fails closed (system_error), as for helper.json.
 * `defaults` is the package list when the file gives none.
 */
export function packagesConfigFromJson(data: unknown, defaults: readonly string[]): PackagesConfig {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw systemError(`${PACKAGES_CONFIG_PATH} must hold a JSON object`);
  }
  const d = data as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!KNOWN_KEYS.has(key)) throw systemError(`${PACKAGES_CONFIG_PATH}: unknown key ${JSON.stringify(key.slice(0, 40))}`);
  }
  const packages = d.packages === undefined ? [...defaults] : stringList(d.packages, 'packages', (s) => s.length <= 200 && REQUIREMENT_RE.test(s), MAX_PACKAGES);
  if (packages.length === 0) throw systemError(`${PACKAGES_CONFIG_PATH}: packages is empty`);
  if (d.indexUrl !== undefined && (typeof d.indexUrl !== 'string' || !isSafeUrl(d.indexUrl))) {
    throw systemError(`${PACKAGES_CONFIG_PATH}: indexUrl must be an http(s) URL without credentials`);
  }
  if (d.noIndex !== undefined && typeof d.noIndex !== 'boolean') throw systemError(`${PACKAGES_CONFIG_PATH}: noIndex must be true or false`);
  return {
    packages,
    indexUrl: (d.indexUrl as string | undefined) ?? null,
    extraIndexUrls: stringList(d.extraIndexUrls, 'extraIndexUrls', isSafeUrl),
    findLinks: stringList(d.findLinks, 'findLinks', (s) => isSafeUrl(s) || isSafePath(s)),
    noIndex: d.noIndex === true,
    pipTimeoutSeconds: boundedInt(d.pipTimeoutSeconds, 'pipTimeoutSeconds', 1, 600),
    pipRetries: boundedInt(d.pipRetries, 'pipRetries', 0, 20),
    ignoredReason: null,
  };
}

export function defaultPackages(hubVersion: string | null): string[] {
  return [hubVersion ? `jupyterhub==${hubVersion}` : 'jupyterhub', ...DEFAULT_PACKAGES];
}

/** version_info = (3, 0, 0, "", "") -> "3.0.0" (pre-release parts appended). Pure. */
export function parseHubVersionFile(text: string): string | null {
  const m = /^version_info\s*=\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*["']([A-Za-z0-9]*)["']\s*)?(?:,\s*["']([A-Za-z0-9.]*)["']\s*)?\)/m.exec(text);
  if (!m) return null;
  const v = `${m[1]}.${m[2]}.${m[3]}${m[4] ?? ''}${m[5] ? `.${m[5]}` : ''}`.replace(/\.$/, '');
  return REQUIREMENT_RE.test(`x==${v}`) ? v : null;
}

/** The hub's version from Debian's package files, or null (then jupyterhub is unpinned). */
export function hubVersion(files: readonly string[] = HUB_VERSION_FILES): string | null {
  for (const f of files) {
    try {
      const st = lstatSync(f);
      if (!st.isFile() || !isRootOnlyWritable(st) || st.size > 64 * 1024) continue;
      const v = parseHubVersionFile(readFileSync(f, 'utf8'));
      if (v) return v;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Read packages.json (root-json.ts says when it is used); missing or ignored: the defaults (with the reason). */
export function loadPackagesConfig(defaults: readonly string[], path = PACKAGES_CONFIG_PATH, dir = CONFIG_DIR): PackagesConfig {
  const r = readRootJson(path, dir);
  if (r.data !== undefined) return packagesConfigFromJson(r.data, defaults);
  return { packages: [...defaults], indexUrl: null, extraIndexUrls: [], findLinks: [], noIndex: false, pipTimeoutSeconds: null, pipRetries: null, ignoredReason: r.ignoredReason };
}

/** pip's index options from the configuration. Pure. */
export function pipIndexArgs(config: PackagesConfig): string[] {
  const args: string[] = [];
  if (config.noIndex) args.push('--no-index');
  if (config.indexUrl) args.push('--index-url', config.indexUrl);
  for (const u of config.extraIndexUrls) args.push('--extra-index-url', u);
  for (const f of config.findLinks) args.push('--find-links', f);
  if (config.pipTimeoutSeconds !== null) args.push('--timeout', String(config.pipTimeoutSeconds));
  if (config.pipRetries !== null) args.push('--retries', String(config.pipRetries));
  return args;
}

// pip's colours and cursor moves (ANSI CSI sequences), then every other control character but tab and line feed.
// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\x1b\[[0-9;?]*[A-Za-z]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** A pip output line made safe to pass on: no control characters, bounded. Pure. */
export function cleanLine(line: string): string {
  return line.replace(ANSI_SEQUENCE, '').replace(CONTROL_CHARACTER, '').trimEnd().slice(0, 500);
}

/** pip list --format=json -> {normalized name: version}. Pure; garbage -> {}. */
export function parsePipList(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch {
    return out;
  }
  if (!Array.isArray(data)) return out;
  for (const item of data) {
    if (item && typeof item === 'object' && typeof item.name === 'string' && typeof item.version === 'string') {
      out[normalizeName(item.name)] = item.version.slice(0, 64);
    }
  }
  return out;
}

/**
 * Is a requirement met by what is installed? Only the cases the helper can
 * judge without a PEP 440 implementation: a bare name (any version) and ==X.
 * Anything else goes to pip, which says "Requirement already satisfied". Pure.
 */
export function alreadySatisfied(req: string, installed: Readonly<Record<string, string>>): boolean {
  const name = requirementName(req);
  const have = installed[name];
  if (have === undefined) return false;
  if (/^[A-Za-z0-9._-]+$/.test(req)) return true;
  const pin = pinnedVersion(req);
  return pin !== null && pin === have;
}
