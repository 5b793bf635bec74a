// A bounded concurrency limiter: at most `concurrency` tasks at once, at most
// `maxQueue` waiting, none waiting longer than `maxWaitMs`. Whatever does not fit
// is refused at once with LimiterBusyError instead of piling up. Pure (timers only).

export class LimiterBusyError extends Error {
  constructor(readonly reason: 'queue_full' | 'wait_timeout') {
    super(`limiter busy: ${reason}`);
    this.name = 'LimiterBusyError';
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class BoundedLimiter {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
    readonly maxWaitMs: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new LimiterBusyError('queue_full'));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new LimiterBusyError('wait_timeout'));
        }, this.maxWaitMs),
      };
      waiter.timer.unref?.();
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve(); // the slot passes straight to the next task
    } else {
      this.active--;
    }
  }
}
