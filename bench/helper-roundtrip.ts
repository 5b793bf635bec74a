// Adding and removing a member (kim), three ways, interleaved run by run:
// - end to end, as a parent's browser does it: POST /api/members and
//   DELETE /api/members/kim on the running panel (guard, session, the helper over
//   its socket, the audit rows, asking the hub to stop kim's servers);
// - over the helper's socket alone, from a client process of the panel account that
//   stays up between requests (as the panel does: no process start per change), so
//   the figure is the helper's own cost (its checks, its lock, gpasswd, syslog);
// - the floor: gpasswd -a and gpasswd -d run directly as root.
// The old figure started a Node client per request (runuser + Node start-up), which
// measured Node's start-up, not the helper.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import assert from 'node:assert/strict';
import { parents } from '../test/sandbox/fixtures';
import { PanelClient } from '../test/sandbox/http';
import { HELPER_SOCKET } from '../test/sandbox/helper-call';
import { median, type Figure } from './lib';

const RUNS = 30;
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } as unknown as NodeJS.ProcessEnv;

function run(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: ENV });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
}

// A client of the panel account that stays up: each line on stdin makes one
// add-member + remove-member pair over the socket (one connection per request, as
// lib/helper/client.ts) and prints the pair's milliseconds, or an error line.
const SOCKET_CLIENT = `
const net = require('net');
const socketPath = process.argv[1];
function one(argv) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: socketPath, allowHalfOpen: true });
    let out = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify({ argv }) + '\\n'));
    sock.on('data', (d) => (out += d));
    sock.on('end', () => sock.end());
    sock.on('error', reject);
    sock.on('close', () => {
      const last = JSON.parse(out.trim().split('\\n').pop());
      last.ok ? resolve() : reject(new Error(out));
    });
  });
}
require('readline').createInterface({ input: process.stdin }).on('line', async () => {
  try {
    const start = performance.now();
    await one(['add-member', 'kim', '--actor', 'mama']);
    await one(['remove-member', 'kim', '--actor', 'mama']);
    process.stdout.write(JSON.stringify({ ms: performance.now() - start }) + '\\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e) }) + '\\n');
  }
});`;

class SocketClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending = '';
  private waiting: ((line: string) => void) | null = null;

  constructor() {
    this.child = spawn('/usr/sbin/runuser', ['-u', 'jupyterhub-panel', '--', process.execPath, '-e', SOCKET_CLIENT, HELPER_SOCKET], { env: ENV });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => {
      this.pending += d;
      const nl = this.pending.indexOf('\n');
      if (nl !== -1 && this.waiting) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        const w = this.waiting;
        this.waiting = null;
        w(line);
      }
    });
  }

  /** One add + remove pair, in milliseconds as the client measured it. */
  pair(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = (line) => {
        const answer = JSON.parse(line) as { ms?: number; error?: string };
        if (answer.ms === undefined) reject(new Error(`over the helper's socket: ${answer.error}`));
        else resolve(answer.ms);
      };
      this.child.stdin.write('go\n');
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** The pair's two requests, each as the client timed it. */
async function panelPair(client: PanelClient): Promise<{ add: number; remove: number }> {
  const add = await client.call('POST', '/api/members', { username: 'kim' });
  assert.equal(add.status, 200, `POST /api/members: ${add.status} ${add.body.slice(0, 300)}`);
  const remove = await client.call('DELETE', '/api/members/kim');
  assert.equal(remove.status, 200, `DELETE /api/members/kim: ${remove.status} ${remove.body.slice(0, 300)}`);
  return { add: add.ms, remove: remove.ms };
}

export async function benchHelperRoundTrip(): Promise<Figure[]> {
  const client = new PanelClient();
  const login = await client.login('mama', parents.mama);
  assert.equal(login.status, 200, `login: ${login.body}`);
  const socket = new SocketClient();
  const viaPanel: number[] = [];
  const adds: number[] = [];
  const removes: number[] = [];
  const viaSocket: number[] = [];
  const direct: number[] = [];
  try {
    await panelPair(client); // warm-up: the routes, the first connection to the helper
    await socket.pair();
    for (let i = 0; i < RUNS; i++) {
      const pair = await panelPair(client);
      viaPanel.push(pair.add + pair.remove);
      adds.push(pair.add);
      removes.push(pair.remove);
      viaSocket.push(await socket.pair());
      const start = performance.now();
      run(['/usr/bin/gpasswd', '-a', 'kim', 'jupyterhub']);
      run(['/usr/bin/gpasswd', '-d', 'kim', 'jupyterhub']);
      direct.push(performance.now() - start);
    }
  } finally {
    socket.close();
    await client.call('DELETE', '/api/session');
  }
  const floorName = 'gpasswd -a + gpasswd -d directly, as root';
  const floor = median(direct);
  return [
    {
      name: 'add + remove a member end to end (POST /api/members + DELETE /api/members/kim, new TLS connection each)',
      unit: 'ms',
      median: median(viaPanel),
      max: Math.max(...viaPanel),
      runs: RUNS,
      floorName,
      floor,
    },
    { name: 'of that, POST /api/members (add)', unit: 'ms', median: median(adds), runs: RUNS, floorName: 'gpasswd -a + gpasswd -d', floor },
    // The removal also asks the hub to stop the member's servers (lib/family/members.ts): a request to the hub's API.
    { name: "of that, DELETE /api/members/kim (remove, with the hub's server stop)", unit: 'ms', median: median(removes), runs: RUNS, floorName: 'gpasswd -a + gpasswd -d', floor },
    { name: "add-member + remove-member over the helper's socket (a running client of the panel account)", unit: 'ms', median: median(viaSocket), runs: RUNS, floorName, floor },
  ];
}
