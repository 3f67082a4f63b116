import type * as pulumi from "@pulumi/pulumi";
import { setFlagsFromString } from "node:v8";
import { deviceLabel } from "../transport/connection";
import { DeviceHttp } from "../transport/http";
import type { DeviceRef } from "./connections";
import { configureNamedDevices, resolveDevice } from "./connections";
import { DeviceGate } from "./deviceGate";

// This module is loaded only in the dynamic-provider plugin process. Across a fleet V8's default heap growth
// lets garbage pile up to hundreds of MB before it collects; sizing the heap for memory instead keeps the
// plugin near its live set. Measured at the CLI's default parallelism (8 here), 1,000 cameras: 392–428 MB
// with V8's defaults, 244–276 MB with this flag; with every call in flight at once, 200 cameras: 330 → 197
// MB. It costs time: seven interleaved pairs of 200-camera refreshes averaged 9.05 s with it, 7.88 s without.
// PULUMI_AXIS_SPS_V8_DEFAULTS=1 leaves V8 as it is.
if (!process.env.PULUMI_AXIS_SPS_V8_DEFAULTS) setFlagsFromString("--optimize-for-size");

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
