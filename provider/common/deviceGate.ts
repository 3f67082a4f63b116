/**
 * How many devices the plugin works on at once. The CLI runs four operations per CPU at once by default,
 * but `--parallel` (or PULUMI_PARALLEL) may be set far higher: a fleet's `up` then hands the plugin every
 * camera's operations together, and each device being worked on holds a
 * connection pool, its TLS connections and context, and its operations' buffers. Beyond a few hundred
 * devices that adds memory and no speed (the plugin's CPU is the limit well before the devices are), so
 * operations on further devices wait their turn, first come first served. Operations on a device already
 * being worked on join it at once: they share its connections and its read answers, and a device never
 * waits for another.
 */
export class DeviceGate {
  /** Device key → operations in progress on it. */
  private readonly active = new Map<string, number>();
  /** Operations waiting, by device, devices in the order they first asked (a Map keeps insertion order). */
  private readonly waiting = new Map<string, Array<() => void>>();

  /**
   * @param limit devices with operations in progress at most
   * @param onDone called when a device's last operation ends while others wait: time to give back its pool
   */
  constructor(
    readonly limit: number,
    private readonly onDone: (key: string) => void,
  ) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    await this.enter(key);
    try {
      return await work();
    } finally {
      this.leave(key);
    }
  }

  /** Devices being worked on, and devices waiting for their turn. */
  get load(): { active: number; waiting: number } {
    return { active: this.active.size, waiting: this.waiting.size };
  }

  private enter(key: string): Promise<void> {
    const running = this.active.get(key);
    if (running !== undefined || this.active.size < this.limit) {
      this.active.set(key, (running ?? 0) + 1);
      return Promise.resolve();
    }
    return new Promise((admit) => {
      const queue = this.waiting.get(key);
      if (queue) queue.push(admit);
      else this.waiting.set(key, [admit]);
    });
  }

  private leave(key: string): void {
    const left = this.active.get(key)! - 1;
    if (left > 0) {
      this.active.set(key, left);
      return;
    }
    this.active.delete(key);
    if (this.waiting.size === 0) return;
    this.onDone(key);
    for (const [next, admits] of this.waiting) {
      if (this.active.size >= this.limit) break;
      this.waiting.delete(next);
      this.active.set(next, admits.length);
      for (const admit of admits) admit();
    }
  }
}
