import { X509Certificate as NodeX509, createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { FailureList, hasUnknown, schemaFailures } from "../common/check";
import { now } from "../common/clock";
import type { DeviceArgs } from "../common/deviceArgs";
import { deviceSecretOutputs, secretDevice } from "../common/deviceArgs";
import { changedKeys, providerChanged } from "../common/diff";
import { HostedResource, providerText } from "../common/remote";
import type { CertificateInfo } from "../pki/certificate";
import {
  certificateFromDer,
  certificateFromPem,
  certificatesFromPem,
  chainProblem,
  daysUntilExpiry,
  formatFingerprint,
  validityProblem,
} from "../pki/certificate";
import { keyMatchesCertificate, parsePrivateKey, traditionalPem } from "../pki/keys";
import { toPem } from "../pki/pem";
import type { DeviceRef } from "../common/connections";
import { deviceLabel } from "../transport/connection";
import { deviceRefIdentity, deviceRefSchema, deviceUrlOf } from "../common/connections";
import type { Fingerprint } from "./client";
import { SpsClient } from "./client";
import type { CertificatePlace } from "./places";
import { PLACE_NAMES, certificatePlaceSchema, referenceCertificate } from "./places";

const MAX_PEM = 64 * 1024;

export const spsX509InputsSchema = z
  .object({
    device: deviceRefSchema,
    certificate: z.string().min(1, "must not be empty").max(MAX_PEM, `must be at most ${MAX_PEM} bytes`),
    privateKey: z.string().min(1, "must not be empty").max(MAX_PEM, `must be at most ${MAX_PEM} bytes`),
    issuerChain: z
      .string()
      .max(MAX_PEM * 4)
      .optional(),
    usage: certificatePlaceSchema,
    renewBeforeDays: z.number().int().min(0).max(3650).optional(),
  })
  .strict();

export type SpsX509Inputs = z.infer<typeof spsX509InputsSchema>;

export interface SpsX509Outputs extends CertificateInfo {
  device: DeviceRef;
  deviceUrl: string;
  /** Only in states written by earlier versions: `certificatePem` holds what was uploaded. */
  certificate?: string;
  issuerChain?: string;
  usage: CertificatePlace;
  renewBeforeDays?: number;
  x509Key: string;
  /** What the place references now; differs from x509Key when someone replaced it by hand. */
  referencedKey: string;
  issuedFingerprintSha256: string;
}

/** Compares an SPS fingerprint, whatever hash the appliance chose, with a certificate. */
export function fingerprintMatches(fp: Fingerprint | undefined, certificateDer: Buffer): boolean {
  if (!fp) return false;
  const algorithm = fp.hash_algorithm.toLowerCase().replace("-", "");
  const cert = new NodeX509(certificateDer);
  const expected =
    algorithm === "sha256" ? cert.fingerprint256 : algorithm === "sha1" ? cert.fingerprint : undefined;
  if (expected) return formatFingerprint(expected) === formatFingerprint(fp.digest);
  return (
    formatFingerprint(createHash(algorithm).update(certificateDer).digest("hex")) ===
    formatFingerprint(fp.digest)
  );
}

/** A certificate and its key uploaded to SPS and referenced by one place, in one transaction. */
export class SpsX509Provider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const { value, failures } = schemaFailures(spsX509InputsSchema, news);
    const list = new FailureList();
    list.items.push(...failures);
    if (!value) return { inputs: news, failures: list.items };
    const cert = list.attempt("certificate", value.certificate, () => certificateFromPem(value.certificate));
    const certDer = cert ? certificatesFromPem(value.certificate)[0] : undefined;
    const problem = cert && validityProblem(cert, now());
    if (problem) list.add("certificate", `certificate ${problem}`);
    if (
      cert &&
      value.renewBeforeDays !== undefined &&
      !problem &&
      daysUntilExpiry(cert.notAfter, now()) < value.renewBeforeDays
    ) {
      list.add(
        "certificate",
        `certificate expires on ${cert.notAfter}, inside renewBeforeDays (${value.renewBeforeDays}); every plan would replace it`,
      );
    }
    const key = list.attempt("privateKey", value.privateKey, () => parsePrivateKey(value.privateKey));
    if (key && key.asymmetricKeyType !== "rsa") {
      list.add(
        "privateKey",
        `privateKey is an ${key.asymmetricKeyType?.toUpperCase()} key; SPS takes only RSA keys (PKCS-1) for X.509 objects — use SpsCsr for an EC key made on the appliance`,
      );
    }
    if (key && certDer && !keyMatchesCertificate(key, certDer))
      list.add("privateKey", "privateKey does not match certificate (their public keys differ)");
    if (certDer && value.issuerChain && !hasUnknown(value.issuerChain)) {
      const chain = list.attempt("issuerChain", value.issuerChain, () =>
        certificatesFromPem(value.issuerChain!),
      );
      const broken = chain && chainProblem(certDer, chain);
      if (broken) list.add("issuerChain", `issuerChain does not link certificate to its issuers: ${broken}`);
    }
    return { inputs: news, failures: list.items };
  }

  async diff(_id: string, olds: SpsX509Outputs, news: SpsX509Inputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    if (deviceRefIdentity(olds.device) !== deviceRefIdentity(news.device)) replaces.push("device");
    if (olds.usage !== news.usage) replaces.push("usage");
    let wanted: string | undefined;
    try {
      wanted = certificateFromPem(news.certificate).fingerprintSha256;
    } catch {
      wanted = undefined;
    }
    if (wanted !== olds.issuedFingerprintSha256) replaces.push("certificate");
    if ((olds.issuerChain ?? "") !== (news.issuerChain ?? "")) replaces.push("issuerChain");
    if (olds.referencedKey !== olds.x509Key) replaces.push("referencedKey");
    if (olds.fingerprintSha256 !== olds.issuedFingerprintSha256) replaces.push("fingerprintSha256");
    if (news.renewBeforeDays !== undefined && daysUntilExpiry(olds.notAfter, now()) < news.renewBeforeDays)
      replaces.push("notAfter");
    const other = changedKeys(
      { device: olds.device, renewBeforeDays: olds.renewBeforeDays },
      { device: news.device, renewBeforeDays: news.renewBeforeDays },
      [],
    );
    return {
      changes: replaces.length > 0 || other.length > 0 || providerChanged(olds, news),
      replaces: [...new Set(replaces)],
    };
  }

  async create(inputs: SpsX509Inputs): Promise<pulumi.dynamic.CreateResult> {
    const client = new SpsClient(inputs.device);
    const key = parsePrivateKey(inputs.privateKey);
    const chain = inputs.issuerChain
      ? certificatesFromPem(inputs.issuerChain).map((d) => toPem("CERTIFICATE", d))
      : [];
    const x509Key = await client.withTransaction(`pulumi: new ${PLACE_NAMES[inputs.usage]}`, async () => {
      const created = await client.createX509({
        certificate: inputs.certificate.trim(),
        private_key: traditionalPem(key),
        issuer_chain: chain,
      });
      await referenceCertificate(client, inputs.usage, created);
      return created;
    });
    const info = certificateFromPem(inputs.certificate);
    return { id: x509Key, outs: outputs(inputs, x509Key, x509Key, info, info.fingerprintSha256) };
  }

  async read(id: string, props: SpsX509Outputs): Promise<pulumi.dynamic.ReadResult> {
    const client = new SpsClient(props.device);
    const [places, object] = await Promise.all([client.getManagementCertificates(), client.getX509(id)]);
    const referenced = places[props.usage];
    if (!object && referenced === id) return {};
    // What we uploaded, as outputs keep it (states written before certificatePem existed hold `certificate`).
    const certDer = certificatesFromPem(props.certificatePem ?? props.certificate)[0];
    // The object is immutable: if it still exists it holds our certificate, unless its fingerprint says otherwise.
    const same = object ? fingerprintMatches(object.body?.fingerprint, certDer) : true;
    const outs: SpsX509Outputs = {
      ...props,
      referencedKey: referenced,
      fingerprintSha256: same ? props.issuedFingerprintSha256 : "changed",
    };
    return { id, props: outs };
  }

  async update(id: string, olds: SpsX509Outputs, news: SpsX509Inputs): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: outputs(news, id, olds.referencedKey, olds, olds.issuedFingerprintSha256) };
  }

  /**
   * SPS cannot delete an X.509 object, and its place (the web certificate, the TSA, the CA) cannot be left
   * empty. Delete leaves the appliance using the certificate; the object is reclaimed once another is
   * referenced in its place (for example by the replacement that caused this delete).
   */
  async delete(): Promise<void> {
    return;
  }
}

function outputs(
  inputs: SpsX509Inputs,
  key: string,
  referenced: string,
  info: CertificateInfo,
  issued: string,
): SpsX509Outputs {
  const out: SpsX509Outputs = {
    ...certificateFromDer(certificatesFromPem(inputs.certificate)[0]),
    // Kept from the last observation: "changed" when the appliance holds another certificate under the key.
    fingerprintSha256: info.fingerprintSha256,
    device: inputs.device,
    deviceUrl: deviceLabel(deviceUrlOf(inputs.device)),
    usage: inputs.usage,
    x509Key: key,
    referencedKey: referenced,
    issuedFingerprintSha256: issued,
  };
  if (inputs.issuerChain !== undefined) out.issuerChain = inputs.issuerChain;
  if (inputs.renewBeforeDays !== undefined) out.renewBeforeDays = inputs.renewBeforeDays;
  return out;
}

const PROVIDER = providerText("pulumi-axis-sps/dist/provider/sps/x509", "SpsX509Provider");

export interface SpsX509Args {
  /** The device: a connection, or the name of one in the stack config `pulumi-axis-sps:devices`. */
  device: pulumi.Input<DeviceArgs>;
  /** The certificate, PEM. */
  certificate: pulumi.Input<string>;
  /** Its unencrypted RSA private key (PKCS#1 or PKCS#8 PEM; sent as PKCS#1 as SPS requires). */
  privateKey: pulumi.Input<string>;
  /** The CA certificates above it, PEM, nearest first. */
  issuerChain?: pulumi.Input<string>;
  /** Where it is used: the web/REST server certificate, the timestamping authority, or the internal CA. */
  usage: pulumi.Input<"server" | "tsa" | "ca">;
  renewBeforeDays?: pulumi.Input<number>;
}

/** An X.509 certificate and key on an SPS appliance, referenced where it is used. */
export class SpsX509 extends HostedResource {
  declare readonly x509Key: pulumi.Output<string>;
  declare readonly fingerprintSha256: pulumi.Output<string>;
  declare readonly subject: pulumi.Output<string>;
  declare readonly issuer: pulumi.Output<string>;
  declare readonly notBefore: pulumi.Output<string>;
  declare readonly notAfter: pulumi.Output<string>;
  declare readonly deviceUrl: pulumi.Output<string>;

  constructor(name: string, args: SpsX509Args, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDER,
      name,
      {
        ...args,
        device: secretDevice(args.device),
        privateKey: pulumi.secret(args.privateKey),
        x509Key: undefined,
        fingerprintSha256: undefined,
        subject: undefined,
        issuer: undefined,
        notBefore: undefined,
        notAfter: undefined,
        deviceUrl: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: deviceSecretOutputs(args.device) }),
      "sps",
      "X509",
    );
  }
}
