// When the caller of a long command (install-packages) wants it to stop, as an
// AbortSignal for runAsAccount().
//
// The panel cannot signal the root helper (pkexec execs it; all its uids are 0),
// so its cancel is closing the stdin pipe it keeps open; when the panel dies the
// pipe closes too, and the helper's parent changes. A person at a terminal
// presses Ctrl-C (SIGINT), closes it (SIGHUP), or sends SIGTERM.
import { fstatSync } from 'node:fs';

export interface CallerCancel {
  readonly signal: AbortSignal;
  /** Stop watching (listeners, the timer, stdin), so the helper can exit. */
  dispose(): void;
}

const WATCHED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
const PARENT_POLL_MS = 500;

function stdinIsPipe(): boolean {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

export function watchCaller(): CallerCancel {
  const controller = new AbortController();
  const cancel = (why: string) => {
    if (!controller.signal.aborted) controller.abort(why);
  };
  const onSignal = (sig: NodeJS.Signals) => cancel(`the helper got ${sig}`);
  for (const s of WATCHED_SIGNALS) process.on(s, onSignal);
  const parentPid = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid !== parentPid) cancel('the calling process went away');
  }, PARENT_POLL_MS);
  const watchStdin = stdinIsPipe();
  const onStdinEnd = () => cancel('cancelled by the caller (its pipe closed)');
  const ignore = () => {
    /* nothing is expected on stdin; reading keeps its end visible */
  };
  if (watchStdin) {
    process.stdin.on('end', onStdinEnd);
    process.stdin.on('error', onStdinEnd);
    process.stdin.on('data', ignore);
    process.stdin.resume();
  }
  let disposed = false;
  return {
    signal: controller.signal,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of WATCHED_SIGNALS) process.off(s, onSignal);
      clearInterval(parentWatch);
      if (watchStdin) {
        process.stdin.off('end', onStdinEnd);
        process.stdin.off('error', onStdinEnd);
        process.stdin.off('data', ignore);
        process.stdin.pause();
        process.stdin.destroy();
      }
    },
  };
}
