import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { FailureList, hasUnknown, schemaFailures } from "../common/check";
import type { DeviceArgs } from "../common/deviceArgs";
import { deviceSecretOutputs, secretDevice } from "../common/deviceArgs";
import { changedKeys, providerChanged, stripUndefined } from "../common/diff";
import { ID_PATTERN } from "../common/ids";
import { HostedResource, providerText } from "../common/remote";
import { hasUnsafeText } from "../common/text";
import { certificateFromPem } from "../pki/certificate";
import { deviceLabel } from "../transport/connection";
import { deviceRefIdentity, deviceRefSchema, deviceUrlOf } from "../common/connections";
import type { Dot1XConfiguration } from "./client";
import { AxisClient } from "./client";

/** Axis serves wired 802.1X under this one token; EAP-TLS is IANA EAP method 13. */
export const WIRED_TOKEN = "EAPTLS_WIRED";
export const EAP_TLS = 13;

const certificateIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(128)
  .regex(ID_PATTERN, "is not a legal certificate ID");

export const axisDot1xInputsSchema = z
  .object({
    device: deviceRefSchema,
    identity: z
      .string()
      .min(1, "must not be empty")
      .max(253)
      .refine((s) => !hasUnsafeText(s), 'must not contain control characters or < > & "'),
    anonymousId: z.string().max(253).optional(),
    clientCertificateId: certificateIdSchema,
    /** The client certificate's PEM, when known, to check its common name before anything is sent. */
    clientCertificatePem: z
      .string()
      .max(64 * 1024)
      .optional(),
    caCertificateIds: z
      .array(certificateIdSchema)
      .min(1, "needs at least one CA to validate the RADIUS server")
      .max(16),
    restoreOnDelete: z.boolean().optional(),
  })
  .strict();

export type AxisDot1xInputs = z.infer<typeof axisDot1xInputsSchema>;

export interface AxisDot1xOutputs extends Omit<AxisDot1xInputs, "clientCertificatePem"> {
  deviceUrl: string;
  clientCertificateCommonName?: string;
  eapMethod: number;
  previous: Dot1XConfiguration;
}

/** Wired IEEE 802.1X with EAP-TLS on a camera. */
export class AxisDot1xProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const { value, failures } = schemaFailures(axisDot1xInputsSchema, news);
    const list = new FailureList();
    list.items.push(...failures);
    const pem = value?.clientCertificatePem;
    const cert = value && list.attempt("clientCertificatePem", pem, () => certificateFromPem(pem!));
    // Axis: "the CertificateID needs to be the certificate common name" for the 802.1X client certificate.
    if (
      cert &&
      value &&
      !hasUnknown(value.clientCertificateId) &&
      cert.commonName !== value.clientCertificateId
    ) {
      list.add(
        "clientCertificatePem",
        `the 802.1X client certificate's common name is "${cert.commonName}", but Axis requires it to equal its certificate ID "${value.clientCertificateId}"`,
      );
    }
    return { inputs: news, failures: list.items };
  }

  async diff(_id: string, olds: AxisDot1xOutputs, news: AxisDot1xInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = deviceRefIdentity(olds.device) !== deviceRefIdentity(news.device) ? ["device"] : [];
    const changed = changedKeys(comparable(olds), comparable(news), []);
    return { changes: replaces.length > 0 || changed.length > 0 || providerChanged(olds, news), replaces };
  }

  async create(inputs: AxisDot1xInputs): Promise<pulumi.dynamic.CreateResult> {
    const client = new AxisClient(inputs.device);
    const previous = await client.getDot1XConfiguration(WIRED_TOKEN);
    await client.setDot1XConfiguration(desired(inputs));
    return { id: WIRED_TOKEN, outs: outputs(inputs, previous) };
  }

  async read(id: string, props: AxisDot1xOutputs): Promise<pulumi.dynamic.ReadResult> {
    const current = await new AxisClient(props.device).getDot1XConfiguration(WIRED_TOKEN);
    const outs: AxisDot1xOutputs = {
      ...props,
      identity: current.identity,
      anonymousId: props.anonymousId === undefined ? undefined : current.anonymousId,
      clientCertificateId: current.certificateId ?? "",
      caCertificateIds: current.caCertificateIds,
      eapMethod: current.eapMethod,
    };
    return { id, props: stripUndefined(outs) };
  }

  async update(
    _id: string,
    olds: AxisDot1xOutputs,
    news: AxisDot1xInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const configChanged =
      changedKeys(comparable(olds), comparable(news), ["device", "restoreOnDelete"]).length > 0 ||
      olds.eapMethod !== EAP_TLS;
    if (configChanged) await new AxisClient(news.device).setDot1XConfiguration(desired(news));
    return { outs: outputs(news, olds.previous) };
  }

  async delete(_id: string, props: AxisDot1xOutputs): Promise<void> {
    if (props.restoreOnDelete === false) return;
    const client = new AxisClient(props.device);
    const [clients, cas] = await Promise.all([client.getCertificates(), client.getCACertificates()]);
    const stored = new Set([...clients, ...cas].map((c) => c.id));
    const previous = props.previous;
    const referencesExist =
      (!previous.certificateId || stored.has(previous.certificateId)) &&
      previous.caCertificateIds.every((id) => stored.has(id));
    if (!previous.identity || !referencesExist) {
      // Nothing restorable was there: leave the configuration, and say so rather than inventing one.
      console.warn(
        `warning: ${deviceLabel(deviceUrlOf(props.device))}: 802.1X had no configuration to restore (or its certificates are gone); leaving it as it is`,
      );
      return;
    }
    await client.setDot1XConfiguration({ ...previous, token: WIRED_TOKEN });
  }
}

function desired(inputs: AxisDot1xInputs): Dot1XConfiguration {
  return {
    token: WIRED_TOKEN,
    identity: inputs.identity,
    anonymousId: inputs.anonymousId,
    eapMethod: EAP_TLS,
    caCertificateIds: inputs.caCertificateIds,
    certificateId: inputs.clientCertificateId,
  };
}

function comparable(o: AxisDot1xInputs | AxisDot1xOutputs): Record<string, unknown> {
  return {
    device: o.device,
    identity: o.identity,
    anonymousId: o.anonymousId,
    clientCertificateId: o.clientCertificateId,
    caCertificateIds: o.caCertificateIds,
    restoreOnDelete: o.restoreOnDelete,
  };
}

function outputs(inputs: AxisDot1xInputs, previous: Dot1XConfiguration): AxisDot1xOutputs {
  const { clientCertificatePem, ...rest } = inputs;
  return stripUndefined({
    ...rest,
    deviceUrl: deviceLabel(deviceUrlOf(inputs.device)),
    clientCertificateCommonName: clientCertificatePem
      ? certificateFromPem(clientCertificatePem).commonName
      : undefined,
    eapMethod: EAP_TLS,
    previous,
  });
}

const PROVIDER = providerText("pulumi-axis-sps/dist/provider/axis/dot1x", "AxisDot1xProvider");

export interface AxisDot1xArgs {
  /** The device: a connection, or the name of one in the stack config `pulumi-axis-sps:devices`. */
  device: pulumi.Input<DeviceArgs>;
  /** The EAP identity the camera presents. */
  identity: pulumi.Input<string>;
  anonymousId?: pulumi.Input<string>;
  /** ID of the client certificate on the camera (its common name must equal this ID). */
  clientCertificateId: pulumi.Input<string>;
  /** The client certificate's PEM, so `pulumi preview` can check its common name. */
  clientCertificatePem?: pulumi.Input<string>;
  /** IDs of the CA certificates that validate the RADIUS server. */
  caCertificateIds: pulumi.Input<pulumi.Input<string>[]>;
  /** On delete, put back the 802.1X configuration found at create (default true). */
  restoreOnDelete?: pulumi.Input<boolean>;
}

/** The camera's wired 802.1X (EAP-TLS) configuration. One per camera. */
export class AxisDot1x extends HostedResource {
  declare readonly identity: pulumi.Output<string>;
  declare readonly clientCertificateId: pulumi.Output<string>;
  declare readonly caCertificateIds: pulumi.Output<string[]>;
  declare readonly deviceUrl: pulumi.Output<string>;

  constructor(name: string, args: AxisDot1xArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDER,
      name,
      {
        ...args,
        device: secretDevice(args.device),
        deviceUrl: undefined,
        eapMethod: undefined,
        previous: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: deviceSecretOutputs(args.device) }),
      "axis",
      "Dot1x",
    );
  }
}
