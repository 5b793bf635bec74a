// Server time of the family page's data (GET /api/members: helper list-members
// through pkexec, merged with the hub state) with 20 and with 2,000 members.
// Runs inside the sandbox as root (npm run bench -> test/sandbox/run.sh): it
// makes throwaway fixture accounts by appending to the sandbox's /etc/passwd,
// /etc/shadow and /etc/group (useradd for 2,000 accounts takes minutes and
// measures nothing of ours), sets the member list with one `gpasswd -M`, and
// puts /etc back as it was afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { sandboxEnv } from '../test/sandbox/fixtures';
import { PanelClient, request } from '../test/sandbox/http';
import { median, type Figure } from './lib';

export type BenchResult = Figure;

const FILES = ['/etc/passwd', '/etc/shadow', '/etc/group'] as const;
const PREFIX = 'benchkid';


function currentMembers(): string[] {
  return (execFileSync('getent', ['group', 'jupyterhub'], { encoding: 'utf8' }).trim().split(':')[3] ?? '').split(',').filter(Boolean);
}

/** Appends `count` accounts benchkid0001.. (uid 20001.., group users, locked password, no home). */
function addAccounts(count: number): string[] {
  const names: string[] = [];
  let passwd = '';
  let shadow = '';
  for (let i = 1; i <= count; i++) {
    const name = `${PREFIX}${String(i).padStart(4, '0')}`;
    names.push(name);
    passwd += `${name}:x:${20000 + i}:100:Bench Kid ${i}:/home/${name}:/bin/bash\n`;
    shadow += `${name}:!:19000:0:99999:7:::\n`;
  }
  fs.appendFileSync('/etc/passwd', passwd);
  fs.appendFileSync('/etc/shadow', shadow);
  return names;
}

function setMembers(names: string[]): void {
  execFileSync('/usr/bin/gpasswd', ['-M', names.join(','), 'jupyterhub'], { stdio: 'pipe' });
}


async function timeRequests(fn: () => Promise<number>, runs: number): Promise<number> {
  await fn(); // warm-up (first render, caches)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  return median(times);
}

export async function benchFamilyPage(): Promise<BenchResult[]> {
  const env = sandboxEnv();
  assert.equal(process.getuid?.(), 0, 'the family-page bench makes accounts: run it as root inside the sandbox');
  const saved = FILES.map((f) => [f, fs.readFileSync(f)] as const);
  const original = currentMembers();
  const results: BenchResult[] = [];
  try {
    const client = new PanelClient();
    const login = await client.login('mama', 'mama-pass-1');
    assert.equal(login.status, 200, `login: ${login.body}`);

    const health = await timeRequests(async () => (await request(`${env.panelUrl}/api/health`)).ms, 15);
    const bench = new Set(original);
    const all = addAccounts(2000);
    for (const target of [20, 2000]) {
      const members = [...bench];
      for (const name of all) {
        if (members.length >= target) break;
        members.push(name);
      }
      setMembers(members);
      const runs = target > 100 ? 9 : 15;
      const ms = await timeRequests(async () => {
        const r = await client.call('GET', '/api/members');
        assert.equal(r.status, 200, r.body.slice(0, 300));
        assert.equal((r.json.members as unknown[]).length, members.length);
        return r.ms;
      }, runs);
      results.push({
        name: `family page: GET /api/members with ${target.toLocaleString('en-US')} members`,
        unit: 'ms',
        median: Math.round(ms * 10) / 10,
        runs,
        floor: Math.round(health * 10) / 10,
        floorName: 'GET /api/health',
      });
    }
  } finally {
    for (const [file, content] of saved) fs.writeFileSync(file, content);
  }
  return results;
}

// `node --import tsx bench/family-page.ts` inside the sandbox prints the results.
if (process.argv[1] && /family-page\.ts$/.test(process.argv[1])) {
  benchFamilyPage().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
