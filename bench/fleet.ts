/** The main thread's handle on the fleet worker (bench/fleetWorker.ts). */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { FleetCounters, FleetRequest, FleetSpec, FleetStarted } from "./fleetTypes";

export class Fleet {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly worker: Worker,
    readonly spec: FleetSpec,
  ) {
    worker.on("message", (msg: { id: number; value?: unknown; error?: string }) => {
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.error) w.reject(new Error(`fleet worker: ${msg.error}`));
      else w.resolve(msg.value);
    });
    worker.on("error", (err) => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    });
  }

  static async start(spec: FleetSpec): Promise<{ fleet: Fleet; started: FleetStarted }> {
    const worker = new Worker(join(__dirname, "fleetWorker.js"), { workerData: spec });
    const fleet = new Fleet(worker, spec);
    const started = (await fleet.call({ kind: "start" })) as FleetStarted;
    return { fleet, started };
  }

  private call(req: FleetRequest): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, req });
    });
  }

  counters(): Promise<FleetCounters> {
    return this.call({ kind: "counters" }) as Promise<FleetCounters>;
  }

  async reset(): Promise<void> {
    await this.call({ kind: "reset" });
  }

  async rebindHttps(cameras: number[]): Promise<void> {
    await this.call({ kind: "rebindHttps", cameras });
  }

  served(): Promise<string[]> {
    return this.call({ kind: "served" }) as Promise<string[]>;
  }

  certificateIds(): Promise<string[][]> {
    return this.call({ kind: "certificateIds" }) as Promise<string[][]>;
  }

  async stop(): Promise<void> {
    await this.call({ kind: "stop" });
    await this.worker.terminate();
  }
}
