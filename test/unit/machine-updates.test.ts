// The pure readings behind the overview's Updates card (lib/machine/): apt-get's
// simulated dist-upgrade in Debian 12's and 13's shapes (security told apart by
// label or suite), apt's history (the last finished upgrade, not a failed or a
// cut-off run), dpkg's status (what a service's code comes from), /proc's start
// time, systemd's unit start, and the old-code rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { lastUpgradeIn, upgradedNames } from '../../lib/machine/apt-history';
import { isSecurityRelease, parseSimulatedUpgrade } from '../../lib/shared/apt-simulation';
import { closureOf, parseDpkgStatus } from '../../lib/machine/dpkg-status';
import { changedSince, START_MARGIN_MS } from '../../lib/machine/old-code';
import { startTimeFrom } from '../../lib/machine/process-start';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/apt/${name}`, import.meta.url), 'utf8');
const names = (list: { name: string }[]) => list.map((p) => p.name);

test('Debian 12: security updates by their Debian-Security release, the rest apart; Conf lines ignored', () => {
  const p = parseSimulatedUpgrade(fixture('simulate-debian12.txt'));
  assert.deepEqual(names(p.security), ['postgresql-common', 'libssl3', 'openssl']);
  assert.deepEqual(names(p.other), ['base-files', 'bash']);
  assert.deepEqual(p.security[1], { name: 'libssl3', from: '3.0.19-1~deb12u2', to: '3.0.22-1~deb12u2', releases: ['Debian-Security:12/oldstable-security'], security: true });
});

test('Debian 13: a version in both stable and security is security; a new dependency has no old version; a file repository is "localhost"', () => {
  const p = parseSimulatedUpgrade(fixture('simulate-debian13.txt'));
  assert.deepEqual(names(p.security), ['libc6', 'libc-bin', 'libssl3t64', 'openssl']);
  assert.deepEqual(names(p.other), ['libnode115', 'nodejs', 'jh4f-test-tool']);
  assert.deepEqual(p.security[0]?.releases, ['Debian:13.2/stable', 'Debian-Security:13/stable-security']);
  assert.equal(p.other[0]?.from, null);
  assert.deepEqual(p.other[2]?.releases, ['localhost']);
});

test('nothing to upgrade, or output that is not apt’s, gives no packages', () => {
  assert.deepEqual(parseSimulatedUpgrade('0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n'), { security: [], other: [] });
  assert.deepEqual(parseSimulatedUpgrade('Inst\nInst foo\nInst foo [1] (2)\n'), { security: [], other: [] });
});

test('a security release is told by its label or by a suite ending in -security', () => {
  assert.equal(isSecurityRelease('Debian-Security:12/stable-security'), true);
  assert.equal(isSecurityRelease('Local:1/bookworm-security'), true);
  assert.equal(isSecurityRelease('Debian-Security:13/trixie'), true);
  assert.equal(isSecurityRelease('Debian:12.5/stable'), false);
  assert.equal(isSecurityRelease('Debian:13/trixie-updates'), false);
  assert.equal(isSecurityRelease('localhost'), false);
  assert.equal(isSecurityRelease('security.example'), false);
});

test('the last upgrade is the last finished one: not one that failed, not one cut off', () => {
  const last = lastUpgradeIn(fixture('history.log'));
  assert.deepEqual(last?.packages, ['libssl3', 'openssl']);
  assert.equal(last?.at, new Date(2026, 10, 30, 3, 10, 9).toISOString());
  assert.equal(lastUpgradeIn('Start-Date: 2026-12-01  10:00:00\nInstall: a:amd64 (1)\nEnd-Date: 2026-12-01  10:00:03\n'), null);
  assert.equal(lastUpgradeIn(''), null);
  assert.deepEqual(upgradedNames('a:amd64 (1, 2), b-c:all (1:2.0, 1:2.1), d (3, 4)'), ['a', 'b-c', 'd']);
});

const STATUS = `Package: prog
Status: install ok installed
Architecture: amd64
Version: 1
Depends: libfoo (>= 2), virt | absent, python3:any
Pre-Depends: libc6

Package: libfoo
Status: install ok installed
Architecture: amd64
Depends: libc6,
 libbar

Package: libbar
Status: install ok installed
Architecture: amd64

Package: provider
Status: install ok installed
Architecture: all
Provides: virt (= 1)

Package: python3
Status: install ok installed
Architecture: amd64
Depends: tar

Package: tar
Essential: yes
Status: install ok installed
Architecture: amd64

Package: libc6
Status: install ok installed
Architecture: amd64

Package: removed
Status: deinstall ok config-files
Architecture: amd64
`;

test('a service’s packages: the Depends closure with continuation lines, virtual names, :any; Essential tools and removed packages left out', () => {
  const installed = parseDpkgStatus(STATUS);
  assert.equal(installed.has('removed'), false);
  assert.deepEqual(closureOf(['prog'], installed), ['libbar', 'libc6', 'libfoo', 'prog', 'provider', 'python3']);
  assert.deepEqual(closureOf(['not-installed'], installed), []);
});

test('a process’s start time from /proc: boot time plus start ticks, a command name with spaces and parentheses', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[19] = '12345'; // field 22, starttime
  assert.equal(startTimeFrom('cpu 1 2\nbtime 1700000000\n', `42 (a) (b c) ${fields.join(' ')}`), 1700000000 * 1000 + 123450);
  assert.equal(startTimeFrom('cpu 1\n', `42 (x) ${fields.join(' ')}`), null);
});

test('old code: a package changed after the start (past the clock’s margin) counts, one changed before or within it does not', () => {
  const start = 1_000_000;
  const changed = new Map([
    ['before', start - 5000],
    ['within', start + START_MARGIN_MS],
    ['after-b', start + START_MARGIN_MS + 1],
    ['after-a', start + 60_000],
  ]);
  assert.deepEqual(changedSince(start, changed), ['after-a', 'after-b']);
  assert.deepEqual(changedSince(start + 120_000, changed), []);
});

test('a unit’s start from systemctl show --timestamp=unix; inactive is not running; no answer is unknown', async () => {
  const { unitStartFrom } = await import('../../lib/machine/service-processes');
  assert.deepEqual(unitStartFrom('ActiveState=active\nExecMainStartTimestamp=@1733572800\n'), { running: true, startedAt: 1733572800000 });
  assert.deepEqual(unitStartFrom('ActiveState=inactive\nExecMainStartTimestamp=\n'), { running: false });
  assert.equal(unitStartFrom('ActiveState=active\nExecMainStartTimestamp=Mon 2026-12-07\n'), null);
  assert.equal(unitStartFrom(''), null);
});
