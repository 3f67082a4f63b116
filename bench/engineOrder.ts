/**
 * The lower bound in the engine's order: what an ideal provider (no CPU time, the fewest requests, every
 * shared read and challenge made once) would take under the real engine's scheduling, simulated event by
 * event.
 *
 * The engine does not pick the best schedule: its step executor hands resource operations to `parallel`
 * workers first come first served, in the order they become ready (state order for a refresh, registration
 * order for an up, dependents first for a destroy, the deletes of replaced resources after everything
 * else). That order is type by type, not device by device: the Node SDK registers a resource once its
 * inputs' promises settle, so every camera's site CA registers before any camera's certificate, and the
 * state keeps that order for refresh and destroy (the steps the bench records in
 * bench/.work/<n>/<phase>-<i>.steps.json show it). No provider can change that order, so this is the time to
 * compare with; the bound of bench/lowerBound.ts in any order is reported next to it.
 */

export interface SimTask {
  id: string;
  ms: number;
  after: string[];
  /** Operations that wait on this request; empty for SETUP (shared: the 401, the SPS login, transaction, commit). */
  ops: string[];
}

export interface SimDevice {
  name: string;
  /** Requests served at once (the rest queue, first come first served). */
  slots: number;
  tasks: SimTask[];
  /**
   * Operation names in the order the engine makes them ready (registration or state order). Across
   * devices the engine goes type by type: every device's first operation, then every device's second.
   */
  order: string[];
  /** Operations the engine runs only after every other operation of the deployment (replaced resources' deletes). */
  last?: string[];
  /**
   * The operations are independent resources in the engine: an order between their requests is the
   * device's (one SPS transaction), not a dependency between the operations.
   */
  independent?: boolean;
}

interface Op {
  device: DeviceState;
  name: string;
  /** The requests the operation waits on, its own and the shared ones before or after them. */
  needs: Set<string>;
  after: Op[];
  last: boolean;
  state: "waiting" | "queued" | "running" | "done";
}

interface DeviceState {
  spec: SimDevice;
  byId: Map<string, SimTask>;
  busy: number;
  queue: string[];
  issued: Set<string>;
  done: Set<string>;
}

/** Every task `id` depends on, directly or not. */
function ancestors(byId: Map<string, SimTask>, id: string, seen = new Set<string>()): Set<string> {
  for (const d of byId.get(id)?.after ?? []) {
    if (!byId.has(d) || seen.has(d)) continue;
    seen.add(d);
    ancestors(byId, d, seen);
  }
  return seen;
}

function operationsOf(device: DeviceState): Op[] {
  const { spec, byId } = device;
  const ownTasks = (op: string) => spec.tasks.filter((t) => t.ops.includes(op)).map((t) => t.id);
  const ops = spec.order.map((name): Op => {
    const own = ownTasks(name);
    const needs = new Set(own);
    for (const id of own) for (const a of ancestors(byId, id)) needs.add(a);
    // A shared request after operations' own (the SPS commit) is waited on by the last of them in the
    // engine's order (the others may return before it: the bound takes the fewest waits).
    for (const t of spec.tasks) {
      if (t.ops.length) continue;
      const before = ancestors(byId, t.id);
      const waiters = spec.order.filter((o) => spec.tasks.some((x) => x.ops.includes(o) && before.has(x.id)));
      if (waiters[waiters.length - 1] !== name) continue;
      needs.add(t.id);
      for (const a of before) if (byId.get(a)!.ops.length === 0) needs.add(a);
    }
    return {
      device,
      name,
      needs,
      after: [],
      last: spec.last?.includes(name) ?? false,
      state: "waiting",
    };
  });
  // An operation runs after the operations whose requests its own requests follow.
  for (const op of spec.independent ? [] : ops) {
    const deps = new Set<Op>();
    for (const id of ownTasks(op.name))
      for (const a of ancestors(byId, id))
        for (const other of ops)
          // A request both wait on (a shared read) orders neither.
          if (other !== op && byId.get(a)!.ops.includes(other.name) && !byId.get(a)!.ops.includes(op.name))
            deps.add(other);
    op.after = [...deps];
  }
  return ops;
}

/** The simulated wall time, ms, of one engine operation over `devices` at `parallel`. */
export function simulate(devices: SimDevice[], parallel: number): number {
  const states: DeviceState[] = devices.map((spec) => ({
    spec,
    byId: new Map(spec.tasks.map((t) => [t.id, t])),
    busy: 0,
    queue: [],
    issued: new Set(),
    done: new Set(),
  }));
  // Type by type: an operation's place in its device's order first, then the device (a stable sort).
  const ops = states
    .flatMap(operationsOf)
    .map((op, i) => ({ op, i, type: op.device.spec.order.indexOf(op.name) }))
    .sort((x, y) => x.type - y.type || x.i - y.i)
    .map((x) => x.op);
  let now = 0;
  let free = parallel;
  const ready: Op[] = [];
  const running = new Set<Op>();
  // Completions: [time, device, task id], kept sorted by time.
  const events: Array<[number, DeviceState, string]> = [];
  let remaining = ops.length;

  const pushReady = () => {
    const othersLeft = ops.some((o) => !o.last && o.state !== "done");
    const newly = ops.filter(
      (o) => o.state === "waiting" && o.after.every((d) => d.state === "done") && (!o.last || !othersLeft),
    );
    for (const o of newly) o.state = "queued";
    ready.push(...newly);
  };
  const serve = (d: DeviceState) => {
    while (d.busy < d.spec.slots && d.queue.length) {
      const id = d.queue.shift()!;
      d.busy++;
      const at = now + d.byId.get(id)!.ms;
      let i = events.length;
      while (i > 0 && events[i - 1][0] > at) i--;
      events.splice(i, 0, [at, d, id]);
    }
  };
  // Issues every request a running operation needs whose own prerequisites are met.
  const issue = (op: Op) => {
    const d = op.device;
    for (const id of op.needs) {
      if (d.issued.has(id)) continue;
      if (!d.byId.get(id)!.after.every((a) => !d.byId.has(a) || d.done.has(a))) continue;
      d.issued.add(id);
      d.queue.push(id);
    }
    serve(d);
  };
  const answered = (op: Op) => [...op.needs].every((id) => op.device.done.has(id));
  const start = () => {
    while (free > 0 && ready.length) {
      const op = ready.shift()!;
      op.state = "running";
      free--;
      running.add(op);
      issue(op);
      if (answered(op)) finish(op);
    }
  };
  const finish = (op: Op) => {
    op.state = "done";
    running.delete(op);
    free++;
    remaining--;
  };

  for (;;) {
    // Operations that need nothing new finish as they start, which can make others ready.
    let before;
    do {
      before = remaining;
      pushReady();
      start();
    } while (remaining !== before);
    if (remaining === 0) break;
    const next = events.shift();
    if (!next) throw new Error("engine-order simulation stalled: a dependency is missing");
    const [at, d, id] = next;
    now = at;
    d.busy--;
    d.done.add(id);
    for (const op of [...running]) {
      if (op.device !== d) continue;
      if (answered(op)) finish(op);
      else issue(op);
    }
    serve(d);
  }
  return now;
}
