import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { schemaFailures } from "../common/check";
import type { DeviceArgs } from "../common/deviceArgs";
import { deviceSecretOutputs, secretDevice } from "../common/deviceArgs";
import { changedKeys, providerChanged, stripUndefined } from "../common/diff";
import { ID_PATTERN } from "../common/ids";
import { HostedResource, providerText } from "../common/remote";
import type { DeviceRef } from "../common/connections";
import { deviceLabel } from "../transport/connection";
import { deviceRefIdentity, deviceRefSchema, deviceUrlOf } from "../common/connections";
import type { WebServerTlsConfiguration } from "./client";
import { AxisClient } from "./client";

const certificateIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(128)
  .regex(ID_PATTERN, "is not a legal certificate ID");

export const axisHttpsBindingInputsSchema = z
  .object({
    device: deviceRefSchema,
    certificateId: certificateIdSchema,
    caCertificateIds: z.array(certificateIdSchema).max(16).optional(),
    policy: z.enum(["Http", "Https", "HttpAndHttps"]).optional(),
    ciphers: z
      .array(z.string().regex(/^[A-Z0-9_-]+$/, "is not an OpenSSL cipher name"))
      .min(1)
      .max(64)
      .optional(),
    restoreOnDelete: z.boolean().optional(),
  })
  .strict();

export type AxisHttpsBindingInputs = z.infer<typeof axisHttpsBindingInputsSchema>;

export interface AxisHttpsBindingOutputs {
  device: DeviceRef;
  deviceUrl: string;
  certificateId: string;
  caCertificateIds?: string[];
  policy?: string;
  ciphers?: string[];
  restoreOnDelete?: boolean;
  /** What the camera had before this resource bound it, put back on delete. */
  previous: WebServerTlsConfiguration;
}

/** Which certificate the camera's HTTPS serves, and its admin connection policy. */
export class AxisHttpsBindingProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    return { inputs: news, failures: schemaFailures(axisHttpsBindingInputsSchema, news).failures };
  }

  async diff(
    _id: string,
    olds: AxisHttpsBindingOutputs,
    news: AxisHttpsBindingInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces = deviceRefIdentity(olds.device) !== deviceRefIdentity(news.device) ? ["device"] : [];
    // After a refresh, olds hold what the camera serves: a rebinding by hand shows here as certificateId.
    const changed = changedKeys(comparable(olds), comparable(news), []);
    return { changes: replaces.length > 0 || changed.length > 0 || providerChanged(olds, news), replaces };
  }

  async create(inputs: AxisHttpsBindingInputs): Promise<pulumi.dynamic.CreateResult> {
    const previous = await this.apply(inputs);
    return { id: "WebServer", outs: outputs(inputs, previous) };
  }

  async read(id: string, props: AxisHttpsBindingOutputs): Promise<pulumi.dynamic.ReadResult> {
    const current = await new AxisClient(props.device).getWebServerTlsConfiguration();
    const outs: AxisHttpsBindingOutputs = {
      ...props,
      certificateId: current.certificateIds[0] ?? "",
      caCertificateIds: props.caCertificateIds === undefined ? undefined : current.caCertificateIds,
      policy: props.policy === undefined ? undefined : current.policies.admin,
      ciphers: props.ciphers === undefined ? undefined : current.ciphers,
    };
    return { id, props: stripUndefined(outs) };
  }

  async update(
    _id: string,
    olds: AxisHttpsBindingOutputs,
    news: AxisHttpsBindingInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const bindingChanged =
      changedKeys(comparable(olds), comparable(news), ["device", "restoreOnDelete"]).length > 0;
    if (bindingChanged) await this.apply(news);
    return { outs: outputs(news, olds.previous) };
  }

  async delete(_id: string, props: AxisHttpsBindingOutputs): Promise<void> {
    if (props.restoreOnDelete === false) return;
    const client = new AxisClient(props.device);
    const [current, stored] = await Promise.all([
      client.getWebServerTlsConfiguration(),
      client.getCertificates(),
    ]);
    const previousId = props.previous.certificateIds[0];
    if (!previousId || !stored.some((c) => c.id === previousId)) {
      // Never leave HTTPS without a certificate: if what we found is gone, keep serving what is bound now.
      console.warn(
        `warning: ${deviceLabel(deviceUrlOf(props.device))}: the certificate HTTPS served before (${previousId ?? "none"}) is no longer on the camera; leaving HTTPS bound to ${current.certificateIds[0] ?? "nothing"}`,
      );
      return;
    }
    await client.setWebServerTlsConfiguration({
      ...current,
      certificateIds: props.previous.certificateIds,
      caCertificateIds: props.previous.caCertificateIds,
      policies: props.policy === undefined ? current.policies : props.previous.policies,
      ciphers: props.ciphers === undefined ? current.ciphers : props.previous.ciphers,
    });
  }

  /** Read-modify-write: keeps every setting the inputs leave unset as the camera has it. */
  private async apply(inputs: AxisHttpsBindingInputs): Promise<WebServerTlsConfiguration> {
    const client = new AxisClient(inputs.device);
    const current = await client.getWebServerTlsConfiguration();
    await client.setWebServerTlsConfiguration({
      ...current,
      tls: true,
      certificateIds: [inputs.certificateId],
      caCertificateIds: inputs.caCertificateIds ?? current.caCertificateIds,
      policies:
        inputs.policy === undefined ? current.policies : { ...current.policies, admin: inputs.policy },
      ciphers: inputs.ciphers ?? current.ciphers,
    });
    return current;
  }
}

function comparable(o: AxisHttpsBindingInputs | AxisHttpsBindingOutputs): Record<string, unknown> {
  return {
    device: o.device,
    certificateId: o.certificateId,
    caCertificateIds: o.caCertificateIds,
    policy: o.policy,
    ciphers: o.ciphers,
    restoreOnDelete: o.restoreOnDelete,
  };
}

function outputs(
  inputs: AxisHttpsBindingInputs,
  previous: WebServerTlsConfiguration,
): AxisHttpsBindingOutputs {
  return stripUndefined({ ...inputs, deviceUrl: deviceLabel(deviceUrlOf(inputs.device)), previous });
}

const PROVIDER = providerText("pulumi-axis-sps/dist/provider/axis/httpsBinding", "AxisHttpsBindingProvider");

export interface AxisHttpsBindingArgs {
  /** The device: a connection, or the name of one in the stack config `pulumi-axis-sps:devices`. */
  device: pulumi.Input<DeviceArgs>;
  /** The certificate HTTPS serves (e.g. an AxisCertificate's certificateId). */
  certificateId: pulumi.Input<string>;
  /** CA certificate IDs served as the chain; kept as the camera has them when unset. */
  caCertificateIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Admin connection policy; kept as the camera has it when unset. */
  policy?: pulumi.Input<"Http" | "Https" | "HttpAndHttps">;
  /** TLS ciphers; kept as the camera has them when unset (they change with AXIS OS releases). */
  ciphers?: pulumi.Input<pulumi.Input<string>[]>;
  /** On delete, bind HTTPS back to the certificate found at create (default true). */
  restoreOnDelete?: pulumi.Input<boolean>;
}

/** The camera's HTTPS binding. One per camera. */
export class AxisHttpsBinding extends HostedResource {
  declare readonly certificateId: pulumi.Output<string>;
  declare readonly policy: pulumi.Output<string | undefined>;
  declare readonly deviceUrl: pulumi.Output<string>;
  declare readonly previous: pulumi.Output<WebServerTlsConfiguration>;

  constructor(name: string, args: AxisHttpsBindingArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDER,
      name,
      { ...args, device: secretDevice(args.device), deviceUrl: undefined, previous: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: deviceSecretOutputs(args.device) }),
      "axis",
      "HttpsBinding",
    );
  }
}
