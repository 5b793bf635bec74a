// lib/family/login-card.ts: the addresses on a kid's login card (fake interface lists),
// and the hub certificate's fingerprint (real certificates made with openssl here).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type os from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { addressUrl, cardAddresses, certificateCovers, certificatePaths, hostNames, hubCertificate, lanAddresses, MAX_CERT_BYTES, parseCertificate } from '../../lib/family/login-card';
import { FAMILY_HUB_CERT } from '../../lib/shared/hub-kind';
import { PANEL_HUB_CERT_COPY } from '../../lib/shared/hub-facts';

const dir = fs.mkdtempSync(path.join(tmpdir(), 'jh4f-card-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A real self-signed certificate like the set-up's (EC for speed), with these subjectAltNames. */
function makeCertificate(name: string, san: string): string {
  const file = path.join(dir, `${name}.pem`);
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '30',
      '-subj',
      '/CN=kitchen',
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      path.join(dir, `${name}.key`),
      '-out',
      file,
    ],
    { stdio: 'pipe' },
  );
  return file;
}

/** What `openssl x509 -fingerprint -sha256` prints, the browsers' form. */
function opensslFingerprint(file: string): string {
  const out = execFileSync('/usr/bin/openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  return out.trim().replace(/^sha256 Fingerprint=/i, '');
}

type Iface = os.NetworkInterfaceInfo;
const v4 = (address: string, internal = false): Iface => ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal, cidr: `${address}/24` });
const v6 = (address: string, internal = false): Iface => ({
  address,
  netmask: 'ffff:ffff:ffff:ffff::',
  family: 'IPv6',
  mac: '02:00:00:00:00:01',
  internal,
  cidr: `${address}/64`,
  scopeid: 0,
});
const LOOPBACK_ONLY = { lo: [v4('127.0.0.1', true), v6('::1', true)] };
const HOME_LAN = {
  lo: [v4('127.0.0.1', true), v6('::1', true)],
  enp3s0: [v4('192.168.1.20'), v6('2001:db8:1:2::20'), v6('fe80::1c2:3ff:fe04:506'), v6('FD00:1::20')],
  wlp2s0: [v4('192.168.1.20'), v4('10.0.0.7')],
  docker0: [v4('172.17.0.1'), v6('fe80::42:acff:fe11:1')],
  virbr0: [v4('192.168.122.1')],
};

test('LAN addresses: non-internal IPv4, IPv6 that is not link-local; no loopback, no container bridges, each once', () => {
  assert.deepEqual(lanAddresses(HOME_LAN), [
    { host: '192.168.1.20', kind: 'ipv4' },
    { host: '10.0.0.7', kind: 'ipv4' },
    { host: 'fd00:1::20', kind: 'ipv6' },
    { host: '2001:db8:1:2::20', kind: 'ipv6' },
  ]);
  assert.deepEqual(lanAddresses(LOOPBACK_ONLY), []);
  // A loopback address on a non-loopback interface is still loopback.
  assert.deepEqual(lanAddresses({ eth0: [v4('127.0.1.1'), v6('fe80::1')] }), []);
});

test('host names: the host name, a real FQDN from /etc/hosts or the name itself, HOST.local only with avahi', () => {
  const debianHosts = '127.0.0.1\tlocalhost\n127.0.1.1\tkitchen.home.example kitchen\n\n# The following lines are desirable for IPv6\n::1 localhost ip6-localhost\n';
  assert.deepEqual(hostNames({ hostname: 'kitchen', etcHosts: debianHosts, mdns: false }), ['kitchen.home.example', 'kitchen']);
  assert.deepEqual(hostNames({ hostname: 'kitchen', etcHosts: debianHosts, mdns: true }), ['kitchen.home.example', 'kitchen', 'kitchen.local']);
  // No FQDN anywhere: none is made up (no kitchen.localdomain, no kitchen.local without mDNS).
  assert.deepEqual(hostNames({ hostname: 'Kitchen', etcHosts: '127.0.0.1 localhost\n127.0.1.1 kitchen.localdomain kitchen\n', mdns: false }), ['kitchen']);
  assert.deepEqual(hostNames({ hostname: 'pc.example.org', etcHosts: '', mdns: false }), ['pc.example.org', 'pc']);
  // Names a browser cannot take, and localhost, are not names for another device.
  assert.deepEqual(hostNames({ hostname: 'localhost', etcHosts: '', mdns: true }), []);
  assert.deepEqual(hostNames({ hostname: 'bad_name', etcHosts: '', mdns: false }), []);
  assert.deepEqual(hostNames({ hostname: 'kitchen', etcHosts: '# 10.0.0.1 kitchen.evil.example kitchen\n', mdns: false }), ['kitchen']);
});

test('only loopback: the card says "this machine only" and shows 127.0.0.1, never the host name', () => {
  const r = cardAddresses({ hubUrl: 'https://127.0.0.1:8000', names: ['kitchen'], lan: lanAddresses(LOOPBACK_ONLY), covers: null });
  assert.equal(r.onlyThisMachine, true);
  assert.deepEqual(r.addresses, [{ url: 'https://127.0.0.1:8000/', host: '127.0.0.1', kind: 'loopback', inCertificate: null }]);
});

test('on a LAN: names first, then IPv4, then IPv6 in brackets, with the hub port; never 127.0.0.1 or ::1', () => {
  const r = cardAddresses({ hubUrl: 'https://127.0.0.1:8000', names: ['kitchen.home.example', 'kitchen'], lan: lanAddresses(HOME_LAN), covers: null });
  assert.equal(r.onlyThisMachine, false);
  assert.deepEqual(
    r.addresses.map((a) => a.url),
    ['https://kitchen.home.example:8000/', 'https://kitchen:8000/', 'https://192.168.1.20:8000/', 'https://10.0.0.7:8000/', 'https://[fd00:1::20]:8000/', 'https://[2001:db8:1:2::20]:8000/'],
  );
  assert.ok(r.addresses.every((a) => a.inCertificate === null && !/127\.0\.0\.1|\[::1\]/.test(a.url)));
  // At most six: the card fits one page.
  const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`eth${i}`, [v4(`192.168.${i}.2`)]]));
  assert.equal(cardAddresses({ hubUrl: 'https://127.0.0.1:8000', names: ['kitchen'], lan: lanAddresses(many), covers: null }).addresses.length, 6);
});

test("a seed hub's configured URL: its scheme, port and (when it is not loopback) its host come first", () => {
  const lan = lanAddresses(HOME_LAN);
  const seed = cardAddresses({ hubUrl: 'https://hub.home.example:8443', names: ['kitchen'], lan, covers: null });
  assert.equal(seed.addresses[0]!.url, 'https://hub.home.example:8443/');
  assert.ok(seed.addresses.every((a) => a.url.endsWith(':8443/')));
  const standard = cardAddresses({ hubUrl: 'https://127.0.0.1', names: ['kitchen'], lan, covers: null });
  assert.equal(standard.addresses[0]!.url, 'https://kitchen/', 'the default port is not written');
  assert.equal(addressUrl(new URL('https://127.0.0.1:8000'), 'fd00::1'), 'https://[fd00::1]:8000/');
});

test("the certificate's subjectAltNames: covered addresses first, the others marked", () => {
  // Made when the machine had 192.168.1.20; since then it also got 10.0.0.7.
  const cert = parseCertificate(fs.readFileSync(makeCertificate('lan', 'DNS:localhost,DNS:kitchen,IP:127.0.0.1,IP:::1,IP:192.168.1.20,IP:2001:db8:1:2:0:0:0:20'), 'utf8'))!;
  const r = cardAddresses({
    hubUrl: 'https://127.0.0.1:8000',
    names: ['kitchen.home.example', 'kitchen'],
    lan: lanAddresses(HOME_LAN),
    covers: (host, kind) => certificateCovers(cert, host, kind),
  });
  assert.deepEqual(
    r.addresses.map((a) => [a.host, a.inCertificate]),
    [
      ['kitchen', true],
      ['192.168.1.20', true],
      ['2001:db8:1:2::20', true],
      ['kitchen.home.example', false],
      ['10.0.0.7', false],
      ['fd00:1::20', false],
    ],
  );
  // The subject's CN is not a subjectAltName (browsers ignore it); wildcards cover one label.
  const wild = parseCertificate(fs.readFileSync(makeCertificate('wild', 'DNS:*.home.example'), 'utf8'))!;
  assert.equal(certificateCovers(wild, 'kitchen', 'name'), false);
  assert.equal(certificateCovers(wild, 'kitchen.home.example', 'name'), true);
  assert.equal(certificateCovers(wild, 'a.kitchen.home.example', 'name'), false);
  assert.equal(certificateCovers(wild, '192.168.1.20', 'ipv4'), false);
});

test('the fingerprint is the one openssl (and the browser) shows, from the first certificate in the file', () => {
  const file = makeCertificate('hub', 'DNS:kitchen,IP:127.0.0.1');
  const expected = opensslFingerprint(file);
  assert.match(expected, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const { facts, cert } = hubCertificate([file]);
  assert.ok(cert);
  assert.deepEqual(facts, { ok: true, path: file, fingerprint256: expected, validTo: facts.ok ? facts.validTo : '', expired: false });
  assert.ok(facts.ok && Math.abs(Date.parse(facts.validTo) - Date.now() - 30 * 86400_000) < 86400_000);
  // A chain file: the server's certificate comes first.
  const other = makeCertificate('other', 'DNS:other');
  const chain = path.join(dir, 'chain.pem');
  fs.writeFileSync(chain, `${fs.readFileSync(file, 'utf8')}${fs.readFileSync(other, 'utf8')}`);
  const r = hubCertificate([chain]).facts;
  assert.ok(r.ok && r.fingerprint256 === expected);
  // Expired: by the clock it is read with.
  const later = hubCertificate([file], new Date(Date.now() + 31 * 86400_000)).facts;
  assert.ok(later.ok && later.expired);
});

test('a missing, garbage, FIFO, directory or huge certificate gives its problem (no crash, no hang); the next path is tried', () => {
  const missing = path.join(dir, 'nope', 'cert.pem');
  assert.deepEqual(hubCertificate([missing]).facts, { ok: false, path: missing, problem: 'missing' });
  const garbage = path.join(dir, 'garbage.pem');
  fs.writeFileSync(garbage, 'hello\n-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n');
  assert.deepEqual(hubCertificate([garbage]).facts, { ok: false, path: garbage, problem: 'not_certificate' });
  const key = path.join(dir, 'hub.key');
  makeCertificate('hub2', 'DNS:x');
  assert.deepEqual(hubCertificate([key]).facts, { ok: false, path: key, problem: 'not_certificate' }, 'a private key is not a certificate');
  const fifo = path.join(dir, 'fifo.pem');
  execFileSync('/usr/bin/mkfifo', [fifo]);
  assert.deepEqual(hubCertificate([fifo]).facts, { ok: false, path: fifo, problem: 'not_regular' });
  assert.deepEqual(hubCertificate([dir]).facts, { ok: false, path: dir, problem: 'not_regular' });
  const huge = path.join(dir, 'huge.pem');
  fs.writeFileSync(huge, Buffer.alloc(MAX_CERT_BYTES + 1, 'A'));
  assert.deepEqual(hubCertificate([huge]).facts, { ok: false, path: huge, problem: 'too_large' });
  // The first problem is the one reported; a later good file wins.
  assert.deepEqual(hubCertificate([missing, garbage]).facts, { ok: false, path: missing, problem: 'missing' });
  const good = makeCertificate('good', 'DNS:kitchen');
  const r = hubCertificate([missing, good]).facts;
  assert.ok(r.ok && r.path === good && r.fingerprint256 === opensslFingerprint(good));
});

test("the certificate's path follows the hub kind: the family hub's file, or the seed's file then connect-hub's copy", () => {
  const copy = '/var/lib/jupyterhub-panel/hub-cert.pem';
  assert.deepEqual(certificatePaths('family-systemd', '/home/jupyterhub/etc/cert.crt', copy), [FAMILY_HUB_CERT]);
  assert.deepEqual(certificatePaths('family-background', '/home/jupyterhub/etc/cert.crt', copy), [FAMILY_HUB_CERT]);
  assert.deepEqual(certificatePaths('seed', '/home/jupyterhub/etc/cert.crt', copy), ['/home/jupyterhub/etc/cert.crt', copy, PANEL_HUB_CERT_COPY]);
});
