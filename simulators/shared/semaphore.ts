/**
 * A counting semaphore: at most `limit` holders at a time, the rest wait in FIFO order.
 * Simulated devices use it to model how few requests small hardware serves concurrently.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be a positive integer`);
  }

  /** Waits for a slot; the returned function releases it (call it exactly once). */
  async acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
    } else {
      // The releasing holder hands its slot over directly, so `active` stays constant across the handover.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }

  /** Number of callers waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
