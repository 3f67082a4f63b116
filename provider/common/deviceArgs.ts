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

/** The connection stored as a secret: it carries the password, and read and delete need it from state. */
export function secretDevice(
  device: pulumi.Input<DeviceConnectionArgs>,
): pulumi.Output<DeviceConnectionArgs> {
  return pulumi.secret(device) as pulumi.Output<DeviceConnectionArgs>;
}
