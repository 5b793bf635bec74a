import 'server-only';
// The panel's timers, started once per process from instrumentation.ts. Each one
// lives in its own module and keeps its handle on globalThis, so a second start
// (Next may load a module twice) does nothing. Disk use has no timer of its own
// until a page asks for it (lib/upkeep/disk-use.ts).
import { startHoursScheduler } from './hours/hours-scheduler';
import { startIdleStopTimer } from './upkeep/idle-stop';

export function startBackground(): void {
  startIdleStopTimer();
  startHoursScheduler();
}
