import * as pulumi from "@pulumi/pulumi";

/** How a resource reaches its device. The whole object is stored as a secret. */
export interface DeviceConnectionArgs {
  url: pulumi.Input<string>;
  username: pulumi.Input<string>;
  password: pulumi.Input<string>;
  tls?: pulumi.Input<{
    caCertificate?: pulumi.Input<string>;
    fingerprintSha256?: pulumi.Input<string | string[]>;
    insecure?: pulumi.Input<boolean>;
  }>;
  allowBasicOverHttp?: pulumi.Input<boolean>;
  timeouts?: pulumi.Input<{ connectMs?: pulumi.Input<number>; requestMs?: pulumi.Input<number> }>;
  retry?: pulumi.Input<{
    attempts?: pulumi.Input<number>;
    baseDelayMs?: pulumi.Input<number>;
    maxDelayMs?: pulumi.Input<number>;
  }>;
  maxConnections?: pulumi.Input<number>;
  /** SPS only: how long to wait for a configuration lock another administrator holds (default 60 s). */
  lockWaitMs?: pulumi.Input<number>;
}

/**
 * A resource's `device`: a connection, or the name of one in the stack config `pulumi-axis-sps:devices`
 * (recommended for fleets: state then keeps the name only, and credentials live in one place).
 */
export type DeviceArgs = string | DeviceConnectionArgs;

/**
 * A connection is stored as a secret (it carries the password, and read and delete need it from state); a
 * name is stored as it is.
 */
export function secretDevice(device: pulumi.Input<DeviceArgs>): pulumi.Output<DeviceArgs> {
  return pulumi
    .output(device as pulumi.Input<DeviceArgs>)
    .apply((d) => (typeof d === "string" ? d : pulumi.secret(d))) as unknown as pulumi.Output<DeviceArgs>;
}

/** `device` is a secret output unless it is plainly a name (a name in a string, not an Output). */
export function deviceSecretOutputs(device: pulumi.Input<DeviceArgs>): string[] {
  return typeof device === "string" ? [] : ["device"];
}
