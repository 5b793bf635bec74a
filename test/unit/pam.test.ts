import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { BoundedLimiter, KeyedSlots, LimiterBusyError } from '../../lib/auth/limiter';
import { authenticate, mapPamCode, PAM, PAM_CONCURRENCY, PAM_PRIORITY, PAM_QUEUE, PamBusyError, parseShadowLine, setPamDependenciesForTests, type PamFunction } from '../../lib/auth/pam';

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

test('at most two PAM calls at once; 64 wait; the rest are refused as busy', async () => {
  let running = 0;
  let peak = 0;
  setPamDependenciesForTests({
    pam: async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return PAM.AUTH_ERR;
    },
    shadowFile: '/nonexistent',
  });
  const results = await Promise.allSettled(Array.from({ length: 80 }, () => authenticate({ username: 'mama', password: 'wrong', remoteHost: '127.0.0.1' })));
  assert.equal(peak, PAM_CONCURRENCY);
  const busy = results.filter((r) => r.status === 'rejected' && r.reason instanceof PamBusyError).length;
  assert.equal(busy, 80 - PAM_CONCURRENCY - PAM_QUEUE);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, PAM_CONCURRENCY + PAM_QUEUE);
});

test('limiter: higher priority first, FIFO within a priority', async () => {
  const limiter = new BoundedLimiter(1, 10, 10_000);
  const order: string[] = [];
  let open!: () => void;
  const first = limiter.run(() => new Promise<void>((r) => (open = r)));
  const queued = [
    ['low1', 0],
    ['high1', 1],
    ['low2', 0],
    ['high2', 1],
  ].map(([name, p]) => limiter.run(async () => void order.push(name as string), p as number));
  await new Promise((r) => setImmediate(r));
  open();
  await Promise.all([first, ...queued]);
  assert.deepEqual(order, ['high1', 'high2', 'low1', 'low2']);
});

test('limiter: a full queue makes room for a higher priority by refusing its newest lower one, never the other way', async () => {
  const limiter = new BoundedLimiter(1, 2, 10_000);
  const settle = <T>(p: Promise<T>) =>
    p.then(
      (v) => ({ ok: v }),
      (e: unknown) => ({ error: e instanceof LimiterBusyError ? e.reason : String(e) }),
    );
  let open!: () => void;
  const first = limiter.run(() => new Promise<void>((r) => (open = r)));
  const lowOld = settle(limiter.run(async () => 'lowOld', PAM_PRIORITY.failing));
  const lowNew = settle(limiter.run(async () => 'lowNew', PAM_PRIORITY.failing));
  const high = settle(limiter.run(async () => 'high', PAM_PRIORITY.normal));
  assert.deepEqual(await lowNew, { error: 'displaced' }, 'the newest low waiter made room');
  const lateLow = settle(limiter.run(async () => 'late low', PAM_PRIORITY.failing));
  assert.deepEqual(await lateLow, { error: 'queue_full' }, 'a low newcomer never pushes anyone out');
  const lateHigh = settle(limiter.run(async () => 'late high', PAM_PRIORITY.normal));
  assert.deepEqual(await lowOld, { error: 'displaced' });
  const lateHigh2 = settle(limiter.run(async () => 'late high 2', PAM_PRIORITY.normal));
  assert.deepEqual(await lateHigh2, { error: 'queue_full' }, 'a queue full of equals refuses the newcomer');
  await new Promise((r) => setImmediate(r));
  open();
  assert.deepEqual(await Promise.all([high, lateHigh]), [{ ok: 'high' }, { ok: 'late high' }]);
  await first;
  assert.equal(limiter.running, 0);
});

test('limiter: a short queue is served oldest first, a long one newest first (a late request does not wait behind a burst)', async () => {
  const run = async (burst: number) => {
    const limiter = new BoundedLimiter(1, 100, 10_000, 4);
    const order: string[] = [];
    let open!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (open = r)));
    const all = Array.from({ length: burst }, (_, i) => limiter.run(async () => void order.push(`b${i}`)));
    all.push(limiter.run(async () => void order.push('late')));
    await new Promise((r) => setImmediate(r));
    open();
    await Promise.all([first, ...all]);
    return order;
  };
  assert.deepEqual(await run(3), ['b0', 'b1', 'b2', 'late'], 'FIFO while no more than 4 wait');
  const long = await run(20);
  assert.equal(long[0], 'late', 'the request after a burst of 20 goes first');
  assert.equal(long.length, 21, 'everyone is served in the end');
  // Priorities still come first in LIFO mode.
  const limiter = new BoundedLimiter(1, 100, 10_000, 0);
  const order: string[] = [];
  let open!: () => void;
  const first = limiter.run(() => new Promise<void>((r) => (open = r)));
  const waiters = [
    limiter.run(async () => void order.push('normal-old'), PAM_PRIORITY.normal),
    limiter.run(async () => void order.push('normal-new'), PAM_PRIORITY.normal),
    limiter.run(async () => void order.push('failing-newest'), PAM_PRIORITY.failing),
  ];
  await new Promise((r) => setImmediate(r));
  open();
  await Promise.all([first, ...waiters]);
  assert.deepEqual(order, ['normal-new', 'normal-old', 'failing-newest']);
});

test('keyed slots: at most n per key, released once, empty keys forgotten', () => {
  const slots = new KeyedSlots(2);
  const a1 = slots.tryAcquire('a');
  const a2 = slots.tryAcquire('a');
  assert.ok(a1 && a2);
  assert.equal(slots.tryAcquire('a'), null);
  assert.ok(slots.tryAcquire('b'), 'another key has its own slots');
  a1();
  a1(); // twice: still one release
  assert.equal(slots.holding('a'), 1);
  assert.ok(slots.tryAcquire('a'));
  assert.equal(slots.tryAcquire('a'), null);
});

test('limiter: a waiter that waits too long is refused, and the slot is not lost', async () => {
  const limiter = new BoundedLimiter(1, 5, 20);
  const slow = limiter.run(() => new Promise((r) => setTimeout(r, 60)));
  await assert.rejects(
    limiter.run(async () => 1),
    (e: unknown) => e instanceof LimiterBusyError && e.reason === 'wait_timeout',
  );
  await slow;
  assert.equal(await limiter.run(async () => 2), 2);
  assert.equal(limiter.running, 0);
  await assert.rejects(
    limiter.run(async () => {
      throw new Error('task failed');
    }),
    /task failed/,
  );
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
    for (const [username, password] of [
      ['locked', 'wrong'],
      ['expired', 'wrong'],
      ['mama', 'right-pass'],
      ['nosuch', 'x'],
    ] as const) {
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
