// The family page with 20 and with 2,000 members: the server time of its data
// (GET /api/members, the whole list and one searched page) next to GET /api/health,
// and, in Debian's headless Chromium, sign-in -> overview -> family page usable,
// the family page's HTML and the bytes a cold sign-in costs on the wire.
//
// Runs inside the sandbox as root (npm run bench -> test/sandbox/run.sh): it makes
// throwaway fixture accounts by appending to the sandbox's /etc/passwd,
// /etc/shadow and /etc/group (useradd for 4,000 accounts takes minutes and
// measures nothing of ours), sets the member list with one `gpasswd -M`, and puts
// /etc back as it was afterwards. With 2,000 members there are 2,000 more
// accounts that are not members, so the add-member candidates are 2,000 too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { parents, sandboxEnv } from '../test/sandbox/fixtures';
import { hubApi, PanelClient, request } from '../test/sandbox/http';
import { coldNotFoundBytes, coldSignInBytes, familyDocument, launchBrowser, signInToFamily } from './browser-flows';
import { median, type Figure } from './lib';

/** lib/hub/hub-client.ts's SERVER_LIST_MAX_AGE_MS (not imported: that module reads the panel's config). */
const SERVER_LIST_MAX_AGE_MS = 3000;

export type BenchResult = Figure;

const FILES = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow'] as const;
const PREFIX = 'benchkid';
const BROWSER_RUNS = 5;

function currentMembers(): string[] {
  return (execFileSync('getent', ['group', 'jupyterhub'], { encoding: 'utf8' }).trim().split(':')[3] ?? '').split(',').filter(Boolean);
}

/** Appends accounts benchkid<from>..<to> (uid 20000+i, group users, locked password, no home). */
function addAccounts(from: number, to: number): string[] {
  const names: string[] = [];
  let passwd = '';
  let shadow = '';
  for (let i = from; i <= to; i++) {
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

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const kib = (bytes: number) => round(bytes / 1024);

/** POST /api/session alone (PAM and the session row): the floor of every sign-in flow. */
async function loginApiMs(runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = new PanelClient();
    const r = await c.login('mama', parents.mama);
    assert.equal(r.status, 200, r.body);
    times.push(r.ms);
    await c.call('DELETE', '/api/session');
  }
  return median(times);
}

async function browserFigures(browser: Browser, members: number, loginMs: number): Promise<Figure[]> {
  const flows = [];
  const docs = [];
  for (let i = 0; i < BROWSER_RUNS; i++) {
    flows.push(await signInToFamily(browser));
    docs.push(await familyDocument(browser));
  }
  const n = members.toLocaleString('en-US');
  const out: Figure[] = [
    {
      name: `sign-in -> family page usable via the overview, ${n} members`,
      unit: 's',
      median: round(median(flows.map((f) => f.familyMs)) / 1000, 2),
      runs: BROWSER_RUNS,
      floorName: 'login API alone',
      floor: round(loginMs / 1000, 3),
    },
    {
      name: `family page opened directly -> usable, ${n} members`,
      unit: 's',
      median: round(median(docs.map((d) => d.ms)) / 1000, 2),
      runs: BROWSER_RUNS,
      floorName: 'login API alone',
      floor: round(loginMs / 1000, 3),
    },
    {
      name: `family page HTML, decoded, ${n} members`,
      unit: 'KiB',
      median: kib(median(docs.map((d) => d.htmlBytes))),
      runs: BROWSER_RUNS,
    },
    {
      name: `family page opened directly, on the wire, ${n} members`,
      unit: 'KiB',
      median: kib(median(docs.map((d) => d.wireBytes))),
      runs: BROWSER_RUNS,
    },
  ];
  if (members <= 100) {
    out.unshift({
      name: 'sign-in -> overview usable',
      unit: 's',
      median: round(median(flows.map((f) => f.overviewMs)) / 1000, 2),
      runs: BROWSER_RUNS,
      floorName: 'login API alone',
      floor: round(loginMs / 1000, 3),
    });
  }
  return out;
}

export async function benchFamilyPage(): Promise<BenchResult[]> {
  const env = sandboxEnv();
  assert.equal(process.getuid?.(), 0, 'the family-page bench makes accounts: run it as root inside the sandbox');
  const saved = FILES.map((f) => [f, fs.readFileSync(f)] as const);
  const original = currentMembers();
  const results: BenchResult[] = [];
  const browser = await launchBrowser();
  try {
    const client = new PanelClient();
    const login = await client.login('mama', parents.mama);
    assert.equal(login.status, 200, `login: ${login.body}`);

    const health = await timeRequests(async () => (await request(`${env.panelUrl}/api/health`)).ms, 15);
    const loginMs = await loginApiMs(9);
    // Every family read asks the hub which servers run (one GET /hub/api/users, a
    // Python process behind the proxy): the part of GET /api/members that is not the panel's.
    const hubUsers = await timeRequests(async () => {
      const r = await hubApi('GET', '/hub/api/users');
      assert.equal(r.status, 200, r.body.slice(0, 300));
      return r.ms;
    }, 15);
    results.push({ name: "the hub's GET /hub/api/users (inside every GET /api/members)", unit: 'ms', median: round(hubUsers), runs: 15, floorName: 'GET /api/health', floor: round(health) });

    // Cold sign-in bytes (the family's size does not matter for the overview).
    const cold: number[] = [];
    const notFound: number[] = [];
    for (let i = 0; i < BROWSER_RUNS; i++) {
      cold.push(await coldSignInBytes(browser));
      notFound.push(await coldNotFoundBytes(browser));
    }
    results.push({
      name: 'cold: login page + sign-in -> overview, on the wire',
      unit: 'KiB',
      median: kib(median(cold)),
      runs: BROWSER_RUNS,
      floorName: "the panel's 404 page, cold",
      floor: kib(median(notFound)),
    });

    let made = 0;
    const members = [...original];
    const htmlAt: Record<number, number> = {};
    for (const target of [20, 2000]) {
      const need = target - members.length;
      if (need > 0) {
        const names = addAccounts(made + 1, made + need);
        made += need;
        members.push(...names);
      }
      if (target > 100) addAccounts(made + 1, made + target); // as many non-members: the candidates
      setMembers(members);
      const n = target.toLocaleString('en-US');
      const runs = target > 100 ? 9 : 15;
      const whole = await timeRequests(async () => {
        const r = await client.call('GET', '/api/members');
        assert.equal(r.status, 200, r.body.slice(0, 300));
        assert.equal((r.json.members as unknown[]).length, members.length);
        return r.ms;
      }, runs);
      results.push({ name: `GET /api/members, ${n} members (the whole list)`, unit: 'ms', median: round(whole), runs, floorName: 'GET /api/health', floor: round(health) });
      if (target <= 100) {
        // A parent who reloads after a pause: each read 3.5 s after the last, when the
        // hub's server list (kept 3 s) would have to be asked for again; kept warm by
        // the panel for a minute after a read (lib/hub/hub-client.ts), it is not.
        const paused = await timeRequests(async () => {
          await new Promise((r) => setTimeout(r, SERVER_LIST_MAX_AGE_MS + 500));
          const r = await client.call('GET', '/api/members');
          assert.equal(r.status, 200, r.body.slice(0, 300));
          return r.ms;
        }, runs);
        results.push({ name: `GET /api/members, ${n} members, each read 3.5 s after the last`, unit: 'ms', median: round(paused), runs, floorName: 'GET /api/health', floor: round(health) });
      }
      const searched = await timeRequests(async () => {
        const r = await client.call('GET', '/api/members?q=kid%201&page=1');
        assert.equal(r.status, 200, r.body.slice(0, 300));
        return r.ms;
      }, runs);
      results.push({ name: `GET /api/members?q=kid 1&page=1, ${n} members`, unit: 'ms', median: round(searched), runs, floorName: 'GET /api/health', floor: round(health) });
      const candidates = await timeRequests(async () => {
        const r = await client.call('GET', '/api/accounts/candidates?q=kid');
        assert.equal(r.status, 200, r.body.slice(0, 300));
        return r.ms;
      }, runs);
      results.push({ name: `GET /api/accounts/candidates?q=kid, ${n} members`, unit: 'ms', median: round(candidates), runs, floorName: 'GET /api/health', floor: round(health) });

      const figures = await browserFigures(browser, target, loginMs);
      const html = figures.find((f) => f.name.startsWith('family page HTML'))!;
      htmlAt[target] = html.median;
      if (target > 100) Object.assign(html, { floorName: 'the same page with 20 members', floor: htmlAt[20] });
      results.push(...figures);
    }
  } finally {
    await browser.close();
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
