// Concurrency limits. Pure (timers only).
//
// BoundedLimiter: at most `concurrency` tasks at once, at most `maxQueue` waiting,
// none waiting longer than `maxWaitMs`. Whatever does not fit is refused at once
// with LimiterBusyError instead of piling up. Waiters have a priority: a higher one
// is served first, and when the queue is full a newcomer pushes out the newest
// waiter of a lower priority (that one is refused), so low-priority work can never
// fill the queue against higher-priority work. Within one priority the oldest
// waiter goes first while the queue is short; once more than `lifoAbove` wait, the
// newest goes first ("adaptive LIFO", as in Facebook's "Fail at Scale", 2015): a
// burst that arrived together then delays only itself, and a request that comes
// after it (a person, waiting) is served next instead of behind the whole burst,
// while the burst's oldest run out of `maxWaitMs` and are refused.
//
// KeyedSlots: at most `perKey` holders per key (e.g. per client address); no queue.

export class LimiterBusyError extends Error {
  constructor(readonly reason: 'queue_full' | 'wait_timeout' | 'displaced') {
    super(`limiter busy: ${reason}`);
    this.name = 'LimiterBusyError';
  }
}

interface Waiter {
  priority: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class BoundedLimiter {
  private active = 0;
  /** Ordered: highest priority first, FIFO within a priority. */
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
    readonly maxWaitMs: number,
    readonly lifoAbove = Infinity,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
    await this.acquire(priority);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(priority: number): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) {
      // The newest waiter of the lowest priority, if it is below the newcomer's, makes room.
      const last = this.waiting.at(-1);
      if (!last || last.priority >= priority) return Promise.reject(new LimiterBusyError('queue_full'));
      this.remove(last);
      last.reject(new LimiterBusyError('displaced'));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.remove(waiter);
          reject(new LimiterBusyError('wait_timeout'));
        }, this.maxWaitMs),
      };
      waiter.timer.unref?.();
      const at = this.waiting.findIndex((w) => w.priority < priority);
      if (at < 0) this.waiting.push(waiter);
      else this.waiting.splice(at, 0, waiter);
    });
  }

  private remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const i = this.waiting.indexOf(waiter);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  private release(): void {
    const next = this.next();
    if (next) {
      this.remove(next);
      next.resolve(); // the slot passes straight to the next task
    } else {
      this.active--;
    }
  }

  /** The oldest waiter of the highest priority; its newest when the queue is long. */
  private next(): Waiter | undefined {
    const first = this.waiting[0];
    if (!first || this.waiting.length <= this.lifoAbove) return first;
    let last = 0;
    while (last + 1 < this.waiting.length && this.waiting[last + 1]!.priority === first.priority) last++;
    return this.waiting[last];
  }
}

export class KeyedSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly perKey: number) {}

  /** Takes a slot for `key`; returns its release function (idempotent), or null when the key's slots are all taken. */
  tryAcquire(key: string): (() => void) | null {
    const n = this.held.get(key) ?? 0;
    if (n >= this.perKey) return null;
    this.held.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left <= 0) this.held.delete(key);
      else this.held.set(key, left);
    };
  }

  holding(key: string): number {
    return this.held.get(key) ?? 0;
  }

  /** Keys with at least one slot taken (the map never keeps empty keys). */
  get keys(): number {
    return this.held.size;
  }
}
