// install-packages, the pure parts: the agent's (privileged-helper/agent/packages.ts:
// the root-owned configuration, pip's command line), the root part's command line
// for the agent (run.ts agentCommand), pip's output turned into progress events
// in the panel (lib/jobs/pip-output.ts), and the progress summary of lib/jobs/job-progress.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alreadySatisfied, cleanLine, packagesConfigFromJson, parseHubVersionFile, parsePipList, pipIndexArgs, REQUIREMENT_RE } from '../../privileged-helper/agent/packages';
import { progressFromPipLine } from '../../lib/jobs/pip-output';
import { userEnvironment } from '../../privileged-helper/root/commands/install-packages';
import { AGENT_PATH, agentCommand } from '../../privileged-helper/root/run';
import { fdTarget, jobMembers, parseStat, realUid, type ProcFacts } from '../../privileged-helper/agent/run-as-account';
import { summarize, toInstallEvent } from '../../lib/jobs/job-progress';

const defaults = ['jupyterhub==3.0.0', 'jupyterlab', 'notebook'];

test('packages.json: defaults when no packages are given; index options pass through', () => {
  const c = packagesConfigFromJson({ noIndex: true, findLinks: ['/srv/wheels', 'https://mirror.example/wheels/'] }, defaults);
  assert.deepEqual(c.packages, defaults);
  assert.deepEqual(pipIndexArgs(c), ['--no-index', '--find-links', '/srv/wheels', '--find-links', 'https://mirror.example/wheels/']);
  const d = packagesConfigFromJson({ packages: ['jupyterlab>=4,<5', 'notebook[dev]==7.0.1'], indexUrl: 'https://pypi.example/simple', pipRetries: 0 }, defaults);
  assert.deepEqual(pipIndexArgs(d), ['--index-url', 'https://pypi.example/simple', '--retries', '0']);
});

test('packages.json: anything that could become a pip option, a URL requirement or a shell word is refused', () => {
  for (const bad of ['-r/etc/shadow', '--index-url=http://x', 'foo @ https://x/y.whl', 'foo; python_version<"3"', 'a b', '', 'foo==1.0;rm', '../x']) {
    assert.ok(!REQUIREMENT_RE.test(bad), bad);
    assert.throws(() => packagesConfigFromJson({ packages: [bad] }, defaults), /packages is malformed/);
  }
  assert.throws(() => packagesConfigFromJson({ indexUrl: 'http://user:secret@mirror/simple' }, defaults), /indexUrl/);
  assert.throws(() => packagesConfigFromJson({ indexUrl: 'file:///etc' }, defaults), /indexUrl/);
  assert.throws(() => packagesConfigFromJson({ findLinks: ['relative/dir'] }, defaults), /findLinks/);
  assert.throws(() => packagesConfigFromJson({ findLinks: ['/srv/../etc'] }, defaults), /findLinks/);
  assert.throws(() => packagesConfigFromJson({ noIndex: 'yes' }, defaults), /noIndex/);
  assert.throws(() => packagesConfigFromJson({ extra: 1 }, defaults), /unknown key/);
  assert.throws(() => packagesConfigFromJson([], defaults), /JSON object/);
  assert.throws(() => packagesConfigFromJson({ packages: [] }, defaults), /empty/);
});

test("the hub's version comes from Debian's _version.py", () => {
  assert.equal(parseHubVersionFile('version_info = (3, 0, 0, "", "")\n'), '3.0.0');
  assert.equal(parseHubVersionFile('version_info = (4, 1, 0, "b1", "")\n'), '4.1.0b1');
  assert.equal(parseHubVersionFile('nothing here'), null);
});

test('the agent runs as the user through runuser with a clean environment, never a shell', () => {
  const anna = { name: 'anna', uid: 1002, gid: 1002, gecos: '', home: '/home/anna', shell: '/bin/bash' };
  const argv = agentCommand(['install-packages'], anna, userEnvironment(anna), true, '/usr/bin/node');
  assert.deepEqual(argv.slice(0, 6), ['/usr/sbin/runuser', '-u', 'anna', '--', '/usr/bin/env', '-i']);
  assert.ok(argv.includes('HOME=/home/anna') && argv.includes('PIP_BREAK_SYSTEM_PACKAGES=1') && argv.includes('PATH=/usr/local/bin:/usr/bin:/bin'));
  assert.deepEqual(argv.slice(-3), ['/usr/bin/node', AGENT_PATH, 'install-packages']);
  // Without runuser (the hub account's reads): only the agent, started with the account's ids.
  assert.deepEqual(agentCommand(['hub-status'], anna, {}, false, '/usr/bin/node'), ['/usr/bin/node', AGENT_PATH, 'hub-status']);
});

test("pip's output becomes progress events", () => {
  assert.deepEqual(progressFromPipLine('Collecting jupyterlab>=4'), [{ phase: 'collecting', package: 'jupyterlab' }]);
  assert.deepEqual(progressFromPipLine('  Downloading http://127.0.0.1:4/jh4f_demo_core-1.0-py3-none-any.whl (3.0 MB)'), [
    { phase: 'downloading', package: 'jh4f-demo-core', bytes: 3_000_000 },
  ]);
  assert.deepEqual(progressFromPipLine('Processing ./wh/jh4f_demo_lab-2.1-py3-none-any.whl'), [{ phase: 'collecting', package: 'jh4f-demo-lab' }]);
  assert.deepEqual(progressFromPipLine('Requirement already satisfied: tornado>=6.1 in /home/a/.local/lib'), [{ phase: 'done', package: 'tornado', alreadyInstalled: true }]);
  assert.deepEqual(progressFromPipLine('Installing collected packages: jh4f-demo-core, jh4f-demo-lab'), [
    { phase: 'installing', package: 'jh4f-demo-core' },
    { phase: 'installing', package: 'jh4f-demo-lab' },
  ]);
  assert.deepEqual(progressFromPipLine('Successfully installed jh4f-demo-core-1.0 jh4f-demo-lab-2.1'), [
    { phase: 'done', package: 'jh4f-demo-core', version: '1.0' },
    { phase: 'done', package: 'jh4f-demo-lab', version: '2.1' },
  ]);
  assert.deepEqual(progressFromPipLine('ERROR: No matching distribution found for nothing'), []);
  assert.equal(cleanLine('\x1b[31mERROR\x1b[0m: x\x07'), 'ERROR: x');
});

test('pip list and "already installed" checks', () => {
  const have = parsePipList('[{"name": "JupyterLab", "version": "4.0.1"}, {"name": "jupyterhub", "version": "3.0.0"}]');
  assert.deepEqual(have, { jupyterlab: '4.0.1', jupyterhub: '3.0.0' });
  assert.ok(alreadySatisfied('jupyterlab', have));
  assert.ok(alreadySatisfied('jupyterhub==3.0.0', have));
  assert.ok(!alreadySatisfied('jupyterhub==4.0.0', have));
  assert.ok(!alreadySatisfied('jupyterlab>=5', have)); // left to pip
  assert.ok(!alreadySatisfied('notebook', have));
  assert.deepEqual(parsePipList('garbage'), {});
});

test('the progress summary only moves forward and reaches 100 at the end', () => {
  const raw = [
    { phase: 'collecting', package: 'a' },
    { phase: 'downloading', package: 'a', bytes: 10 },
    { phase: 'collecting', package: 'b' },
    { phase: 'installing', package: 'a' },
    { phase: 'collecting', package: 'a' },
    { nonsense: true },
  ];
  const events = raw.map((r, i) => toInstallEvent(r, i + 1)).filter((e) => e !== null);
  assert.equal(events.length, 5);
  const s = summarize(events);
  assert.equal(s.packages.a, 'installing');
  assert.equal(s.bytes, 10);
  assert.ok(s.percent > 0 && s.percent < 100);
  const end = summarize([{ seq: 6, phase: 'done', package: null }], s);
  assert.equal(end.percent, 100);
  assert.equal(summarize(events, end).lastSeq, 6, 'old events do not move it back');
});

// ---- the job of one pip run (privileged-helper/run-as-account.ts), SECURITY-CASES 34 ---

test('/proc/PID/stat: state, process group and session, even when the command name has spaces and parentheses', () => {
  assert.deepEqual(parseStat('4242 (python3) S 4241 4200 4200 0 -1 4194560 1 0 0 0'), { state: 'S', pgrp: 4200, session: 4200 });
  // The kid names their process; the name ends at the LAST ")".
  assert.deepEqual(parseStat('77 (a) Z 1 2 3) x (y) R 1 555 666 0 -1'), { state: 'R', pgrp: 555, session: 666 });
  assert.equal(parseStat('garbage'), null);
  assert.equal(realUid('Name:\tsleep\nUid:\t1002\t0\t0\t0\nGid:\t1002\n'), 1002, 'the real uid (first field), not the effective one');
  assert.equal(realUid('Name:\tx\n'), null);
  assert.equal(fdTarget('socket:[242679]'), 'socket:242679');
  assert.equal(fdTarget('pipe:[5]'), 'pipe:5');
  assert.equal(fdTarget('/home/ben/socket:[242679]'), null, 'a file named like a pipe is not one');
  assert.equal(fdTarget('anon_inode:[eventfd]'), null);
});

test("a job's processes: its group, its session and whoever holds its pipes -- only the kid's, never zombies or the helper", () => {
  const job = { uid: 1002, pgid: 500, sid: 500, pipes: new Set(['socket:91', 'socket:93']) };
  const p = (pid: number, over: Partial<ProcFacts> = {}): ProcFacts => ({ pid, ruid: 1002, pgrp: 900, session: 900, state: 'S', fds: [], ...over });
  const procs: ProcFacts[] = [
    p(501, { pgrp: 500, session: 500 }), // pip itself
    p(502, { pgrp: 502, session: 500 }), // its own group, same session
    p(503, { fds: ['socket:93'] }), // setsid daemon holding stderr
    p(504, { fds: ['pipe:93', 'socket:12'] }), // other pipes, other session: the kid's notebook server
    p(505, { pgrp: 500, session: 500, state: 'Z' }), // already dead
    p(506, { ruid: 1003, fds: ['socket:91'] }), // another account holding the pipe (passed over a socket)
    p(507, { ruid: 0, pgrp: 500, session: 500 }), // a root process in the group (runuser: signalled with the group, not one by one)
    p(4242, { pgrp: 500, session: 500 }), // the helper itself, were it ever in the list
  ];
  assert.deepEqual(jobMembers(procs, job, 4242), [501, 502, 503]);
});
