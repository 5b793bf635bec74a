// Automatic updates: the family setting against the real parts. A parent changes
// the mode through the panel's HTTP API; the real root helper writes our apt
// drop-in; the real apt (apt-config dump) and Debian's real unattended-upgrades
// (its dry run) say what the mode means. Bad modes, from the panel, straight to
// the helper's socket and through pkexec, change nothing. The set-up command run
// again keeps the parent's choice.
//
// Run: sudo bash test/sandbox/run.sh node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 test/integration/updates-setting.test.ts
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { auditRows } from '../sandbox/audit-rows';
import { parents, requireSandboxHub } from '../sandbox/fixtures';
import { helperAs } from '../sandbox/helper-call';
import { PanelClient } from '../sandbox/http';

const env = requireSandboxHub('family');
const { lastAuditId, auditSince } = auditRows(env.db);
const REPO = path.resolve(import.meta.dirname, '..', '..');
const FILE = '/etc/apt/apt.conf.d/52jupyterhub4family-updates';
const HELPER = '/usr/libexec/jupyterhub-panel/helper';
const SECURITY = ['origin=Debian,codename=${distro_codename},label=Debian-Security', 'origin=Debian,codename=${distro_codename}-security,label=Debian-Security'];
const STABLE = ['origin=Debian,codename=${distro_codename}-updates,label=Debian', 'origin=Debian,codename=${distro_codename},label=Debian'];
const mama = new PanelClient();

function fileText(): string | null {
  try {
    return fs.readFileSync(FILE, 'utf8');
  } catch {
    return null;
  }
}

/** What apt itself makes of all its configuration files, ours among them. */
function aptConfig(): { periodic: Record<string, string>; origins: string[] } {
  const dump = execFileSync('/usr/bin/apt-config', ['dump'], { encoding: 'utf8' });
  const periodic: Record<string, string> = {};
  const origins: string[] = [];
  for (const line of dump.split('\n')) {
    const p = /^APT::Periodic::(Update-Package-Lists|Unattended-Upgrade) "(.*)";$/.exec(line);
    if (p) periodic[p[1]!] = p[2]!;
    const o = /^Unattended-Upgrade::Origins-Pattern:: "(.*)";$/.exec(line);
    if (o) origins.push(o[1]!);
  }
  return { periodic, origins };
}

/**
 * Debian's unattended-upgrade, asked which origins it allows: a dry run prints them
 * first, then checks every installed package (minutes on a loaded machine), so it
 * is stopped once the line is there. The sandbox has no network; nothing is installed.
 */
function allowedOrigins(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/unattended-upgrade', ['--dry-run', '--debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let found: string | null = null;
    const look = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('Allowed origins are:'));
      if (line && found === null) {
        found = line;
        // SIGKILL: it handles SIGTERM by finishing its run first; a dry run holds only its flock, which dies with it.
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.on('error', reject);
    child.on('close', (code) => (found !== null ? resolve(found) : reject(new Error(`unattended-upgrade named no origins (exit ${code}): ${out.slice(-500)}`))));
  });
}

const setMode = (mode: unknown) => mama.call('PUT', '/api/updates/mode', { mode });

before(async () => {
  assert.equal((await mama.login('mama', parents.mama)).status, 200);
});

after(async () => {
  await setMode('security').catch(() => undefined);
});

describe('automatic updates: the family setting', () => {
  test('the set-up made security updates only the default: root owns the file, apt runs it daily, the security archive only', () => {
    const st = fs.lstatSync(FILE);
    assert.ok(st.isFile());
    assert.equal(st.uid, 0);
    assert.equal(st.gid, 0);
    assert.equal(st.mode & 0o777, 0o644);
    assert.match(fileText()!, /^\/\/ jupyterhub4family: mode=security\n/);
    const apt = aptConfig();
    assert.deepEqual(apt.periodic, { 'Update-Package-Lists': '1', 'Unattended-Upgrade': '1' });
    assert.deepEqual(apt.origins, SECURITY);
    // Debian's own files are still there and unchanged in name: we only added ours.
    assert.ok(fs.existsSync('/etc/apt/apt.conf.d/50unattended-upgrades'));
  });

  test('a parent chooses "all updates", then "off", then "security only": apt and unattended-upgrades follow; each change is audited', async () => {
    const mark = lastAuditId();
    const all = await setMode('all');
    assert.equal(all.status, 200, all.body);
    assert.deepEqual(all.json, { changed: true, mode: 'all' });
    let apt = aptConfig();
    assert.equal(apt.periodic['Unattended-Upgrade'], '1');
    assert.deepEqual(apt.origins, [...SECURITY, ...STABLE]);
    const allowed = await allowedOrigins();
    assert.match(allowed, /label=Debian-Security/);
    assert.match(allowed, /codename=[a-z]+-updates,label=Debian\b/);

    const off = await setMode('off');
    assert.equal(off.status, 200, off.body);
    apt = aptConfig();
    assert.deepEqual(apt.periodic, { 'Update-Package-Lists': '0', 'Unattended-Upgrade': '0' });

    const security = await setMode('security');
    assert.equal(security.status, 200, security.body);
    apt = aptConfig();
    assert.deepEqual(apt.periodic, { 'Update-Package-Lists': '1', 'Unattended-Upgrade': '1' });
    assert.deepEqual(apt.origins, SECURITY);
    const onlySecurity = await allowedOrigins();
    assert.match(onlySecurity, /label=Debian-Security/);
    assert.doesNotMatch(onlySecurity, /label=Debian(,|$)/, 'security only allows no other Debian suite');

    const again = await setMode('security');
    assert.deepEqual(again.json, { changed: false, mode: 'security' });

    const done = auditSince(mark).filter((r) => r.action === 'setting_change' && r.d.phase === 'done');
    assert.deepEqual(
      done.map((r) => [r.actor, r.target, r.outcome, r.d.from, r.d.to, r.d.changed]),
      [
        ['mama', 'automatic_updates', 'ok', 'security', 'all', true],
        ['mama', 'automatic_updates', 'ok', 'all', 'off', true],
        ['mama', 'automatic_updates', 'ok', 'off', 'security', true],
        ['mama', 'automatic_updates', 'ok', 'security', 'security', false],
      ],
    );
  });

  test('the family page shows the mode, says that without systemd nothing runs it at night, in German too', async () => {
    assert.equal((await setMode('all')).status, 200);
    const page = await mama.call('GET', '/family', undefined, { 'accept-language': 'de' });
    assert.equal(page.status, 200);
    assert.match(page.body, /Automatische Updates/);
    // React writes checked before value: read each radio's own tag.
    const radios = [...page.body.matchAll(/<input[^>]*type="radio"[^>]*>/g)].map((m) => m[0]);
    assert.equal(radios.length, 3);
    assert.deepEqual(
      radios.filter((r) => r.includes('checked=""')).map((r) => /value="([a-z]+)"/.exec(r)?.[1]),
      ['all'],
    );
    // The sandbox, like a container, has no systemd: the page says so.
    assert.match(page.body, /data-testid="updates-no-systemd"/);
    assert.match(page.body, /läuft kein systemd/);
    assert.equal((await setMode('security')).status, 200);
  });

  test('a bad mode is refused with nothing changed and audited: from the panel, straight to the socket, through pkexec', async () => {
    assert.equal((await setMode('security')).status, 200);
    const before = fileText();
    const mark = lastAuditId();
    for (const bad of ['weekly', '', 'security; rm -rf /', 7, null, ['all']]) {
      const r = await setMode(bad);
      assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.status} ${r.body}`);
      assert.equal(r.json.error, 'invalid_input');
    }
    assert.equal((await mama.call('PUT', '/api/updates/mode', { mode: 'all', extra: 1 })).status, 400, 'an extra field');
    assert.equal(fileText(), before, 'the panel changed the file');
    const refusals = auditSince(mark).filter((r) => r.action === 'setting_change' && r.outcome === 'refused');
    assert.equal(refusals.length, 6, JSON.stringify(auditSince(mark)));
    assert.ok(refusals.every((r) => r.actor === 'mama' && r.target === 'automatic_updates' && r.d.from === 'security'));
    assert.match(refusals[0]!.error ?? '', /unknown update mode "weekly"/);

    // The helper itself, as the panel account over its socket: the same three words only.
    for (const argv of [
      ['set-updates', '--mode', 'weekly', '--actor', 'mama'],
      ['set-updates', '--mode', 'all', '--actor', 'mama', '--origins', 'evil'],
      ['set-updates', '--mode', 'all', '--actor', 'mama', 'extra'],
      ['set-updates', '--actor', 'mama'],
      ['set-updates', '--mode', 'all'],
    ]) {
      const r = helperAs('jupyterhub-panel', argv);
      assert.equal(r.status, 2, `${argv.join(' ')}: ${r.stdout}`);
      assert.match(r.stdout, /"error":"usage"/);
    }
    // A kid names a parent: refused (a real parent is still needed), nothing changed.
    const asKid = helperAs('jupyterhub-panel', ['set-updates', '--mode', 'off', '--actor', 'anna']);
    assert.equal(asKid.status, 5, asKid.stdout);
    assert.match(asKid.stdout, /actor_not_admin/);
    // Nobody but the panel reaches the socket.
    assert.notEqual(helperAs('anna', ['set-updates', '--mode', 'off', '--actor', 'mama']).status, 0);
    // A person at a terminal, through pkexec (root here, which polkit lets in): extra arguments are refused.
    const viaPkexec = spawnSync('/usr/bin/pkexec', ['--disable-internal-agent', HELPER, 'set-updates', '--mode', 'all', 'now'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(viaPkexec.status, 2, viaPkexec.stdout + viaPkexec.stderr);
    assert.match(JSON.parse(viaPkexec.stdout.trim().split('\n').pop()!).message, /^extra argument "now" for set-updates/);
    // A kid through pkexec gets no further than polkit.
    const kidPkexec = spawnSync('/usr/sbin/runuser', ['-u', 'anna', '--', '/usr/bin/pkexec', '--disable-internal-agent', HELPER, 'set-updates', '--mode', 'off'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.ok(kidPkexec.status === 126 || kidPkexec.status === 127, `a kid through pkexec: ${kidPkexec.status} ${kidPkexec.stdout}`);
    assert.equal(fileText(), before, 'the helper changed the file');
  });

  test("running the set-up command again keeps the parent's choice", async () => {
    assert.equal((await setMode('all')).status, 200);
    const chosen = fileText();
    const out = execFileSync(path.join(REPO, 'system', 'install.sh'), { encoding: 'utf8', timeout: 5 * 60_000 });
    assert.match(out, /automatic updates: .*52jupyterhub4family-updates is there \(all\): kept/);
    assert.match(out, /automatic updates: no systemd here/);
    assert.equal(fileText(), chosen);
    assert.deepEqual(aptConfig().origins, [...SECURITY, ...STABLE]);
    assert.equal((await mama.login('mama', parents.mama)).status, 200, 'the panel is back after the set-up');
    assert.equal((await setMode('security')).status, 200);
  });
});
