/** FIFO admission: at most `max()` requests are handled at once, the rest wait their turn. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: () => number) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.max()) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    };
  }
}
