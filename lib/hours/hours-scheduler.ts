import 'server-only';
// The panel's hours scheduler: every 30 s (so a server still running when a
// kid's hours end is stopped within a minute) it runs lib/hours/hours-actions.ts's
// enforceHours. Started once per process from instrumentation.ts when Next
// prepares the app (server/server.ts calls app.prepare() at start), so it runs
// after a restart of the panel or the machine without anyone signing in.
// The hub's own check (login, server start) never depends on this clock.
import { enforceHours } from './hours-actions';

export const HOURS_CHECK_INTERVAL_MS = 30_000;

const STARTED = Symbol.for('jh4f.hours-scheduler');
type Holder = { [STARTED]?: NodeJS.Timeout };

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} hours: ${message}\n`);
}

export function startHoursScheduler(): void {
  const holder = globalThis as Holder;
  if (holder[STARTED]) return;
  let busy = false;
  let lastFailure = '';
  const tick = async () => {
    if (busy) return; // a slow hub: never two rounds at once
    busy = true;
    try {
      const stopped = await enforceHours(new Date());
      lastFailure = '';
      for (const s of stopped) log(`stopped ${s.user}'s servers (${s.servers.map((n) => n || 'default').join(', ') || 'none left'}): outside their hours`);
    } catch (e) {
      // No hub, no token: nothing to stop now; the next round tries again. The
      // same failure is logged once, not every 30 s for as long as it lasts.
      const text = e instanceof Error ? e.message : String(e);
      if (text !== lastFailure) log(`check failed: ${text}`);
      lastFailure = text;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), HOURS_CHECK_INTERVAL_MS);
  timer.unref();
  holder[STARTED] = timer;
  void tick();
}
