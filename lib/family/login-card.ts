import 'server-only';
// The kid's login card: the addresses a kid types on their own
// device to reach the hub, and the SHA-256 fingerprint of the hub's certificate to
// compare with the browser's warning. Read by the panel's own account, never root:
// the host name, /etc/hosts, the interface list and the hub's certificate file.
//
// The pure parts (lanAddresses, hostNames, cardAddresses, parseCertificate) take
// the machine's facts as arguments, so the unit tests feed them fake interface
// lists and real certificates; loginCardFacts() reads this machine.
// Client components import only the types of this module.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { PANEL_HUB_CERT_COPY } from '../shared/hub-facts';
import { panelCertCopyPath } from '../hub/hub-client';
import { detectHubKind, FAMILY_HUB_CERT, isFamilyKind, type HubKind } from '../shared/hub-kind';
import { settings } from '../settings';

export type AddressKind = 'name' | 'ipv4' | 'ipv6' | 'loopback';

export interface CardAddress {
  /** What the kid types: https://HOST:PORT/ */
  url: string;
  host: string;
  kind: AddressKind;
  /** The hub's certificate lists this name or address; null when the certificate could not be read. */
  inCertificate: boolean | null;
}

export type CertificateProblem = 'missing' | 'unreadable' | 'not_regular' | 'too_large' | 'not_certificate';

export type CertificateFacts =
  | {
      ok: true;
      path: string;
      /** As browsers show it: colon-separated upper-case hex of the SHA-256 of the DER. */
      fingerprint256: string;
      /** ISO 8601. */
      validTo: string;
      expired: boolean;
    }
  | { ok: false; path: string; problem: CertificateProblem };

/** Everything the card shows besides the kid's own name and password. Plain data (crosses to client components). */
export interface LoginCardFacts {
  hubKind: HubKind;
  /** The first is the one to try first; never loopback unless onlyThisMachine. */
  addresses: CardAddress[];
  /** No address another device could reach: the hub opens on this machine only. */
  onlyThisMachine: boolean;
  /** The hub is served over https (a fingerprint means something). */
  https: boolean;
  certificate: CertificateFacts;
}

/** Most addresses a card lists (it must fit on one printed page). */
export const MAX_CARD_ADDRESSES = 6;
/** A certificate file larger than this is not read (a hub account could plant a huge file). */
export const MAX_CERT_BYTES = 256 * 1024;

// Bridges of containers and virtual machines on this host: their addresses are
// not reachable from a kid's tablet on the home network.
const VIRTUAL_INTERFACE_RE = /^(docker\d*|br-[0-9a-f]+|virbr\d+|veth[0-9a-f]*|lxcbr\d+|lxdbr\d+|incusbr\d+|podman\d+|cni\d+|flannel\.\d+|vnet\d+)$/;

/** IPv6 link-local (fe80::/10): only valid with a zone, useless to type in a browser. */
function isLinkLocalV6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^127\./.test(address) || /^::ffff:127\./i.test(address);
}

/**
 * The machine's LAN addresses from an os.networkInterfaces() list: non-internal
 * IPv4, and IPv6 that is neither link-local nor loopback; container and VM
 * bridges left out; each address once. IPv4 first (shorter to type), then
 * unique-local IPv6 (stable at home), then global IPv6. Pure.
 */
export function lanAddresses(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): Array<{ host: string; kind: 'ipv4' | 'ipv6' }> {
  const v4: string[] = [];
  const ula: string[] = [];
  const global6: string[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    if (VIRTUAL_INTERFACE_RE.test(name)) continue;
    for (const info of infos ?? []) {
      if (info.internal || isLoopbackAddress(info.address)) continue;
      // Node 18.0-18.3 reported family as a number.
      const family = String(info.family) === '4' ? 'IPv4' : String(info.family) === '6' ? 'IPv6' : info.family;
      if (family === 'IPv4' && net.isIPv4(info.address)) {
        if (!v4.includes(info.address)) v4.push(info.address);
      } else if (family === 'IPv6' && net.isIPv6(info.address) && !isLinkLocalV6(info.address)) {
        const address = info.address.toLowerCase();
        const list = /^f[cd]/.test(address) ? ula : global6;
        if (!ula.includes(address) && !global6.includes(address)) list.push(address);
      }
    }
  }
  return [...v4.map((host) => ({ host, kind: 'ipv4' as const })), ...[...ula, ...global6].map((host) => ({ host, kind: 'ipv6' as const }))];
}

const HOST_LABEL_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A DNS name a browser takes: labels of letters, digits and inner hyphens. */
export function isHostName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => HOST_LABEL_RE.test(label)) && !net.isIP(name);
}

/**
 * The names this machine is known by, real ones only: its host name; its FQDN
 * when it is one (the host name has dots) or /etc/hosts gives one for it (Debian's
 * "127.0.1.1 host.example.org host" line, what `hostname -f` answers); and
 * HOST.local when an mDNS responder (avahi-daemon) announces it. Pure.
 */
export function hostNames(facts: { hostname: string; etcHosts: string; mdns: boolean }): string[] {
  const hostname = facts.hostname.trim().toLowerCase();
  if (!isHostName(hostname) || hostname === 'localhost') return [];
  const short = hostname.split('.')[0]!;
  const out: string[] = [];
  const add = (name: string) => {
    if (isHostName(name) && !out.includes(name)) out.push(name);
  };
  if (hostname.includes('.')) add(hostname);
  for (const raw of facts.etcHosts.split('\n')) {
    const fields = raw
      .replace(/#.*/, '')
      .trim()
      .split(/\s+/)
      .map((f) => f.toLowerCase());
    if (fields.length < 2) continue;
    const names = fields.slice(1);
    if (!names.includes(short) && !names.includes(hostname)) continue;
    for (const name of names) if (name.startsWith(`${short}.`) && !name.endsWith('.localdomain') && !name.endsWith('.local')) add(name);
  }
  add(short);
  if (facts.mdns) add(`${short}.local`);
  return out;
}

function urlHost(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/** https://HOST:PORT/ with the hub's scheme and port (no port when it is the scheme's default). */
export function addressUrl(base: URL, host: string): string {
  return `${base.protocol}//${urlHost(host)}${base.port ? `:${base.port}` : ''}/`;
}

/**
 * The addresses on the card, in the order to try them. Pure.
 * - The hub's scheme and port come from its configured URL; a configured host that
 *   is not loopback (a seed hub set up for the LAN) is an address of its own.
 * - Names first (they survive a new DHCP lease), then IPv4, then IPv6.
 * - When the certificate is known, what it covers comes before what it does not,
 *   and each address says which it is.
 * - Loopback only when nothing else exists: then onlyThisMachine.
 */
export function cardAddresses(input: {
  hubUrl: string;
  names: string[];
  lan: Array<{ host: string; kind: 'ipv4' | 'ipv6' }>;
  /** Does the hub's certificate cover this host? null: certificate unknown. */
  covers: ((host: string, kind: AddressKind) => boolean) | null;
  max?: number;
}): { addresses: CardAddress[]; onlyThisMachine: boolean } {
  const base = new URL(input.hubUrl);
  const configured = base.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const candidates: Array<{ host: string; kind: AddressKind }> = [];
  const push = (host: string, kind: AddressKind) => {
    if (!candidates.some((c) => c.host === host)) candidates.push({ host, kind });
  };
  const configuredKind: AddressKind = net.isIPv4(configured) ? 'ipv4' : net.isIPv6(configured) ? 'ipv6' : 'name';
  const configuredReachable = configured !== '' && configured !== 'localhost' && configured !== '0.0.0.0' && configured !== '::' && !isLoopbackAddress(configured);
  if (configuredReachable) push(configured, configuredKind);
  // Without a LAN address no other device reaches this machine, by name or otherwise.
  if (input.lan.length > 0) {
    for (const name of input.names) push(name, 'name');
    for (const a of input.lan) push(a.host, a.kind);
  }
  const onlyThisMachine = candidates.length === 0;
  if (onlyThisMachine) push('127.0.0.1', 'loopback');
  const rated = candidates.map((c, i) => ({ ...c, i, inCertificate: input.covers ? input.covers(c.host, c.kind) : null }));
  // Stable: covered first, each group in the order above.
  rated.sort((a, b) => Number(b.inCertificate === true) - Number(a.inCertificate === true) || a.i - b.i);
  return {
    addresses: rated.slice(0, input.max ?? MAX_CARD_ADDRESSES).map((c) => ({ url: addressUrl(base, c.host), host: c.host, kind: c.kind, inCertificate: c.inCertificate })),
    onlyThisMachine,
  };
}

/** Does the certificate's subjectAltName list this host? (Browsers ignore the subject's CN.) */
export function certificateCovers(cert: X509Certificate, host: string, kind: AddressKind): boolean {
  try {
    if (kind === 'name') return cert.checkHost(host, { subject: 'never', wildcards: true, partialWildcards: false }) !== undefined;
    return cert.checkIP(host) !== undefined;
  } catch {
    return false;
  }
}

const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The first certificate of a PEM text, or null for anything else. Pure. */
export function parseCertificate(text: string): X509Certificate | null {
  const pem = PEM_RE.exec(text)?.[0];
  if (!pem) return null;
  try {
    return new X509Certificate(pem);
  } catch {
    return null;
  }
}

type ReadResult = { ok: true; text: string } | { ok: false; problem: CertificateProblem };

/**
 * A small file's text. Opened without waiting (a FIFO in the hub account's home
 * must not block the panel), regular files of at most maxBytes only.
 */
export function readSmallText(path: string, maxBytes: number): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable' };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { ok: false, problem: 'not_regular' };
    if (st.size > maxBytes) return { ok: false, problem: 'too_large' };
    return { ok: true, text: fs.readFileSync(fd, 'utf8') };
  } catch {
    return { ok: false, problem: 'unreadable' };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The hub's certificate from the first of `paths` that holds one; otherwise the
 * first path's problem (the one the parent should look at).
 */
export function hubCertificate(paths: readonly string[], now = new Date()): { facts: CertificateFacts; cert: X509Certificate | null } {
  let first: CertificateFacts | null = null;
  for (const path of paths) {
    const read = readSmallText(path, MAX_CERT_BYTES);
    const cert = read.ok ? parseCertificate(read.text) : null;
    if (cert) {
      const validTo = new Date(cert.validTo);
      return { facts: { ok: true, path, fingerprint256: cert.fingerprint256, validTo: validTo.toISOString(), expired: validTo.getTime() < now.getTime() }, cert };
    }
    first ??= { ok: false, path, problem: read.ok ? 'not_certificate' : read.problem };
  }
  return { facts: first ?? { ok: false, path: '', problem: 'missing' }, cert: null };
}

/**
 * Where the hub's certificate is, for the kind of hub this machine has (as the
 * health code reads it): the family hub's own file; for a seed hub the configured
 * file in the hub account's home (often closed to the panel), then the panel's
 * own copy from connect-hub or restart-hub, then one an older root helper left.
 */
export function certificatePaths(kind: HubKind, configuredHubCert: string, panelCertCopy: string): string[] {
  return isFamilyKind(kind) ? [FAMILY_HUB_CERT] : [configuredHubCert, panelCertCopy, PANEL_HUB_CERT_COPY];
}

function readEtcHosts(): string {
  // Blocklist hosts files reach megabytes; past that size the FQDN is simply not looked for.
  const r = readSmallText('/etc/hosts', 1024 * 1024);
  return r.ok ? r.text : '';
}

/** avahi-daemon runs (its pid file exists): HOST.local resolves on the home network. */
function mdnsRunning(): boolean {
  return fs.existsSync('/run/avahi-daemon/pid');
}

/** The card's facts, read from this machine now (addresses change with DHCP; nothing is cached). */
export function loginCardFacts(): LoginCardFacts {
  const cfg = settings();
  const hubKind = detectHubKind();
  const { facts: certificate, cert } = hubCertificate(certificatePaths(hubKind, cfg.hubCert, panelCertCopyPath()));
  const { addresses, onlyThisMachine } = cardAddresses({
    hubUrl: cfg.hubUrl,
    names: hostNames({ hostname: os.hostname(), etcHosts: readEtcHosts(), mdns: mdnsRunning() }),
    lan: lanAddresses(os.networkInterfaces()),
    covers: cert ? (host, kind) => certificateCovers(cert, host, kind) : null,
  });
  return { hubKind, addresses, onlyThisMachine, https: new URL(cfg.hubUrl).protocol === 'https:', certificate };
}
