// lib/family/members.ts listFamily: the family read without root and without the helper
// (account files, the helper's protection rule as the panel mirrors it, the lock
// state from the shadow file, packages from the panel's own job records),
// searched and paged on the server. No polkitd runs for unit tests, so a call to
// the helper through pkexec would fail them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { tempPanel } from './support/temp-panel';
import { setAccountFilesForTests } from '../../lib/accounts/unix-accounts';
import { setPolicyFilesForTests } from '../../lib/accounts/account-policy';

const tmp = tempPanel();
const KIDS = 45;

const passwd = ['root:x:0:0:root:/root:/bin/bash', 'mama:x:1000:1000:Maria Mustermann,,,:/home/mama:/bin/bash', 'sudoer:x:1001:1001:Sudo Er:/home/sudoer:/bin/bash'];
const shadow = ['root:*:1::::::', 'mama:$y$x:1::::::', 'sudoer:$y$x:1::::::'];
const kids: string[] = [];
for (let i = 1; i <= KIDS; i++) {
  const name = `kid${String(i).padStart(2, '0')}`;
  kids.push(name);
  passwd.push(`${name}:x:${1100 + i}:100:${i === 7 ? 'Jürgen Müller' : `Kid Number ${i}`}:/home/${name}:/bin/bash`);
  if (i !== 3) shadow.push(`${name}:${i % 2 ? '!' : ''}$y$x:1::::::`);
}
function file(name: string, lines: string[]): string {
  const f = path.join(tmp.dir, name);
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}
const files = {
  passwd: file('passwd', passwd),
  group: file('group', ['root:x:0:', 'sudo:x:27:sudoer', 'users:x:100:', `jupyterhub:x:1002:${[...kids].reverse().join(',')},sudoer,mama,ghost`, 'jupyterhub_adm:x:1003:mama']),
  shadow: file('shadow', shadow),
};
setAccountFilesForTests(files);
setPolicyFilesForTests({ loginDefs: path.join(tmp.dir, 'no-login.defs'), helperConfig: path.join(tmp.dir, 'none.json'), helperConfigDir: tmp.dir });

import { setInstallRunnerForTests, startInstall, subscribe, getJob } from '../../lib/jobs';
import { listFamily, memberFacts, setHubPort } from '../../lib/family/members';
import { setDatabaseForTests } from '../../lib/store/db';

// A machine without a hub: the unit tests never reach the hub of the machine they run
// on (after the set-up, as in the README's order "system/install.sh, then npm test",
// root can read the panel's hub token and the family hub answers on 8000).
const NO_HUB = { connected: () => false, usersWithServers: async () => null, stopServer: async () => false };
setHubPort(NO_HUB);

after(() => {
  setHubPort(null);
  setInstallRunnerForTests(null);
  setDatabaseForTests(null);
  setAccountFilesForTests(null);
  setPolicyFilesForTests(null);
  tmp.cleanup();
});

function installed(user: string, packages: Record<string, string>): Promise<void> {
  setInstallRunnerForTests(async () => ({ ok: true, changed: true, installed: packages, skipped: [] }));
  const { job } = startInstall({ username: 'mama', clientAddress: null }, user);
  return new Promise((resolve) => {
    const off = subscribe(job.id, (m) => {
      if (m.type === 'end') {
        off();
        resolve();
      }
    });
    if (getJob(job.id)?.state === 'succeeded') resolve();
  });
}

test('the whole list (no query), as the old call answered it: every member, sorted, dangling names left out', async () => {
  const family = await listFamily();
  assert.deepEqual(
    family.members.map((m) => m.user),
    [...kids, 'mama', 'sudoer'].sort(),
  );
  assert.equal(family.total, KIDS + 2);
  assert.deepEqual([family.page, family.pages], [1, 1]);
  assert.deepEqual(family.hub, { connected: false, error: null });
});

test('member facts: lock state, protection, parent, no root needed', async () => {
  const byName = new Map((await listFamily()).members.map((m) => [m.user, m]));
  assert.equal(byName.get('kid01')!.locked, true);
  assert.equal(byName.get('kid02')!.locked, false);
  assert.equal(byName.get('kid03')!.locked, true, 'no shadow line: locked, as the helper says');
  assert.deepEqual([byName.get('sudoer')!.protected, byName.get('sudoer')!.protectedReason], [true, 'group:sudo']);
  assert.deepEqual([byName.get('kid02')!.protected, byName.get('kid02')!.protectedReason], [false, null]);
  assert.equal(byName.get('mama')!.familyAdmin, true);
  assert.equal(byName.get('kid07')!.fullName, 'Jürgen Müller');
});

test('packages installed: from the newest succeeded install job, not from the home directory', async () => {
  assert.equal(memberFacts('kid02')!.packagesInstalled, false);
  await installed('kid02', { jupyterlab: '4.0.0' });
  const kid = memberFacts('kid02')!;
  assert.equal(kid.packagesInstalled, true);
  assert.deepEqual(kid.packages, { jupyterlab: '4.0.0' });
  await installed('kid02', { jupyterlab: '4.0.1', numpy: '1.26.4' });
  assert.deepEqual(memberFacts('kid02')!.packages, { jupyterlab: '4.0.1', numpy: '1.26.4' });
  const page = await listFamily({ q: 'kid02' });
  assert.deepEqual(
    page.members.map((m) => [m.user, m.packagesInstalled]),
    [['kid02', true]],
  );
  assert.equal(memberFacts('kim'), null);
  assert.equal(memberFacts('root'), null, 'not a member');
});

test('paging: fixed pages over the sorted list, total and pages, out-of-range pages clamped', async () => {
  const first = await listFamily({ page: 1, pageSize: 20 });
  assert.deepEqual([first.total, first.pages, first.page, first.members.length], [KIDS + 2, 3, 1, 20]);
  assert.equal(first.members[0]!.user, 'kid01');
  const last = await listFamily({ page: 3, pageSize: 20 });
  assert.deepEqual(
    last.members.map((m) => m.user),
    ['kid41', 'kid42', 'kid43', 'kid44', 'kid45', 'mama', 'sudoer'],
  );
  const beyond = await listFamily({ page: 99, pageSize: 20 });
  assert.equal(beyond.page, 3);
  assert.deepEqual(beyond.members, last.members);
});

test('search: every word must occur in the username or full name; case and accents do not matter', async () => {
  assert.deepEqual(
    (await listFamily({ q: 'jurgen' })).members.map((m) => m.user),
    ['kid07'],
  );
  assert.deepEqual(
    (await listFamily({ q: 'MÜLLER jür' })).members.map((m) => m.user),
    ['kid07'],
  );
  assert.deepEqual(
    (await listFamily({ q: 'maria' })).members.map((m) => m.user),
    ['mama'],
  );
  const fours = await listFamily({ q: 'number 4', page: 1, pageSize: 3 });
  // Words match on their own: "4" is in kid14's name too.
  assert.deepEqual([fours.total, fours.pages, fours.members.map((m) => m.user)], [10, 4, ['kid04', 'kid14', 'kid24']]);
  assert.equal(fours.query, 'number 4');
  const none = await listFamily({ q: 'nobody', page: 1, pageSize: 20 });
  assert.deepEqual([none.total, none.pages, none.page, none.members], [0, 1, 1, []]);
});

test('a change to /etc/group shows at the next read', async () => {
  const text = fs.readFileSync(files.group, 'utf8');
  fs.writeFileSync(files.group, text.replace(',sudoer,mama', ',mama'));
  const t = new Date(Date.now() + 10_000);
  fs.utimesSync(files.group, t, t);
  assert.ok(!(await listFamily()).members.some((m) => m.user === 'sudoer'));
  fs.writeFileSync(files.group, text);
  fs.utimesSync(files.group, new Date(t.getTime() + 1000), new Date(t.getTime() + 1000));
  assert.ok((await listFamily()).members.some((m) => m.user === 'sudoer'));
});

test('the hub state is merged per member when the hub is connected', async () => {
  setHubPort({
    connected: () => true,
    usersWithServers: async () => new Map([['kid02', { running: true, lastActivity: '2026-01-01T00:00:00Z' }]]),
    stopServer: async () => false,
  });
  const page = await listFamily({ q: 'kid0', page: 1, pageSize: 3 });
  assert.deepEqual(
    page.members.map((m) => [m.user, m.hub]),
    [
      ['kid01', { running: false, lastActivity: null }],
      ['kid02', { running: true, lastActivity: '2026-01-01T00:00:00Z' }],
      ['kid03', { running: false, lastActivity: null }],
    ],
  );
  setHubPort({
    connected: () => true,
    usersWithServers: async () => {
      throw new Error('hub down');
    },
    stopServer: async () => false,
  });
  const down = await listFamily({ page: 1, pageSize: 1 });
  assert.deepEqual([down.members[0]!.hub, down.hub], [null, { connected: true, error: 'hub down' }]);
  setHubPort(NO_HUB);
});
