// The panel reads the family without root (lib/accounts/unix-accounts.ts,
// lib/accounts/account-policy.ts), so its answers must be the helper's answers: the same
// accounts from the same files, the same lock state, the same protection rule
// with the same trust in helper.json. Each test puts one fixture through both
// sides (privileged-helper/root/accounts.ts + policy.ts, and the panel's modules).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { tempPanel } from './support/temp-panel';
import * as helperAccounts from '../../privileged-helper/root/accounts';
import { protectionOf, protectedReasonText } from '../../privileged-helper/root/policy';
import { isLockedHash, parseGroup as sharedParseGroup, parseLoginDefs, parsePasswd as sharedParsePasswd, parseShadow } from '../../lib/shared/account-files';
import { DEFAULT_PROTECTED_GROUPS } from '../../lib/shared/protection';
import { parseGroup, parsePasswd, parseShadowLocks, lockState, setAccountFilesForTests, snapshot } from '../../lib/accounts/unix-accounts';
import { accountFacts, policyView, protectedReasonOf, searchCandidates, setPolicyFilesForTests } from '../../lib/accounts/account-policy';

const tmp = tempPanel();
after(() => {
  setAccountFilesForTests(null);
  setPolicyFilesForTests(null);
  tmp.cleanup();
});

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'toor:x:0:1000::/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'svcacct:x:998:998:Service:/nonexistent:/usr/sbin/nologin',
  'jupyterhub:x:1001:1002:JupyterHub:/home/jupyterhub:/bin/bash',
  'jupyterhub-panel:x:997:997::/var/lib/jupyterhub-panel:/usr/sbin/nologin',
  'mama:x:1000:1000:Maria Mustermann,,,:/home/mama:/bin/bash',
  'anna:x:1004:1004:Anna Mustermann:/home/anna:/bin/bash',
  'juergen:x:1005:1005:Jürgen Müller,,,:/home/juergen:/bin/bash',
  'sudoer:x:1006:1006:Sudo Er:/home/sudoer:/bin/bash',
  'primadm:x:1007:4::/home/primadm:/bin/bash',
  'dockerkid:x:1008:1008:Docker Kid:/home/dockerkid:/bin/bash',
  'big:x:70000:70000::/home/big:/bin/bash',
  'kim:x:1009:1009:Kim Kowalski:/home/kim:/bin/bash',
  'anna:x:2000:2000:Second Anna:/home/anna2:/bin/bash', // a duplicate: the first entry wins
  'eight:x:1010:1010:Eight:Fields:/home/eight:/bin/bash', // 8 fields: not an account
  'badnum:x:1e3:1000::/home/badnum:/bin/bash',
  '+nis::::::',
  'broken',
  '',
].join('\n');

const GROUP = [
  'root:x:0:',
  'adm:x:4:',
  'sudo:x:27:sudoer',
  'shadow:x:42:jupyterhub-panel',
  'docker:x:990:dockerkid',
  'jupyterhub:x:1002:anna,sudoer,juergen,primadm,dockerkid,ghost,,',
  'jupyterhub_adm:x:1003:mama',
  'kids:x:1100:juergen',
  'bad:x:nope:',
  'five:x:1101:a:b',
  '',
].join('\n');

const SHADOW = ['root:*:19000:0:99999:7:::', 'anna:$y$j9T$abc:19000:0:99999:7:::', 'juergen:!$y$j9T$abc:19000:0:99999:7:::', 'kim:!:19000::::::', ''].join('\n');
const LOGIN_DEFS = '# comment\nUID_MIN\t\t 1000\nUID_MAX 60000\n';

function write(name: string, text: string, mode = 0o644): string {
  const file = path.join(tmp.dir, name);
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

const files = {
  passwd: write('passwd', PASSWD),
  group: write('group', GROUP),
  shadow: write('shadow', SHADOW, 0o640),
  loginDefs: write('login.defs', LOGIN_DEFS),
};
const configDir = path.join(tmp.dir, 'conf');
fs.mkdirSync(configDir, { mode: 0o755 });
const helperConfig = path.join(configDir, 'helper.json');
setAccountFilesForTests(files);
setPolicyFilesForTests({ loginDefs: files.loginDefs, helperConfig, helperConfigDir: configDir });

const helperState = new helperAccounts.SystemState(sharedParsePasswd(PASSWD), sharedParseGroup(GROUP), parseLoginDefs(LOGIN_DEFS), parseShadow(SHADOW));

test('the panel parses /etc/passwd and /etc/group exactly as the helper does', () => {
  const panelUsers = parsePasswd(PASSWD);
  assert.deepEqual([...panelUsers.keys()], [...helperState.users.keys()]);
  for (const [name, a] of helperState.users) {
    const p = panelUsers.get(name)!;
    assert.deepEqual([p.uid, p.gid, p.fullName, p.home, p.shell], [a.uid, a.gid, a.gecos.split(',')[0], a.home, a.shell], name);
  }
  assert.equal(panelUsers.get('anna')!.uid, 1004, 'first entry wins');
  const panelGroups = parseGroup(GROUP);
  assert.deepEqual([...panelGroups.keys()], [...helperState.groups.keys()]);
  for (const [name, g] of helperState.groups) assert.deepEqual(panelGroups.get(name)!.members, [...g.members], name);
});

test('protection: the panel gives the helper answer for every account (defaults)', () => {
  const view = policyView();
  assert.deepEqual(view.groups, DEFAULT_PROTECTED_GROUPS);
  for (const [name, account] of helperState.users) {
    const helper = protectionOf(account, helperState, { protectedGroups: DEFAULT_PROTECTED_GROUPS });
    const panel = protectedReasonOf(view.accounts.getAccount(name)!, view);
    assert.equal(panel, helper, name);
    // The helper's sentence is made from the same code.
    assert.equal(protectedReasonText(account, helperState, { protectedGroups: DEFAULT_PROTECTED_GROUPS }) === null, helper === null, name);
  }
  // Spot checks that the table above covers every kind of reason.
  assert.equal(accountFacts('toor').protectedReason, 'uid0');
  assert.equal(accountFacts('svcacct').protectedReason, 'system_account');
  assert.equal(accountFacts('big').protectedReason, 'system_account');
  assert.equal(accountFacts('jupyterhub').protectedReason, 'hub_account');
  assert.equal(accountFacts('jupyterhub-panel').protectedReason, 'panel_account');
  assert.equal(accountFacts('sudoer').protectedReason, 'group:sudo');
  assert.equal(accountFacts('primadm').protectedReason, 'group:adm');
  assert.equal(accountFacts('dockerkid').protectedReason, 'group:docker');
  assert.equal(accountFacts('anna').protectedReason, null);
  const sentence = (name: string) => protectedReasonText(helperState.user(name)!, helperState, { protectedGroups: DEFAULT_PROTECTED_GROUPS });
  assert.equal(sentence('toor'), 'toor has uid 0');
  assert.equal(sentence('big'), 'big is a system account (uid 70000 outside 1000..60000)');
  assert.equal(sentence('dockerkid'), 'dockerkid is a member of the group docker');
});

// It gives its file to root and back (chown): without root (npm run check as a
// contributor) it is skipped; npm test runs as root, where a skip fails the run.
const NOT_ROOT = process.getuid?.() !== 0 && 'it chowns a file to root: run as root (npm test)';

test("helper.json: used like the helper uses it (root's file in root's folder, valid names), else the defaults", { skip: NOT_ROOT }, () => {
  const custom = { protectedGroups: ['kids', 'sudo'] };
  const helperSays = () => protectionOf(helperState.user('juergen')!, helperState, custom);
  try {
    fs.writeFileSync(helperConfig, JSON.stringify({ protectedGroups: ['kids', 'sudo'] }));
    fs.chmodSync(helperConfig, 0o644);
    assert.equal(accountFacts('juergen').protectedReason, helperSays());
    assert.equal(accountFacts('juergen').protectedReason, 'group:kids');
    assert.equal(accountFacts('dockerkid').protectedReason, null, 'the file replaces the default list');

    // Writable by others: the helper ignores it (policy.ts loadConfig), so does the panel.
    fs.chmodSync(helperConfig, 0o666);
    assert.equal(accountFacts('juergen').protectedReason, null);
    assert.equal(accountFacts('dockerkid').protectedReason, 'group:docker');
    fs.chmodSync(helperConfig, 0o644);
    // Not root's: ignored.
    fs.chownSync(helperConfig, 1000, 1000);
    assert.equal(accountFacts('juergen').protectedReason, null);
    fs.chownSync(helperConfig, 0, 0);
    // A folder others can write: ignored.
    fs.chmodSync(configDir, 0o777);
    assert.equal(accountFacts('juergen').protectedReason, null);
    fs.chmodSync(configDir, 0o755);
    // A name that is not a group name: not used (the helper refuses to run with it).
    fs.writeFileSync(helperConfig, JSON.stringify({ protectedGroups: ['kids', 'Bad Name'] }));
    assert.equal(accountFacts('juergen').protectedReason, null);
    assert.equal(accountFacts('dockerkid').protectedReason, 'group:docker');
    // Back to a good file: noticed without a restart.
    fs.writeFileSync(helperConfig, JSON.stringify({ protectedGroups: ['kids'] }));
    assert.equal(accountFacts('juergen').protectedReason, 'group:kids');
  } finally {
    fs.rmSync(helperConfig, { force: true });
    fs.chmodSync(configDir, 0o755);
  }
  assert.equal(accountFacts('juergen').protectedReason, null);
});

test('lock state comes from /etc/shadow as the helper reads it; no shadow line means locked', () => {
  const locked = lockState()!;
  for (const name of ['root', 'anna', 'juergen', 'kim', 'mama']) {
    assert.equal(locked(name), isLockedHash(helperState.shadowHash(name)), name);
  }
  assert.deepEqual(['anna', 'juergen', 'kim', 'mama'].map(locked), [false, true, true, true]);
  assert.equal(parseShadowLocks('a:!:1\na:x:2\n').get('a'), true, 'first entry wins');
});

test('an unreadable /etc/shadow gives "unknown" (null), not an error', () => {
  setAccountFilesForTests({ ...files, shadow: path.join(tmp.dir, 'no-such-shadow') });
  try {
    assert.equal(lockState(), null);
  } finally {
    setAccountFilesForTests(files);
  }
});

test('candidates: searched on the server by username or full name, accents and case ignored, bounded', () => {
  const all = searchCandidates('', 100);
  // Human, unprotected, not members: mama (a parent, but not protected) and kim.
  assert.deepEqual(
    all.candidates.map((c) => c.username),
    ['kim', 'mama'],
  );
  assert.equal(all.total, 2);
  assert.deepEqual(searchCandidates('KOWAL', 10).candidates, [{ username: 'kim', fullName: 'Kim Kowalski' }]);
  assert.deepEqual(
    searchCandidates('maria muster', 10).candidates.map((c) => c.username),
    ['mama'],
  );
  assert.deepEqual(searchCandidates('', 1), { candidates: [{ username: 'kim', fullName: 'Kim Kowalski' }], total: 2 });
  assert.equal(searchCandidates('nobody-like-this', 10).total, 0);
});

test('one snapshot per change of the files: a request reuses it', () => {
  const a = snapshot();
  assert.equal(snapshot(), a);
  const t = new Date(Date.now() + 5000);
  fs.writeFileSync(files.group, GROUP.replace('kids:x:1100:juergen', 'kids:x:1100:'));
  fs.utimesSync(files.group, t, t);
  const b = snapshot();
  assert.notEqual(b, a);
  assert.equal(b.isGroupMember('juergen', 'kids'), false);
  fs.writeFileSync(files.group, GROUP);
  fs.utimesSync(files.group, new Date(t.getTime() + 1000), new Date(t.getTime() + 1000));
  assert.equal(snapshot().isGroupMember('juergen', 'kids'), true);
});
