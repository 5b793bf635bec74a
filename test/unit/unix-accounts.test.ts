import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { tempPanel, GROUP } from './support/temp-panel';
import { getAccount, groupMembers, isGroupMember, parseGroup, parsePasswd, setAccountFilesForTests } from '../../lib/accounts/unix-accounts';

const tmp = tempPanel();
setAccountFilesForTests({ passwd: tmp.passwd, group: tmp.group });
after(() => {
  setAccountFilesForTests(null);
  tmp.cleanup();
});

test('accounts: uid, gid, full name (first GECOS field), home, shell', () => {
  assert.deepEqual(getAccount('mama'), { username: 'mama', uid: 1000, gid: 1000, fullName: 'Maria Mustermann', home: '/home/mama', shell: '/bin/bash' });
  assert.equal(getAccount('nosuch'), null);
});

test('membership counts supplementary members and the primary group', () => {
  assert.equal(isGroupMember('mama', 'jupyterhub_adm'), true);
  assert.equal(isGroupMember('anna', 'jupyterhub_adm'), false);
  assert.equal(isGroupMember('primary', 'jupyterhub_adm'), true);
  assert.equal(isGroupMember('nosuch', 'jupyterhub_adm'), false);
  assert.equal(isGroupMember('mama', 'nosuchgroup'), false);
  assert.deepEqual(groupMembers('jupyterhub_adm'), ['mama', 'papa', 'primary']);
});

test('a changed /etc/group is noticed at the next call', () => {
  tmp.writeGroup(GROUP.replace('mama,papa', 'papa'));
  assert.equal(isGroupMember('mama', 'jupyterhub_adm'), false);
  tmp.writeGroup(GROUP);
  assert.equal(isGroupMember('mama', 'jupyterhub_adm'), true);
});

test('parsers skip broken lines and NIS markers; first entry wins (as the helper parses them)', () => {
  const p = parsePasswd('a:x:1:1::/h:/s\nbroken\n+nis\na:x:2:2::/h:/s\nb:x:notanumber:1::/h:/s\nc:x:3:3::/h:/s:extra\n');
  assert.deepEqual([...p.keys()], ['a']);
  assert.equal(p.get('a')!.uid, 1);
  const g = parseGroup('g:x:10:a,b,,c\nbad\nh:x:11:a:extra\n');
  assert.deepEqual(g.get('g')!.members, ['a', 'b', 'c']);
  assert.equal(g.get('h'), undefined);
});
