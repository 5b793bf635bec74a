// The root helper's children that run another account's code (the hub account
// through hub.ts run(), a kid's pip) get their own session: no controlling
// terminal. Otherwise, when a person runs the helper at a terminal, such a child
// can open /dev/tty and push keystrokes (TIOCSTI) into that person's shell.
// The check runs a small script under script(1), which gives it a terminal.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { NEW_SESSION } from '../../privileged-helper/root/run';

const SCRIPT = '/usr/bin/script';
const repo = path.resolve(__dirname, '..', '..');

test('NEW_SESSION asks for a new session', () => {
  assert.deepEqual({ ...NEW_SESSION }, { detached: true });
});

test('hub.ts run(): the child has no controlling terminal even when the helper has one', () => {
  // script(1) gives the test a terminal; it is in bsdutils, which every Debian has.
  assert.ok(fs.existsSync(SCRIPT), `${SCRIPT} (bsdutils) is needed to give the helper a terminal`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-tty-'));
  try {
    const probe = path.join(dir, 'probe.ts');
    fs.writeFileSync(
      probe,
      `import { run } from ${JSON.stringify(path.join(repo, 'privileged-helper/agent/hub.ts'))};\n` +
        `const own = run('/bin/sh', ['-c', '(exec 3</dev/tty) 2>/dev/null && echo TTY || echo NOTTY']);\n` +
        // Control: this process itself does have the terminal, else the test proves nothing.
        `const me = require('node:fs').existsSync('/proc/self/fd/0') && require('node:tty').isatty(0);\n` +
        `console.log('child=' + own.stdout.trim() + ' self=' + (me ? 'TTY' : 'NOTTY'));\n`,
    );
    const cmd = `${process.execPath} --import tsx ${probe}`;
    const r = spawnSync(SCRIPT, ['-qec', cmd, '/dev/null'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /self=TTY/, `the probe got no terminal from script(1): ${r.stdout}`);
    assert.match(r.stdout, /child=NOTTY/, r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
