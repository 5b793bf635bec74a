// Setup: the sandbox ran the set-up command (system/install.sh) once at start.
// This test runs it a second time, as a parent would after an update, and checks the
// result the way a parent's browser sees it: HTTPS verified with the certificate the
// set-up made, for the address 127.0.0.1 (in the certificate's subjectAltNames).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sandboxEnv } from '../sandbox/fixtures';
import { request } from '../sandbox/http';
import { panelPid } from '../sandbox/panel-control';

const env = sandboxEnv();
const REPO = path.resolve(__dirname, '..', '..');

function panelProcesses(): number[] {
  const mine = fs.readlinkSync('/proc/self/ns/mnt');
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readlinkSync(`/proc/${p}/ns/mnt`) === mine && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('/usr/lib/jupyterhub-panel/dist/server/server.js');
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('the set-up command made a healthy panel reachable over HTTPS with its own certificate', async () => {
  const res = await request(`${env.panelUrl}/api/health`, { ca: '/etc/jupyterhub-panel/tls/cert.pem' });
  assert.equal(res.status, 200);
  assert.equal(res.json.ok, true);
  assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
});

test('the certificate has subjectAltNames for localhost and the loopback addresses, and the key is private', () => {
  const text = execFileSync('openssl', ['x509', '-in', '/etc/jupyterhub-panel/tls/cert.pem', '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
  assert.match(text, /DNS:localhost/);
  assert.match(text, /IP Address:127\.0\.0\.1/);
  const key = fs.statSync('/etc/jupyterhub-panel/tls/key.pem');
  assert.equal(key.mode & 0o077 & ~0o040, 0, 'key readable by owner and the panel group only');
});

test('accounts, files and permissions are as ARCHITECTURE.md says', () => {
  const groups = execFileSync('id', ['-nG', 'jupyterhub-panel'], { encoding: 'utf8' }).trim().split(/\s+/);
  assert.ok(groups.includes('shadow'), 'jupyterhub-panel is in shadow (PAM)');
  const passwd = execFileSync('getent', ['passwd', 'jupyterhub-panel'], { encoding: 'utf8' });
  assert.match(passwd, /:\/usr\/sbin\/nologin\n?$/);
  for (const group of ['jupyterhub', 'jupyterhub_adm']) execFileSync('getent', ['group', group]);

  const helper = fs.statSync('/usr/libexec/jupyterhub-panel/helper');
  assert.equal(helper.uid, 0);
  assert.equal(helper.mode & 0o7777, 0o755, 'helper 0755, not setuid');
  const helperDir = fs.statSync('/usr/libexec/jupyterhub-panel');
  assert.equal(helperDir.uid, 0);
  assert.equal(helperDir.mode & 0o022, 0);
  assert.match(fs.readFileSync('/usr/libexec/jupyterhub-panel/helper', 'utf8').split('\n')[0] ?? '', /^#!\/\S*node$/);

  assert.match(fs.readFileSync('/etc/pam.d/jupyterhub-panel', 'utf8'), /pam_succeed_if\.so.*ingroup jupyterhub_adm/);
  assert.ok(fs.existsSync('/usr/share/polkit-1/actions/org.jupyterhub4family.panel.policy'));
  assert.ok(fs.existsSync('/etc/polkit-1/rules.d/50-jupyterhub-panel.rules'));
  const data = fs.statSync('/var/lib/jupyterhub-panel');
  assert.equal(data.uid, Number(execFileSync('id', ['-u', 'jupyterhub-panel'], { encoding: 'utf8' })));
  assert.equal(data.mode & 0o007, 0, 'data directory closed to others');
  assert.equal(fs.statSync('/usr/lib/jupyterhub-panel').uid, 0, 'the installed app is root-owned (the panel cannot rewrite itself)');
});

test('the panel runs as jupyterhub-panel, not root, with NoNewPrivileges; the helper is a root service behind a socket only the panel may use', () => {
  const pid = panelPid();
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(execFileSync('id', ['-u', 'jupyterhub-panel'], { encoding: 'utf8' }));
  assert.match(status, new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
  assert.match(status, /^NoNewPrivs:\s+1$/m, 'the panel cannot gain privileges (it runs nothing setuid)');
  const helperPid = Number(fs.readFileSync('/run/jupyterhub4family/helper.pid', 'utf8').trim());
  assert.match(fs.readFileSync(`/proc/${helperPid}/cmdline`, 'utf8'), /\/usr\/libexec\/jupyterhub-panel\/helper\0--serve/);
  assert.match(fs.readFileSync(`/proc/${helperPid}/status`, 'utf8'), /^Uid:\s+0\s+0\s+0\s+0$/m);
  const socket = fs.statSync('/run/jupyterhub4family/helper.sock');
  const panelGid = Number(execFileSync('id', ['-g', 'jupyterhub-panel'], { encoding: 'utf8' }));
  assert.ok(socket.isSocket());
  assert.deepEqual([socket.uid, socket.gid, socket.mode & 0o777], [0, panelGid, 0o660]);
});

test('running the set-up command a second time keeps one healthy panel, certificate and data', async () => {
  const certBefore = fs.readFileSync('/etc/jupyterhub-panel/tls/cert.pem', 'utf8');
  fs.appendFileSync('/etc/jupyterhub-panel/panel.env', '# a parent edited this\n');
  const output = execFileSync(path.join(REPO, 'system', 'install.sh'), { encoding: 'utf8' });
  assert.match(output, /TLS certificate: keeping/);
  assert.match(output, /adduser NAME jupyterhub_adm/);
  assert.doesNotMatch(output, /creating \(system account/, 'the account is not made twice');

  assert.equal(fs.readFileSync('/etc/jupyterhub-panel/tls/cert.pem', 'utf8'), certBefore);
  assert.match(fs.readFileSync('/etc/jupyterhub-panel/panel.env', 'utf8'), /# a parent edited this/);
  assert.deepEqual(panelProcesses(), [panelPid()], 'exactly one panel process, the one in the pid file');
  const res = await request(`${env.panelUrl}/api/health`, { ca: '/etc/jupyterhub-panel/tls/cert.pem' });
  assert.equal(res.json.ok, true);
  const passwdLines = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('jupyterhub-panel:'));
  assert.equal(passwdLines.length, 1);
});

test('plain HTTP on the panel port is redirected to HTTPS, never served', async () => {
  const http = await import('node:http');
  const res = await new Promise<{ status: number; location?: string; body: string }>((resolve, reject) => {
    http
      .get('http://127.0.0.1:8010/panel/api/health', (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, location: r.headers.location, body }));
      })
      .on('error', reject);
  });
  assert.equal(res.status, 301);
  assert.match(res.location ?? '', /^https:\/\/127\.0\.0\.1:8010\/panel/);
  assert.doesNotMatch(res.body, /"ok":true/);
});
