import { z } from "zod";
import type { DeviceConnection } from "../transport/connection";
import { deviceConnectionSchema, deviceIdentity } from "../transport/connection";
import { propertyPath } from "./check";

/** The stack config key that names device connections: `pulumi config set --secret --path ...`. */
export const DEVICES_CONFIG_KEY = "pulumi-axis-sps:devices";

/**
 * A resource's device: a connection, or the name of one in the stack config (DEVICES_CONFIG_KEY). A named
 * device keeps the credentials and the trust bundle out of every resource's state, where only the name is
 * kept, and a password changed in the config reaches every resource at once, reads and deletes included.
 */
export type DeviceRef = string | DeviceConnection;

export const deviceNameSchema = z
  .string()
  .min(1)
  .max(128)
  .superRefine((name, ctx) => {
    const problem = namedDeviceProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const deviceRefSchema = z.union([deviceNameSchema, deviceConnectionSchema]);

interface Registry {
  configured: boolean;
  connections: Map<string, DeviceConnection>;
  /** Entries of the config that are not valid connections, with why: reported by check, never thrown. */
  invalid: Map<string, string>;
  /** Why the config value as a whole could not be read. */
  unreadable?: string;
}

const REGISTRY = Symbol.for("pulumi-axis-sps.namedDevices");

/** On globalThis: the provider modules may be loaded more than once in the plugin process. */
function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  holder[REGISTRY] ??= { configured: false, connections: new Map(), invalid: new Map() };
  return holder[REGISTRY];
}

/**
 * Takes the named connections from the stack config (the plugin's `configure`, secrets already unwrapped).
 * It never throws: the plugin would keep a provider whose configure failed, so problems are kept and every
 * check that uses the name reports them.
 */
export function configureNamedDevices(config: { get(key: string): unknown }): void {
  const reg = registry();
  reg.configured = true;
  reg.connections.clear();
  reg.invalid.clear();
  reg.unreadable = undefined;
  const raw = config.get(DEVICES_CONFIG_KEY);
  if (raw === undefined) return;
  // Structured config may arrive as its JSON text or already as an object.
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      reg.unreadable = `${DEVICES_CONFIG_KEY} is not a JSON object of named connections`;
      return;
    }
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    reg.unreadable = `${DEVICES_CONFIG_KEY} must be an object of named connections`;
    return;
  }
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const result = deviceConnectionSchema.safeParse(value);
    if (result.success) reg.connections.set(name, result.data);
    else
      reg.invalid.set(
        name,
        result.error.issues.map((i) => `${propertyPath(i.path) || "(connection)"}: ${i.message}`).join("; "),
      );
  }
}

/** Why a name does not resolve, or undefined when it does. Names the config key; never a credential. */
export function namedDeviceProblem(name: string): string | undefined {
  const reg = registry();
  const where = `${DEVICES_CONFIG_KEY}.${name}`;
  if (reg.unreadable) return reg.unreadable;
  const invalid = reg.invalid.get(name);
  if (invalid) return `the connection ${where} in the stack config is invalid: ${invalid}`;
  if (!reg.connections.has(name))
    return reg.configured
      ? `no connection named "${name}" in the stack config (${where})`
      : `a device named "${name}" needs the stack config ${DEVICES_CONFIG_KEY}, which this process was not given`;
  return undefined;
}

/** The connection a resource uses now: its own, or the named one from the stack config. */
export function resolveDevice(ref: DeviceRef): DeviceConnection {
  if (typeof ref !== "string") return ref;
  const problem = namedDeviceProblem(ref);
  if (problem) throw new Error(`device "${ref}": ${problem}`);
  return registry().connections.get(ref)!;
}

/** The URL of a resource's device, for outputs and messages. */
export function deviceUrlOf(ref: DeviceRef): string {
  return resolveDevice(ref).url;
}

/**
 * What identifies the device behind a reference, for diffs: a name that points at the same URL as the
 * connection it replaced is the same device. A name no longer in the config stands for itself.
 */
export function deviceRefIdentity(ref: DeviceRef | undefined): string {
  if (ref === undefined) return "";
  if (typeof ref !== "string") return deviceIdentity(ref);
  return registry().connections.has(ref) ? deviceIdentity(registry().connections.get(ref)) : `named:${ref}`;
}
