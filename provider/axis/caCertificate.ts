import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { FailureList, schemaFailures } from "../common/check";
import { now } from "../common/clock";
import type { DeviceArgs } from "../common/deviceArgs";
import { deviceSecretOutputs, secretDevice } from "../common/deviceArgs";
import { changedKeys, providerChanged } from "../common/diff";
import { generationId, idPrefixSchema } from "../common/ids";
import { HostedResource, providerText } from "../common/remote";
import type { CertificateInfo } from "../pki/certificate";
import {
  certificateFromDer,
  certificateFromDerKnown,
  certificateFromPem,
  certificatesFromPem,
  validityProblem,
} from "../pki/certificate";
import type { DeviceRef } from "../common/connections";
import { deviceLabel } from "../transport/connection";
import { deviceRefIdentity, deviceRefSchema, deviceUrlOf } from "../common/connections";
import { isDeviceError } from "../transport/errors";
import { AxisClient } from "./client";
import { deleteIdempotently, findCaCertificate } from "./lookup";

export const axisCaCertificateInputsSchema = z
  .object({
    device: deviceRefSchema,
    idPrefix: idPrefixSchema,
    certificate: z
      .string()
      .min(1, "must not be empty")
      .max(64 * 1024, "must be at most 65536 bytes"),
  })
  .strict();

export type AxisCaCertificateInputs = z.infer<typeof axisCaCertificateInputsSchema>;

export interface AxisCaCertificateOutputs extends CertificateInfo {
  device: DeviceRef;
  deviceUrl: string;
  idPrefix: string;
  certificateId: string;
  issuedFingerprintSha256: string;
}

/** A CA certificate in the camera's store (for 802.1X server validation and HTTPS chains). */
export class AxisCaCertificateProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const { value, failures } = schemaFailures(axisCaCertificateInputsSchema, news);
    const list = new FailureList();
    list.items.push(...failures);
    const info =
      value && list.attempt("certificate", value.certificate, () => certificateFromPem(value.certificate));
    const problem = info && validityProblem(info, now());
    if (problem) list.add("certificate", `certificate ${problem}`);
    if (info && !info.isCa && !info.selfIssued) {
      list.add(
        "certificate",
        "certificate is neither a CA certificate (basicConstraints CA:TRUE) nor self-issued",
      );
    }
    return { inputs: news, failures: list.items };
  }

  async diff(
    _id: string,
    olds: AxisCaCertificateOutputs,
    news: AxisCaCertificateInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    if (deviceRefIdentity(olds.device) !== deviceRefIdentity(news.device)) replaces.push("device");
    if (olds.idPrefix !== news.idPrefix) replaces.push("idPrefix");
    let wanted: string | undefined;
    try {
      wanted = certificateFromPem(news.certificate).fingerprintSha256;
    } catch {
      wanted = undefined; // unknown during preview
    }
    if (wanted !== olds.issuedFingerprintSha256) replaces.push("certificate");
    if (olds.fingerprintSha256 !== olds.issuedFingerprintSha256) replaces.push("fingerprintSha256");
    const other = changedKeys({ device: olds.device }, { device: news.device }, []);
    return {
      changes: replaces.length > 0 || other.length > 0 || providerChanged(olds, news),
      replaces,
      deleteBeforeReplace: false,
    };
  }

  async create(inputs: AxisCaCertificateInputs): Promise<pulumi.dynamic.CreateResult> {
    const client = new AxisClient(inputs.device);
    const id = generationId(inputs.idPrefix);
    const der = certificatesFromPem(inputs.certificate)[0];
    try {
      await client.loadCACertificates([{ id, der }]);
    } catch (err) {
      // A lost answer: look before sending again (the generation ID is this call's alone).
      if (!isDeviceError(err) || !err.maybeApplied) throw err;
      if (!(await findCaCertificate(client, id))) {
        await client.loadCACertificates([{ id, der }]).catch(async (again: unknown) => {
          if (!(await findCaCertificate(client, id))) throw again;
        });
      }
    }
    const info = certificateFromDer(der);
    return { id, outs: outputs(inputs, id, info, info.fingerprintSha256) };
  }

  async read(id: string, props: AxisCaCertificateOutputs): Promise<pulumi.dynamic.ReadResult> {
    const stored = await findCaCertificate(new AxisClient(props.device), id);
    if (!stored) return {};
    const outs = { ...props, ...certificateFromDerKnown(stored.der, props), certificateId: id };
    return { id, props: outs };
  }

  async update(
    id: string,
    olds: AxisCaCertificateOutputs,
    news: AxisCaCertificateInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: outputs(news, id, olds, olds.issuedFingerprintSha256) };
  }

  async delete(id: string, props: AxisCaCertificateOutputs): Promise<void> {
    await deleteIdempotently(new AxisClient(props.device), id, true);
  }
}

function outputs(
  inputs: AxisCaCertificateInputs,
  id: string,
  info: CertificateInfo,
  issued: string,
): AxisCaCertificateOutputs {
  return {
    ...info,
    device: inputs.device,
    deviceUrl: deviceLabel(deviceUrlOf(inputs.device)),
    idPrefix: inputs.idPrefix,
    certificateId: id,
    issuedFingerprintSha256: issued,
  };
}

const PROVIDER = providerText(
  "pulumi-axis-sps/dist/provider/axis/caCertificate",
  "AxisCaCertificateProvider",
);

export interface AxisCaCertificateArgs {
  /** The device: a connection, or the name of one in the stack config `pulumi-axis-sps:devices`. */
  device: pulumi.Input<DeviceArgs>;
  /** Prefix of the ID on the camera; a generation suffix is added. Defaults to the resource name. */
  idPrefix?: pulumi.Input<string>;
  /** The CA certificate, PEM. */
  certificate: pulumi.Input<string>;
}

/** A CA certificate in an Axis camera's CA store. */
export class AxisCaCertificate extends HostedResource {
  declare readonly certificateId: pulumi.Output<string>;
  declare readonly fingerprintSha256: pulumi.Output<string>;
  declare readonly subject: pulumi.Output<string>;
  declare readonly notAfter: pulumi.Output<string>;
  declare readonly deviceUrl: pulumi.Output<string>;

  constructor(name: string, args: AxisCaCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDER,
      name,
      {
        idPrefix: name,
        ...args,
        device: secretDevice(args.device),
        certificateId: undefined,
        fingerprintSha256: undefined,
        subject: undefined,
        notAfter: undefined,
        deviceUrl: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: deviceSecretOutputs(args.device) }),
      "axis",
      "CaCertificate",
    );
  }
}
