// A value that is expensive to get (a request to the hub, a round of health
// checks), kept for a short time and shared: callers within `maxAgeMs` of the
// last answer get that answer, and callers while a read is under way wait for
// that same read instead of starting their own (single flight). Failures are not
// kept: the next caller tries again. The state lives on globalThis under a
// Symbol.for key, so Next's separate module copies (route bundles, the custom
// server) share one cache per process.
//
// Kept warm (`keepWarmMs`): while someone read the value within keepWarmMs, it is
// read again in the background before it gets too old, so a reader who comes back
// after a pause (a parent reloading the family page every few seconds) is answered
// from a young value instead of waiting for the read. Nobody reading: it goes cold,
// and the next reader waits once, as without it.

export interface SingleFlightCache<T> {
  /** The kept value when it is young enough, else the read under way, else a new read. */
  get(opts?: { fresh?: boolean }): Promise<T>;
  /** Forget the kept value (the state changed); a read under way is not reused either. */
  invalidate(): void;
}

interface State<T> {
  value: T | null;
  at: number;
  inflight: Promise<T> | null;
  /** Bumped by invalidate(): a read started before it must not be kept or shared. */
  generation: number;
  /** When a caller last asked (keep warm only while someone does). */
  askedAt: number;
  warmTimer: ReturnType<typeof setTimeout> | null;
}

export interface CacheOptions {
  /** Read again in the background while a caller asked within this many ms (0: never). */
  keepWarmMs?: number;
}

export function singleFlightCache<T>(key: string, maxAgeMs: number, read: () => Promise<T>, options: CacheOptions = {}): SingleFlightCache<T> {
  const symbol = Symbol.for(`jh4f.cache.${key}`);
  const holder = globalThis as { [k: symbol]: State<T> | undefined };
  const state = (): State<T> => (holder[symbol] ??= { value: null, at: 0, inflight: null, generation: 0, askedAt: 0, warmTimer: null });
  const keepWarmMs = options.keepWarmMs ?? 0;
  // A third of the age limit before it: the background read has that long to answer.
  const refreshAfterMs = (maxAgeMs * 2) / 3;

  function start(s: State<T>): Promise<T> {
    if (s.inflight) return s.inflight;
    const generation = s.generation;
    const p = read()
      .then((value) => {
        if (s.generation === generation) {
          s.value = value;
          s.at = Date.now();
          keepWarm(s);
        }
        return value;
      })
      .finally(() => {
        if (s.inflight === p) s.inflight = null;
      });
    s.inflight = p;
    return p;
  }

  function keepWarm(s: State<T>): void {
    if (keepWarmMs <= 0 || s.warmTimer || s.value === null) return;
    s.warmTimer = setTimeout(
      () => {
        s.warmTimer = null;
        if (Date.now() - s.askedAt > keepWarmMs) return; // nobody reads: let it go cold
        // A failure is not kept (the next reader asks again) and ends the warming.
        start(s).catch(() => undefined);
      },
      Math.max(0, s.at + refreshAfterMs - Date.now()),
    );
    // Never what keeps the process alive.
    s.warmTimer.unref?.();
  }

  return {
    get(opts = {}) {
      const s = state();
      s.askedAt = Date.now();
      if (!opts.fresh && s.value !== null && Date.now() - s.at < maxAgeMs) {
        keepWarm(s);
        return Promise.resolve(s.value);
      }
      return start(s);
    },
    invalidate() {
      const s = state();
      s.value = null;
      s.at = 0;
      s.inflight = null;
      s.generation++;
      // The next reader's read starts the warming again.
      if (s.warmTimer) clearTimeout(s.warmTimer);
      s.warmTimer = null;
    },
  };
}
