// lib/shared/hub-facts.ts, lib/hub/hub-report.ts and the pure parts of the hub checks and helper commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  classifyCmdline,
  crontabCommandProblem,
  findServiceCrontabLine,
  parseScreenLs,
  renderPanelBlock,
  replacePanelBlock,
  splitCmdline,
  tokenInBlock,
  uidFromPasswd,
  uidFromStatus,
} from '../../lib/shared/hub-facts';
import { adviceFor, checkLabelKey, CHECK_IDS, overallState, type CheckResult } from '../../lib/hub/hub-report';
import { catalogs } from '../../lib/i18n/messages';
import { certStatus, diskStatus } from '../../lib/hub/check-rules';
import { parseArgv } from '../../privileged-helper/root/args';
import { COMMAND_SPECS } from '../../privileged-helper/root/commands/index';
import { parseLogLines } from '../../privileged-helper/agent/hub-status';
import { classifyError } from '../../lib/hub/hub-client';

const TOKEN = 'ab'.repeat(32);

test('the hub and the proxy are told apart from singleuser servers and editors', () => {
  assert.equal(classifyCmdline(['/usr/bin/python3', '/usr/bin/jupyterhub', '-f', 'x.py']), 'hub');
  assert.equal(classifyCmdline(['node', '/usr/bin/configurable-http-proxy', '--ip', '127.0.0.1']), 'proxy');
  assert.equal(classifyCmdline(['/usr/bin/python3', '/usr/bin/jupyterhub-singleuser']), null);
  assert.equal(classifyCmdline(['vim', 'notes', 'jupyterhub']), null);
  assert.deepEqual(splitCmdline('a\0b c\0'), ['a', 'b c']);
  assert.equal(uidFromStatus('Name:\tx\nUid:\t1001\t1001\t1001\t1001\n'), 1001);
  assert.deepEqual(uidFromPasswd('root:x:0:0::/root:/bin/sh\njupyterhub:x:1001:1001:Hub:/home/jupyterhub:/bin/bash\n', 'jupyterhub'), { uid: 1001, home: '/home/jupyterhub' });
});

test('the crontab line marked #jupyterhub-service# is found and split', () => {
  const tab = '# m h dom mon dow command\n#* * * * * /old #jupyterhub-service#\nMAILTO=x\n* * * * * /home/jupyterhub/start-hub.sh #jupyterhub-service#\n';
  const e = findServiceCrontabLine(tab);
  assert.equal(e?.command, '/home/jupyterhub/start-hub.sh');
  assert.equal(e?.schedule, '* * * * *');
  assert.equal(findServiceCrontabLine('@reboot cd /x && ./run.sh #jupyterhub-service#')?.command, 'cd /x && ./run.sh');
  assert.equal(findServiceCrontabLine('* * * * * /other\n'), null);
  assert.equal(crontabCommandProblem('date +%s'), 'the crontab command uses %, which the panel cannot reproduce');
  assert.equal(crontabCommandProblem('date +\\%s'), null);
});

test('screen -ls output is parsed', () => {
  const out = 'There is a screen on:\n\t18526.jupyterhub_serve\t(11/25/26 19:53:26)\t(Detached)\n\t77.other\t(Dead ???)\n2 Sockets in /run/screen/S-jupyterhub.\n';
  assert.deepEqual(parseScreenLs(out), [
    { pid: 18526, name: 'jupyterhub_serve', state: 'Detached' },
    { pid: 77, name: 'other', state: 'Dead ???' },
  ]);
});

test('connect-hub block: appended once, replaced in place, token found, bad token refused', () => {
  const cfg = "c.JupyterHub.bind_url = 'https://127.0.0.1:8000'\n";
  const first = replacePanelBlock(cfg, renderPanelBlock(TOKEN));
  assert.equal(first.replaced, false);
  assert.ok(first.text.startsWith(cfg));
  assert.equal(tokenInBlock(first.text), TOKEN);
  const other = 'cd'.repeat(32);
  const second = replacePanelBlock(first.text + 'c.Spawner.x = 1\n', renderPanelBlock(other));
  assert.equal(second.replaced, true);
  assert.equal(second.text.split(BLOCK_BEGIN).length - 1, 1);
  assert.equal(second.text.split(BLOCK_END).length - 1, 1);
  assert.equal(tokenInBlock(second.text), other);
  assert.ok(second.text.endsWith('c.Spawner.x = 1\n'));
  assert.throws(() => renderPanelBlock("x'; import os #"));
  assert.throws(() => replacePanelBlock(`${BLOCK_BEGIN}\nno end\n`, renderPanelBlock(TOKEN)));
});

test('helper argv: hub-status takes --log-lines 0..200; restart-hub and connect-hub take only --actor', () => {
  assert.equal(parseArgv(['hub-status', '--log-lines', '50'], COMMAND_SPECS).options['--log-lines'], '50');
  assert.equal(parseLogLines('200'), 200);
  assert.throws(() => parseLogLines('201'));
  assert.throws(() => parseLogLines('-1'));
  assert.throws(() => parseArgv(['hub-status', '--actor', 'mama'], COMMAND_SPECS));
  assert.equal(parseArgv(['restart-hub', '--actor', 'mama'], COMMAND_SPECS).options['--actor'], 'mama');
  assert.throws(() => parseArgv(['restart-hub', 'now'], COMMAND_SPECS));
  assert.throws(() => parseArgv(['connect-hub', '--token', 'x'], COMMAND_SPECS));
});

const ok = (id: CheckResult['id'], key = 'x'): CheckResult => ({ id, status: 'ok', detail: { key, values: {} }, ms: 1 });
const fail = (id: CheckResult['id'], key: string, extra: Partial<CheckResult> = {}): CheckResult => ({ id, status: 'fail', detail: { key, values: { port: 8000 } }, ms: 1, ...extra });

test('overall state and advice', () => {
  const all = [ok('hub-process'), ok('proxy-process'), ok('hub-health'), ok('hub-version'), ok('hub-api'), ok('hub-users'), ok('certificate')];
  assert.equal(overallState(all), 'up');
  assert.equal(adviceFor('up', all).key, 'allGood');
  const killed = [fail('hub-process', 'hubNotRunning'), fail('hub-health', 'httpStatus'), ok('proxy-process')];
  assert.equal(overallState(killed), 'down');
  assert.equal(adviceFor('down', killed).key, 'hubNotRunning');
  const foreign = [fail('hub-process', 'hubNotRunning'), fail('hub-health', 'notTls')];
  assert.equal(adviceFor(overallState(foreign), foreign).key, 'foreignOnPort');
  const hanging = [ok('hub-process'), fail('hub-health', 'timedOut', { timedOut: true })];
  assert.equal(overallState(hanging), 'down');
  assert.equal(adviceFor('down', hanging).key, 'hubHanging');
  const notConnected: CheckResult[] = [ok('hub-process'), ok('hub-health'), { id: 'hub-api', status: 'skipped', detail: { key: 'notConnected', values: {} }, ms: 0 }];
  assert.equal(overallState(notConnected), 'up');
  assert.equal(adviceFor('up', notConnected).key, 'connect');
  const rejected = [ok('hub-process'), ok('hub-health'), fail('hub-api', 'tokenRejected')];
  assert.equal(overallState(rejected), 'degraded');
  assert.equal(adviceFor('degraded', rejected).key, 'tokenRejected');
  const none: CheckResult[] = [{ id: 'hub-process', status: 'skipped', detail: { key: 'noHubAccount', values: {} }, ms: 0 }];
  assert.equal(overallState(none), 'not_installed');
});

test('the family hub is never told to press "Connect hub" (it has no such button): run the set-up again', () => {
  const notConnected: CheckResult[] = [ok('hub-process'), ok('hub-health'), { id: 'hub-api', status: 'skipped', detail: { key: 'notConnected', values: {} }, ms: 0 }];
  const rejected = [ok('hub-process'), ok('hub-health'), fail('hub-api', 'tokenRejected')];
  const noCopy = [ok('hub-process'), fail('hub-health', 'noPinnedCert')];
  for (const kind of ['family-systemd', 'family-background'] as const) {
    assert.equal(adviceFor('up', notConnected, kind).key, 'setupAgain', kind);
    assert.equal(adviceFor('degraded', rejected, kind).key, 'setupAgain', kind);
    assert.equal(adviceFor('down', noCopy, kind).key, 'setupAgain', kind);
  }
  assert.equal(adviceFor('up', notConnected, 'seed').key, 'connect');
  assert.equal(adviceFor('degraded', rejected, 'seed').key, 'tokenRejected');
  assert.equal(adviceFor('down', noCopy, 'seed').key, 'connect');
});

test("each check's name fits the kind of hub: crontab and screen only for a seed hub", () => {
  for (const locale of ['en', 'de'] as const) {
    const names = catalogs[locale].hub.check as Record<string, string>;
    for (const kind of ['family-systemd', 'family-background', 'seed'] as const) {
      for (const id of CHECK_IDS) assert.ok(names[checkLabelKey(kind, id)], `${locale} ${kind} ${id} has a name`);
    }
    for (const kind of ['family-systemd', 'family-background'] as const) {
      assert.doesNotMatch(names[checkLabelKey(kind, 'service')]!, /crontab|screen/, `${locale} ${kind}`);
    }
    assert.match(names[checkLabelKey('seed', 'service')]!, /crontab/);
    // Every advice and every state has its lead sentence and text in both languages.
    for (const state of ['up', 'degraded', 'down', 'not_installed'] as const) assert.ok(catalogs[locale].hub.lead[state]);
    assert.ok(catalogs[locale].hub.advice.setupAgain);
  }
});

test('certificate expiry warns within 30 days, fails when expired; low disk warns then fails', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  assert.equal(certStatus(new Date('2026-03-01T00:00:00Z'), now).status, 'ok');
  assert.deepEqual(certStatus(new Date('2026-01-21T00:00:00Z'), now), { status: 'warn', days: 20 });
  assert.equal(certStatus(new Date('2025-12-31T00:00:00Z'), now).status, 'fail');
  const G = 1024 ** 3;
  assert.equal(diskStatus(50 * G, 100 * G), 'ok');
  assert.equal(diskStatus(1 * G, 100 * G), 'warn');
  assert.equal(diskStatus(0.1 * G, 100 * G), 'fail');
});

test('socket and TLS errors become the dashboard kinds', () => {
  const e = (code: string, message = code) => Object.assign(new Error(message), { code });
  assert.equal(classifyError(e('ECONNREFUSED'), '8000').kind, 'refused');
  assert.equal(classifyError(e('EPROTO', 'wrong version number'), '8000').kind, 'not_tls');
  assert.equal(classifyError(e('ERR_SSL_WRONG_VERSION_NUMBER'), '8000').kind, 'not_tls');
  assert.equal(classifyError(e('DEPTH_ZERO_SELF_SIGNED_CERT'), '8000').kind, 'cert_mismatch');
  assert.equal(classifyError(e('CERT_HAS_EXPIRED'), '8000').kind, 'cert_expired');
  assert.equal(classifyError(e('ECONNRESET'), '8000').kind, 'network');
});

test('a stopped hub process is advised as hanging, not as missing', () => {
  const stopped = [fail('hub-process', 'processStopped'), fail('hub-health', 'timedOut', { timedOut: true })];
  assert.equal(adviceFor(overallState(stopped), stopped).key, 'hubHanging');
});
