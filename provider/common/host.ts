import type * as pulumi from "@pulumi/pulumi";
import { setFlagsFromString } from "node:v8";
import { configureNamedDevices } from "./connections";

// This module is loaded only in the dynamic-provider plugin process. With every resource's call in flight at
// once (the engine's default is unbounded parallelism), V8's default heap growth lets garbage pile up to
// hundreds of MB across a fleet before it collects; sizing the heap for memory instead keeps the plugin near
// its live set (measured: 330 → 197 MB at 200 cameras). PULUMI_AXIS_SPS_V8_DEFAULTS=1 leaves V8 as it is.
if (!process.env.PULUMI_AXIS_SPS_V8_DEFAULTS) setFlagsFromString("--optimize-for-size");

type Method = "configure" | "check" | "diff" | "create" | "read" | "update" | "delete";

/** The plugin turns results into protobuf Structs, which have no `undefined`: drop such keys at any depth. */
function plain<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * What every serialized provider calls (remote.ts): runs one method of the provider class `exportName` in
 * `modulePath`. Configure is the package's, not a resource type's: it takes the named device connections
 * from the stack config.
 */
export async function call(
  modulePath: string,
  exportName: string,
  method: Method,
  args: unknown[],
): Promise<unknown> {
  if (method === "configure") {
    configureNamedDevices((args[0] as pulumi.dynamic.ConfigureRequest).config);
    return undefined;
  }
  const mod = require(modulePath) as Record<string, new () => pulumi.dynamic.ResourceProvider>;
  const provider = new mod[exportName]() as unknown as Record<Method, (...a: unknown[]) => Promise<unknown>>;
  return plain(await provider[method](...args));
}
