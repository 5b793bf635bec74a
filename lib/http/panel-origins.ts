import 'server-only';
// The panel's own origins and host names, from its configuration, never from the
// request (SECURITY-CASES.md 33): every DNS name and IP address in the subjectAltNames
// of its TLS certificate (JH4F_TLS_CERT) with its port (JH4F_PORT), plus the origins
// listed in JH4F_PUBLIC_ORIGINS (a name behind a reverse proxy). The certificate
// already lists where browsers may reach the panel without a warning; a name that
// is not in it is not the panel's. Wildcard names are not origins (list the names).
// In plain-HTTP development mode (loopback only) there is no certificate: the
// loopback names are the origins. Read once per process, as the server reads the
// certificate once.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import type { PanelConfig } from '../config';
import { settings } from '../settings';

export interface PanelOrigins {
  /** Serialized origins (`https://localhost:8010`), lower case. */
  origins: ReadonlySet<string>;
  /** `hostname:port` (`localhost:8010`, `[::1]:8010`), the port always written out, lower case. */
  hosts: ReadonlySet<string>;
}

/** The DNS names and IP addresses of a certificate's subjectAltName text (node:crypto's format). Pure. */
export function parseSubjectAltName(text: string | undefined): { dns: string[]; ips: string[] } {
  const dns: string[] = [];
  const ips: string[] = [];
  // "DNS:localhost, IP Address:127.0.0.1, ..."; node quotes (JSON) a value that holds ", ".
  for (const m of (text ?? '').matchAll(/(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    let value = m[2]!;
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    value = value.trim().toLowerCase();
    if (m[1] === 'DNS') {
      if (/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(value)) dns.push(value);
    } else if (net.isIP(value)) {
      ips.push(value);
    }
  }
  return { dns, ips };
}

/** A host name or IP address and a port -> its serialized origin. Pure. */
export function originOf(scheme: 'https' | 'http', host: string, port: number): string {
  const h = net.isIPv6(host) ? `[${host}]` : host;
  return new URL(`${scheme}://${h}:${port}`).origin;
}

/** The panel's origins from its settings and its certificate's text. Pure. */
export function buildPanelOrigins(config: Pick<PanelConfig, 'port' | 'insecureHttp' | 'host' | 'publicOrigins'>, certPem: string | null): PanelOrigins {
  const scheme = config.insecureHttp ? 'http' : 'https';
  let names: string[];
  if (config.insecureHttp) {
    names = ['localhost', '127.0.0.1', '::1', config.host];
  } else if (certPem) {
    const san = parseSubjectAltName(new X509Certificate(certPem).subjectAltName);
    names = [...san.dns, ...san.ips];
  } else {
    names = [];
  }
  const origins = new Set<string>();
  for (const name of names) {
    if (name && !name.startsWith('*')) origins.add(originOf(scheme, name, config.port));
  }
  for (const origin of config.publicOrigins) origins.add(origin.toLowerCase());
  const hosts = new Set(
    [...origins].map((o) => {
      const url = new URL(o);
      return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
    }),
  );
  return { origins, hosts };
}

const KEY = Symbol.for('jh4f.panel-origins');
const holder = globalThis as { [KEY]?: PanelOrigins };

/** The running panel's origins (its certificate is read on first use). */
export function panelOrigins(): PanelOrigins {
  let cached = holder[KEY];
  if (!cached) {
    const config = settings();
    let pem: string | null = null;
    if (!config.insecureHttp) {
      try {
        pem = fs.readFileSync(/*turbopackIgnore: true*/ config.tlsCert, 'utf8');
      } catch (error) {
        // Fail closed: only JH4F_PUBLIC_ORIGINS are the panel's then. The server
        // itself could not have started without the certificate.
        process.stderr.write(`${new Date().toISOString()} panel origins: cannot read ${config.tlsCert}: ${(error as Error).message}\n`);
      }
    }
    cached = buildPanelOrigins(config, pem);
    holder[KEY] = cached;
  }
  return cached;
}

/** Tests: forget the cached origins (after changing settings or the certificate). */
export function resetPanelOriginsForTests(): void {
  delete holder[KEY];
}
