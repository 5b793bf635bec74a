// upgrade-system --mode security|all --actor NAME: "Install updates now". The mode
// must be the one the family's automatic updates are set to (our apt drop-in), so a
// parent who chose "security only" cannot be talked past it by the panel; no
// package name ever comes from the caller. Root decides what to upgrade from its
// own simulation (`apt-get -s dist-upgrade`, read by lib/shared/apt-simulation.ts,
// the rule the overview shows): "security" upgrades the packages whose new version
// comes from Debian's security archive, by name (`install --only-upgrade`); "all"
// is apt's dist-upgrade, what the overview counts as pending.
//
// Cancel-safe: the packages are fetched first (`--download-only`, cancellable);
// once dpkg may start, the cancel is no longer heard and the run goes to its end,
// so a closed tab or a dying panel never leaves a half-unpacked package. If apt
// fails anyway (a package's maintainer script), `dpkg --configure -a` runs so
// dpkg's database is consistent again (`dpkg --audit` empty) before the answer.
// One at a time: apt's own lock (unattended-upgrades and a person's apt take it
// too) and the panel's job queue; the helper's lock is released after the checks,
// as install-packages does, so a long upgrade does not make add-member busy.
// apt's lines go to the caller as {"progress":{"log":LINE}} (lib/jobs/apt-output.ts
// reads them); the answer names what changed by dpkg's database before and after.
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { HELPER_COMMAND_SPECS } from '../../../lib/shared/commands';
import { parseSimulatedUpgrade } from '../../../lib/shared/apt-simulation';
import { parseUpdateSettings, UPDATES_FILE } from '../../../lib/shared/update-settings';
import type { Command, CommandContext } from '../context';
import { busy, conflict, systemError, usage } from '../../common/errors';
import { runRootJob, runTool } from '../run';

const APT_GET = '/usr/bin/apt-get';
const DPKG = '/usr/bin/dpkg';
const DPKG_QUERY = '/usr/bin/dpkg-query';
const NICE = '/usr/bin/nice';
export const UPGRADE_MODES = ['security', 'all'] as const;
export type UpgradeMode = (typeof UPGRADE_MODES)[number];

/** apt may take long on a slow line; the panel waits a little longer (lib/jobs/queue.ts). */
export const DOWNLOAD_TIMEOUT_MS = 30 * 60_000;
export const INSTALL_TIMEOUT_MS = 60 * 60_000;
/** Debian package names (policy 5.6.1); anything else from apt's simulation is not passed on. */
// They start with a letter or digit, so none reads as an option of apt-get.
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?$/;

/** Fixed: no questions (there is nobody to answer them), keep a changed config file and take the default otherwise. */
const APT_OPTIONS = ['-q', '-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '-o', 'Dpkg::Use-Pty=0'];
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', APT_LISTCHANGES_FRONTEND: 'none' };

function savedMode(): string | null {
  const st = lstatSync(UPDATES_FILE, { throwIfNoEntry: false });
  if (!st?.isFile() || st.uid !== 0 || (st.mode & 0o022) !== 0) return null;
  return parseUpdateSettings(readFileSync(UPDATES_FILE, 'utf8')).mode;
}

/** name -> version of every package dpkg has installed (status "ii" or half-way ones too). */
async function installedVersions(): Promise<Map<string, string>> {
  const r = await runTool(DPKG_QUERY, ['-W', '-f', '${binary:Package}\\t${Version}\\t${db:Status-Abbrev}\\n'], { timeoutMs: 60_000 });
  if (r.status !== 0) throw systemError(`dpkg-query failed: ${r.stderr.trim().split('\n').at(-1) ?? ''}`, 'upgrade_failed', { what: 'dpkg-query', how: `exit ${r.status}` });
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [name, version, status] = line.split('\t');
    if (name && version && status && /^[a-z]i/.test(status)) out.set(name.replace(/:all$/, ''), version);
  }
  return out;
}

/**
 * Runs one apt or dpkg step, each line of it passed on as it comes. For the answer
 * it keeps dpkg's first "dpkg: error processing package ..." (names the package
 * and the script), else apt's last "E:" line.
 */
async function step(ctx: CommandContext, args: readonly string[], o: { cancel?: AbortSignal; timeoutMs: number }) {
  let dpkgError = '';
  let aptError = '';
  const end = await runRootJob(NICE, ['-n', '19', ...args], {
    timeoutMs: o.timeoutMs,
    ...(o.cancel ? { cancel: o.cancel } : {}),
    env: APT_ENV,
    onLine(line) {
      if (!dpkgError && /^dpkg: (error|dependency problems)/.test(line)) dpkgError = line;
      if (line.startsWith('E: ')) aptError = line;
      ctx.progress({ log: line });
    },
  });
  return { ...end, lastError: dpkgError || aptError };
}

function how(end: { end: string; exitCode: number | null; signal: string | null }): string {
  return end.end !== 'exited' ? end.end : end.signal ? `signal ${end.signal}` : `exit ${end.exitCode}`;
}

export const upgradeSystem: Command = {
  spec: HELPER_COMMAND_SPECS['upgrade-system'],
  async run(ctx) {
    const mode = ctx.args.options['--mode'];
    if (mode === undefined || !(UPGRADE_MODES as readonly string[]).includes(mode)) {
      throw usage(`upgrade-system needs --mode ${UPGRADE_MODES.join('|')}`, 'update_mode_invalid', { mode: (mode ?? '').slice(0, 64) });
    }
    const saved = savedMode();
    if (saved !== mode) {
      throw conflict(`refused: the automatic updates are set to ${saved ?? '(no setting of ours)'}, not ${mode}`, 'update_mode_mismatch', { mode, saved: saved ?? 'none' });
    }
    ctx.releaseLock();
    const cancel = ctx.cancelSignal();

    // What to upgrade: root's own simulation, never the caller's list.
    let simulated = '';
    const sim = await runRootJob(NICE, ['-n', '19', APT_GET, '-s', '-q', '-o', 'Debug::NoLocking=true', 'dist-upgrade'], {
      timeoutMs: 120_000,
      cancel,
      onLine: (line) => (simulated += `${line}\n`),
    });
    if (sim.end !== 'exited' || sim.exitCode !== 0) {
      const e = simulated.split('\n').find((l) => l.startsWith('E: ')) ?? '';
      throw systemError(`apt-get -s dist-upgrade failed (${how(sim)}): ${e || 'no message'}`, 'upgrade_failed', { what: 'apt-get -s', how: how(sim) });
    }
    const pending = parseSimulatedUpgrade(simulated);
    const chosen = (mode === 'security' ? pending.security : [...pending.security, ...pending.other]).map((p) => p.name).filter((n) => PACKAGE_NAME.test(n));
    ctx.progress({ step: 'plan', packages: chosen });
    if (chosen.length === 0) return { changed: false, mode, upgraded: {}, rebootRequired: existsSync('/run/reboot-required') };

    const what = mode === 'security' ? ['install', '--only-upgrade', ...chosen] : ['dist-upgrade'];
    ctx.progress({ step: 'download' });
    const fetched = await step(ctx, [APT_GET, ...APT_OPTIONS, '--download-only', ...what], { cancel, timeoutMs: DOWNLOAD_TIMEOUT_MS });
    if (fetched.end === 'cancelled' || cancel.aborted)
      throw systemError('cancelled: nothing was installed (the downloads were stopped)', 'upgrade_failed', { what: 'download', how: 'cancelled' });
    if (fetched.end !== 'exited' || fetched.exitCode !== 0) {
      if (/Could not get lock|Unable to acquire the dpkg frontend lock/.test(fetched.lastError)) throw busy(`apt is busy: ${fetched.lastError}`, 'another_change_running');
      throw systemError(`apt-get --download-only failed (${how(fetched)}): ${fetched.lastError || 'no message'}`, 'upgrade_failed', { what: 'download', how: how(fetched) });
    }

    // From here on dpkg changes the system: no cancel, the run goes to its end.
    const before = await installedVersions();
    ctx.progress({ step: 'install' });
    const done = await step(ctx, [APT_GET, ...APT_OPTIONS, ...what], { timeoutMs: INSTALL_TIMEOUT_MS });
    let failure: string | null = null;
    if (done.end !== 'exited' || done.exitCode !== 0) {
      failure = `apt-get ${what[0]} failed (${how(done)}): ${done.lastError || 'no message'}`;
      if (/Could not get lock|Unable to acquire the dpkg frontend lock/.test(done.lastError)) throw busy(`apt is busy: ${done.lastError}`, 'another_change_running');
      // A maintainer script failed half-way: finish what can be finished, so dpkg's
      // database is consistent and the next apt run works.
      ctx.progress({ step: 'repair' });
      await step(ctx, [DPKG, '--configure', '-a'], { timeoutMs: INSTALL_TIMEOUT_MS });
    }
    const after = await installedVersions();
    const upgraded: Record<string, { from: string | null; to: string }> = {};
    for (const [name, version] of after) if (before.get(name) !== version) upgraded[name] = { from: before.get(name) ?? null, to: version };
    if (failure) throw systemError(failure, 'upgrade_failed', { what: 'install', how: how(done), upgraded: Object.keys(upgraded).join(' ') });
    return { changed: Object.keys(upgraded).length > 0, mode, upgraded, rebootRequired: existsSync('/run/reboot-required') };
  },
};
