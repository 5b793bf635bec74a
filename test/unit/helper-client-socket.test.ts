// lib/helper/client.ts over a real Unix socket: a stand-in for the helper that
// behaves as privileged-helper/root/serve.ts does (half-open connections allowed; it
// answers with JSON lines, then ends its sending side). The client must take the
// answer and close, not wait for its timeout.
// Run with --conditions=react-server so `import 'server-only'` is a no-op.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-helper-client-'));
const socketPath = path.join(dir, 'helper.sock');
process.env.JH4F_HELPER_SOCKET = socketPath;
const requests: string[] = [];
const server = net.createServer({ allowHalfOpen: true }, (sock) => {
  let buffered = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buffered += chunk;
    if (!buffered.includes('\n')) return;
    requests.push(buffered.trim());
    const [command, user] = JSON.parse(buffered.trim()).argv as string[];
    if (command === 'disk-use') {
      // An answer the agent gave itself, passed on unread by root (a kid's process
      // may write anything): an endless line, then a last line without "exitCode".
      sock.write('x'.repeat(3 * 1024 * 1024));
      sock.write(`\n${JSON.stringify({ ok: false, error: user === 'anna' ? 'protected_account' : 'toString', message: 'from the agent' })}\n`);
      sock.end();
      return;
    }
    sock.write(`${JSON.stringify({ progress: { step: 'add' } })}\n`);
    sock.write(`${JSON.stringify({ ok: true, user: 'kidone', changed: true, exitCode: 0 })}\n`);
    sock.end();
  });
});

before(() => new Promise<void>((resolve) => server.listen(socketPath, resolve)));
after(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the answer arrives when the helper ends its side: no wait for the timeout', async () => {
  const { runHelper } = await import('../../lib/helper/client');
  const { PublicError: HelperError } = await import('../../lib/errors/errors');
  const progress: unknown[] = [];
  // A timeout far above any answer time: reaching it is the failure, not slowness.
  const result = await runHelper('add-member', ['kidone', '--actor', 'mum'], { timeoutMs: 20_000, onProgress: (p) => progress.push(p) }).catch((e: unknown) =>
    e instanceof HelperError ? e : Promise.reject(e),
  );
  assert.ok(!(result instanceof HelperError), `the client failed: ${result instanceof HelperError ? result.message : ''}`);
  assert.equal(result.ok, true);
  assert.equal((result as { user?: string }).user, 'kidone');
  assert.deepEqual(progress, [{ step: 'add' }]);
  assert.deepEqual(JSON.parse(requests[0]!).argv, ['add-member', 'kidone', '--actor', 'mum']);
});

test("an agent's answer without an exit code is named by its error code; an unknown one is system_error; an endless line is dropped", async () => {
  const { runHelper } = await import('../../lib/helper/client');
  const { PublicError } = await import('../../lib/errors/errors');
  for (const [user, code, exitCode] of [
    ['anna', 'protected_account', 5],
    ['ben', 'system_error', 8],
  ] as const) {
    const e = await runHelper('disk-use', [user], { timeoutMs: 20_000 }).then(
      () => assert.fail('the client took a failure for success'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof PublicError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.exitCode, exitCode);
  }
});
