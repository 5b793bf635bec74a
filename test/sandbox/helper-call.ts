// The root helper as the panel reaches it: one request over the helper's socket,
// sent by a process of some account (the panel's, or anyone else's to show the
// socket's gate). For tests and benchmarks that must act as that account, not as
// root: runs a tiny client under runuser.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';

export const HELPER_SOCKET = '/run/jupyterhub4family/helper.sock';

// Prints the helper's lines and exits with the contract's exit code from the last
// line, or with 9 and a {"connectError": CODE} line when it could not connect.
const SOCKET_CLIENT = `
const net = require('net');
const [socketPath, request] = process.argv.slice(1);
const sock = net.connect(socketPath);
let out = '';
sock.setEncoding('utf8');
sock.on('connect', () => sock.write(request + '\\n'));
sock.on('data', (d) => (out += d));
sock.on('error', (e) => { process.stdout.write(JSON.stringify({ connectError: e.code }) + '\\n'); process.exit(9); });
sock.on('close', () => {
  process.stdout.write(out);
  const last = out.trim().split('\\n').pop();
  let code = 8;
  try { code = JSON.parse(last).exitCode; } catch { code = 10; }
  process.exit(typeof code === 'number' ? code : 10);
});`;

/** runuser argv that sends ARGV (and a password line) to the helper as USER. */
export function socketArgv(user: string, argv: readonly string[], stdin?: string): string[] {
  const request = JSON.stringify({ argv, ...(stdin !== undefined ? { stdin } : {}) });
  return ['/usr/sbin/runuser', '-u', user, '--', process.execPath, '-e', SOCKET_CLIENT, HELPER_SOCKET, request];
}

const ENV = { PATH: '/usr/bin:/bin', LANG: 'C' } as unknown as NodeJS.ProcessEnv;

export function helperAs(user: string, argv: readonly string[], stdin?: string, env: NodeJS.ProcessEnv = ENV): SpawnSyncReturns<string> {
  const [cmd, ...args] = socketArgv(user, argv, stdin);
  return spawnSync(cmd!, args, { encoding: 'utf8', timeout: 60_000, env });
}

export function helperAsAsync(user: string, argv: readonly string[], stdin?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [cmd, ...args] = socketArgv(user, argv, stdin);
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
