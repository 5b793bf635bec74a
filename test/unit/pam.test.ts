import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { BoundedLimiter, LimiterBusyError } from '../../lib/limiter';
import { authenticate, mapPamCode, PAM, PamBusyError, parseShadowLine, setPamDependenciesForTests, type PamFunction } from '../../lib/pam';

afterEach(() => setPamDependenciesForTests(null));

test('PAM codes map to the panel outcomes', () => {
  assert.equal(mapPamCode(PAM.SUCCESS), 'ok');
  assert.equal(mapPamCode(PAM.AUTH_ERR), 'invalid_credentials');
  assert.equal(mapPamCode(PAM.USER_UNKNOWN), 'invalid_credentials');
  assert.equal(mapPamCode(PAM.MAXTRIES), 'invalid_credentials');
  assert.equal(mapPamCode(PAM.PERM_DENIED), 'not_family_admin');
  assert.equal(mapPamCode(PAM.ACCT_EXPIRED), 'account_unavailable');
  assert.equal(mapPamCode(PAM.NEW_AUTHTOK_REQD), 'account_unavailable');
  assert.equal(mapPamCode(PAM.AUTHTOK_EXPIRED), 'account_unavailable');
  assert.equal(mapPamCode(PAM.AUTHINFO_UNAVAIL), 'error');
  assert.equal(mapPamCode(PAM.SERVICE_ERR), 'error');
  assert.equal(mapPamCode(PAM.CONV_ERR), 'error');
  assert.equal(mapPamCode(999), 'error');
});

test('shadow lines: locked (usermod -L) and expired (chage -E 0)', () => {
  const day = 86_400_000;
  assert.deepEqual(parseShadowLine('locked:!$y$j9T$salt$hash:19000:0:99999:7:::'), { locked: true, expired: false, hash: '$y$j9T$salt$hash' });
  assert.deepEqual(parseShadowLine('expired:$6$s$h:19000:0:99999:7::0:'), { locked: false, expired: true, hash: '$6$s$h' });
  assert.equal(parseShadowLine('x:$6$s$h:19000:0:99999:7::20000:', 19_999 * day).expired, false);
  assert.equal(parseShadowLine('x:$6$s$h:19000:0:99999:7::20000:', 20_000 * day).expired, true);
  assert.equal(parseShadowLine('svc:*:19000:0:99999:7:::').hash, null);
  assert.equal(parseShadowLine('nopw:!:19000:0:99999:7:::').hash, null);
});

function recordingPam(code: number, delayMs = 0): { pam: PamFunction; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pam: async ({ username }) => {
      calls.push(username);
      await new Promise((r) => setTimeout(r, delayMs));
      return code;
    },
  };
}

test('names and passwords that PAM would misread never reach PAM (case 5)', async () => {
  const fake = recordingPam(PAM.SUCCESS);
  setPamDependenciesForTests({ pam: fake.pam });
  for (const username of ['alice\nbob', 'alice\tx', 'alice\u0000x', '-G', '']) {
    assert.equal((await authenticate({ username, password: 'pw', remoteHost: '127.0.0.1' })).outcome, 'invalid_input');
  }
  for (const password of ['secret\u0000anything', '', 'x'.repeat(1025)]) {
    assert.equal((await authenticate({ username: 'mama', password, remoteHost: '127.0.0.1' })).outcome, 'invalid_input');
  }
  assert.deepEqual(fake.calls, []);
});

test('the service name and PAM_RHOST are passed; a strange remote host is dropped', async () => {
  const seen: Parameters<PamFunction>[0][] = [];
  setPamDependenciesForTests({ pam: async (o) => (seen.push(o), PAM.SUCCESS) });
  await authenticate({ username: 'mama', password: 'pw', remoteHost: '192.168.1.20' });
  await authenticate({ username: 'mama', password: 'pw', remoteHost: 'evil\nhost' });
  assert.equal(seen[0]!.serviceName, 'jupyterhub-panel');
  assert.equal(seen[0]!.remoteHost, '192.168.1.20');
  assert.equal(seen[1]!.remoteHost, '');
});

test('at most two PAM calls at once; eight wait; the rest are refused as busy', async () => {
  let running = 0;
  let peak = 0;
  setPamDependenciesForTests({
    pam: async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      return PAM.AUTH_ERR;
    },
    shadowFile: '/nonexistent',
  });
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, () => authenticate({ username: 'mama', password: 'wrong', remoteHost: '127.0.0.1' })),
  );
  assert.equal(peak, 2);
  const busy = results.filter((r) => r.status === 'rejected' && r.reason instanceof PamBusyError).length;
  assert.equal(busy, 10);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 10);
});

test('limiter: a waiter that waits too long is refused, and the slot is not lost', async () => {
  const limiter = new BoundedLimiter(1, 5, 20);
  const slow = limiter.run(() => new Promise((r) => setTimeout(r, 60)));
  await assert.rejects(limiter.run(async () => 1), (e: unknown) => e instanceof LimiterBusyError && e.reason === 'wait_timeout');
  await slow;
  assert.equal(await limiter.run(async () => 2), 2);
  assert.equal(limiter.running, 0);
  await assert.rejects(limiter.run(async () => { throw new Error('task failed'); }), /task failed/);
  assert.equal(limiter.running, 0, 'a failing task releases its slot');
});

// A real crypt(3) hash (sha512) made by the system's perl, as in /etc/shadow.
function shadowFixture(): { file: string; cleanup: () => void } {
  const hash = execFileSync('/usr/bin/perl', ['-e', 'print crypt("right-pass", q($6$saltsalt$))'], { encoding: 'utf8' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-shadow-'));
  const file = path.join(dir, 'shadow');
  fs.writeFileSync(file, [`locked:!${hash}:19000:0:99999:7:::`, `expired:${hash}:19000:0:99999:7::0:`, `mama:${hash}:19000:0:99999:7:::`, ''].join('\n'));
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('locked or expired account with the right password: account_unavailable (case 20)', async () => {
  const shadow = shadowFixture();
  try {
    setPamDependenciesForTests({ pam: async () => PAM.AUTH_ERR, shadowFile: shadow.file });
    assert.deepEqual(await authenticate({ username: 'locked', password: 'right-pass', remoteHost: '' }), {
      outcome: 'account_unavailable',
      pamCode: PAM.AUTH_ERR,
      reason: 'locked',
    });
    assert.equal((await authenticate({ username: 'expired', password: 'right-pass', remoteHost: '' })).reason, 'expired');
  } finally {
    shadow.cleanup();
  }
});

test('locked or expired account with a wrong password, or an ordinary account: invalid_credentials', async () => {
  const shadow = shadowFixture();
  try {
    setPamDependenciesForTests({ pam: async () => PAM.AUTH_ERR, shadowFile: shadow.file });
    for (const [username, password] of [['locked', 'wrong'], ['expired', 'wrong'], ['mama', 'right-pass'], ['nosuch', 'x']] as const) {
      assert.equal((await authenticate({ username, password, remoteHost: '' })).outcome, 'invalid_credentials', username);
    }
  } finally {
    shadow.cleanup();
  }
});

test('PAM answering ACCT_EXPIRED directly is account_unavailable too', async () => {
  setPamDependenciesForTests({ pam: async () => PAM.ACCT_EXPIRED });
  assert.equal((await authenticate({ username: 'expired', password: 'x', remoteHost: '' })).outcome, 'account_unavailable');
});
