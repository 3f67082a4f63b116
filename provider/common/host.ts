import type * as pulumi from "@pulumi/pulumi";
import { setFlagsFromString } from "node:v8";
import { deviceLabel } from "../transport/connection";
import { DeviceHttp } from "../transport/http";
import type { DeviceRef } from "./connections";
import { configureNamedDevices, resolveDevice } from "./connections";
import { DeviceGate } from "./deviceGate";

// This module is loaded only in the dynamic-provider plugin process, which is all garbage: every operation
// allocates its gRPC messages, Structs and XML trees and keeps almost none of it. V8's default young
// generation collects that cheaply; `--optimize-for-size` keeps the young generation small, so the same work
// costs three times the scavenges and four times the full collections (a 200-camera refresh: 148 and 9
// against 58 and 2), and about a quarter more plugin CPU. But the default young generation is memory too:
// about 50 MB more at 1,000 cameras, past the 300 MB we hold the plugin to. So V8 keeps its defaults, the old
// generation grows by 30% at a time as it would with the flag, and the flag is turned on once the process
// passes MEMORY_BUDGET_MB (figures in docs/benchmarks.md). PULUMI_AXIS_SPS_V8_DEFAULTS=1 leaves V8 as it is.
const V8_DEFAULTS = Boolean(process.env.PULUMI_AXIS_SPS_V8_DEFAULTS);
if (!V8_DEFAULTS) setFlagsFromString("--heap-growing-percent=30");

/** Resident memory past which the plugin trades speed for memory (see above). */
export const MEMORY_BUDGET_MB = 250;

/** Turns `--optimize-for-size` on, once, when the process has grown past the budget. */
function holdMemoryBudget(): void {
  const state = globalThis as unknown as Record<symbol, boolean | undefined>;
  const slot = Symbol.for("pulumi-axis-sps.host.optimizingForSize");
  if (V8_DEFAULTS || state[slot] || process.memoryUsage.rss() < MEMORY_BUDGET_MB * 1024 * 1024) return;
  state[slot] = true;
  setFlagsFromString("--optimize-for-size");
}

type Crud = "check" | "diff" | "create" | "read" | "update" | "delete";

/** Devices worked on at once in one plugin process (see DeviceGate); measured in docs/benchmarks.md. */
export const DEVICES_AT_ONCE = 256;

function deviceGate(): DeviceGate {
  // One per process, however many times this module is loaded.
  const slot = Symbol.for("pulumi-axis-sps.host.deviceGate");
  const g = globalThis as unknown as Record<symbol, DeviceGate | undefined>;
  return (g[slot] ??= new DeviceGate(DEVICES_AT_ONCE, (device) => DeviceHttp.releaseIdle(device)));
}

/** The device an operation talks to, as DeviceHttp names it; undefined for check and diff, which send nothing. */
function deviceOf(method: Crud, args: unknown[]): string | undefined {
  const props = { create: args[0], read: args[1], update: args[2], delete: args[1] }[method as string];
  const ref = (props as { device?: DeviceRef } | undefined)?.device;
  if (ref === undefined) return undefined;
  try {
    return deviceLabel(resolveDevice(ref).url);
  } catch {
    return undefined; // the operation itself reports an unknown device
  }
}

/** The plugin turns results into protobuf Structs, which have no `undefined`: drop such keys at any depth. */
function plain<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * The provider object the plugin gets from a resource's `__provider` text (remote.ts providerText): the
 * class `exportName` of `modulePath`, loaded on first use. Configure is the package's, not a resource
 * type's: it takes the named device connections from the stack config.
 */
export function hosted(modulePath: string, exportName: string): pulumi.dynamic.ResourceProvider {
  let provider: Record<Crud, (...a: unknown[]) => Promise<unknown>> | undefined;
  const run = async (method: Crud, args: unknown[]): Promise<never> => {
    if (!provider) {
      const mod = require(modulePath) as Record<string, new () => typeof provider>;
      provider = new mod[exportName]();
    }
    holdMemoryBudget();
    const device = deviceOf(method, args);
    const work = () => provider![method](...args);
    return plain(await (device === undefined ? work() : deviceGate().run(device, work))) as never;
  };
  return {
    configure: async (req) => configureNamedDevices(req.config),
    check: (olds, news) => run("check", [olds, news]),
    diff: (id, olds, news) => run("diff", [id, olds, news]),
    create: (inputs) => run("create", [inputs]),
    read: (id, props) => run("read", [id, props]),
    update: (id, olds, news) => run("update", [id, olds, news]),
    delete: (id, props) => run("delete", [id, props]),
  };
}
