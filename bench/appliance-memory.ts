// Memory of the whole appliance idle (the family hub, its proxy, the panel, and the
// root helper when it runs), next to the hub alone (hub + proxy), both from the same
// samples: each process's Rss and Pss from /proc/PID/smaps_rollup, summed. Pss
// shares each page among the processes mapping it, so its sum is what the appliance
// really holds; Rss counts shared pages (Node's and Python's libraries) once per
// process. Sampled while nothing uses the appliance (no kid's server runs). The
// hub alone's Pss is taken with the panel running beside it, so pages the proxy
// shares with the panel (Node's) count half: a machine with only the hub holds a
// little more than that floor.
import fs from 'node:fs';
import { median, type Figure } from './lib';

const SAMPLES = 5;
const HUB_PID_FILE = '/run/jupyterhub4family/hub.pid';
const PROXY_PID_FILE = '/var/lib/jupyterhub/jupyterhub-proxy.pid';
const PANEL_PID_FILE = '/run/jupyterhub4family/panel.pid';
const HELPER_PID_FILE = '/run/jupyterhub4family/helper.pid';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Usage {
  rss: number;
  pss: number;
}

/** Rss and Pss of one process in KiB (smaps_rollup, Linux 4.14+). */
export function smapsRollup(pid: number): Usage {
  const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!m) throw new Error(`no ${name} in /proc/${pid}/smaps_rollup`);
    return Number(m[1]);
  };
  return { rss: field('Rss'), pss: field('Pss') };
}

/** The pid in a pid file, checked to be a live process whose command line matches. */
function pidFrom(file: string, command: RegExp, required: boolean): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    if (required) throw new Error(`${file} is missing: is the family hub set up (JH4F_SANDBOX_HUB=family)?`);
    return null;
  }
  let cmdline = '';
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    /* gone */
  }
  if (!command.test(cmdline)) {
    if (required) throw new Error(`${file} names pid ${pid}, which is not ${command} (${cmdline || 'no such process'})`);
    return null;
  }
  return pid;
}

/** A process and all its descendants (the panel's server may start workers). */
function withDescendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* ended meanwhile */
    }
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

function sum(pids: number[]): Usage {
  return pids.map(smapsRollup).reduce((a, b) => ({ rss: a.rss + b.rss, pss: a.pss + b.pss }), { rss: 0, pss: 0 });
}

export async function benchApplianceMemory(): Promise<Figure[]> {
  const hub = pidFrom(HUB_PID_FILE, /\/usr\/bin\/jupyterhub -f \/etc\/jupyterhub4family\/jupyterhub_config\.py/, true)!;
  const proxy = pidFrom(PROXY_PID_FILE, /configurable-http-proxy/, true)!;
  const panel = pidFrom(PANEL_PID_FILE, /dist\/server\/server\.js/, true)!;
  // The helper is socket-activated under systemd and leaves when idle: counted when it runs.
  const helper = pidFrom(HELPER_PID_FILE, /helper --serve/, false);
  const hubAlone = [hub, proxy];
  // A kid's server is a child of the hub: idle means none runs.
  const extra = withDescendants(hub).filter((p) => p !== hub && p !== proxy);
  if (extra.length) throw new Error(`not idle: the hub has child processes ${extra.join(' ')} (a kid's server?)`);
  const appliance = [...hubAlone, ...withDescendants(panel), ...(helper ? [helper] : [])];

  const hubSamples: Usage[] = [];
  const allSamples: Usage[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    if (i) await sleep(1000);
    hubSamples.push(sum(hubAlone));
    allSamples.push(sum(appliance));
  }
  const mib = (list: Usage[], k: keyof Usage) => Math.round((median(list.map((u) => u[k])) / 1024) * 10) / 10;
  const parts = `hub + proxy + panel${helper ? ' + helper' : ', helper not running'}`;
  return [
    {
      name: `appliance idle, sum of Pss (${parts}; ${appliance.length} processes)`,
      unit: 'MiB',
      median: mib(allSamples, 'pss'),
      runs: SAMPLES,
      floorName: 'hub alone: hub + proxy, Pss',
      floor: mib(hubSamples, 'pss'),
    },
    { name: `appliance idle, sum of Rss (${parts})`, unit: 'MiB', median: mib(allSamples, 'rss'), runs: SAMPLES, floorName: 'hub alone: hub + proxy, Rss', floor: mib(hubSamples, 'rss') },
  ];
}
