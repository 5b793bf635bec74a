// A value that is expensive to get (a request to the hub, a round of health
// checks), kept for a short time and shared: callers within `maxAgeMs` of the
// last answer get that answer, and callers while a read is under way wait for
// that same read instead of starting their own (single flight). Failures are not
// kept: the next caller tries again. The state lives on globalThis under a
// Symbol.for key, so Next's separate module copies (route bundles, the custom
// server) share one cache per process.

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
}

export function singleFlightCache<T>(key: string, maxAgeMs: number, read: () => Promise<T>): SingleFlightCache<T> {
  const symbol = Symbol.for(`jh4f.cache.${key}`);
  const holder = globalThis as { [k: symbol]: State<T> | undefined };
  const state = (): State<T> => (holder[symbol] ??= { value: null, at: 0, inflight: null, generation: 0 });

  return {
    get(opts = {}) {
      const s = state();
      if (!opts.fresh && s.value !== null && Date.now() - s.at < maxAgeMs) return Promise.resolve(s.value);
      if (s.inflight) return s.inflight;
      const generation = s.generation;
      const p = read()
        .then((value) => {
          if (s.generation === generation) {
            s.value = value;
            s.at = Date.now();
          }
          return value;
        })
        .finally(() => {
          if (s.inflight === p) s.inflight = null;
        });
      s.inflight = p;
      return p;
    },
    invalidate() {
      const s = state();
      s.value = null;
      s.at = 0;
      s.inflight = null;
      s.generation++;
    },
  };
}
