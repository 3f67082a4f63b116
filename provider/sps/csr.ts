import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { FailureList, hasUnknown, schemaFailures } from "../common/check";
import { now } from "../common/clock";
import type { DeviceArgs } from "../common/deviceArgs";
import { deviceSecretOutputs, secretDevice } from "../common/deviceArgs";
import { changedKeys, providerChanged, sameJson } from "../common/diff";
import { HostedResource, providerText } from "../common/remote";
import { hasControlCharacters } from "../common/text";
import {
  certificateFromDer,
  certificateFromPem,
  certificatesFromPem,
  chainProblem,
  daysUntilExpiry,
  validityProblem,
} from "../pki/certificate";
import { keyMatchesCertificate, parsePrivateKey } from "../pki/keys";
import { toPem } from "../pki/pem";
import { signCsr } from "../pki/sign";
import type { DeviceRef } from "../common/connections";
import { deviceLabel } from "../transport/connection";
import { deviceRefIdentity, deviceRefSchema, deviceUrlOf } from "../common/connections";
import type { CsrExtension, NameValue } from "./client";
import { SpsClient } from "./client";
import { isDeviceError } from "../transport/errors";
import type { CertificatePlace } from "./places";
import { PLACE_NAMES, certificatePlaceSchema, referenceCertificate } from "./places";

const safeText = z
  .string()
  .min(1, "must not be empty")
  .max(256)
  .refine((s) => !hasControlCharacters(s), "must not contain control characters");

export const spsCsrInputsSchema = z
  .object({
    device: deviceRefSchema,
    /** Subject attributes in order, named by OID or a name SPS translates (commonName, organizationName, …). */
    subject: z
      .array(
        z
          .object({
            name: z.string().regex(/^([A-Za-z]+|\d+(\.\d+)+)$/, "must be an attribute name or an OID"),
            value: safeText,
          })
          .strict(),
      )
      .min(1, "needs at least one attribute"),
    extensions: z
      .array(
        z
          .object({
            name: z.enum([
              "basicConstraints",
              "keyUsage",
              "extendedKeyUsage",
              "subjectAltName",
              "subjectInfoAccess",
            ]),
            value: safeText,
            critical: z.boolean(),
          })
          .strict(),
      )
      .max(16)
      .optional(),
    /** The signed chain, PEM, leaf first: from a CA, a pipeline, or another resource. */
    certificateChain: z
      .string()
      .max(256 * 1024)
      .optional(),
    /** Or: sign the request with this example CA inside the provider. */
    localCa: z
      .object({
        certificate: z.string().min(1),
        privateKey: z.string().min(1),
        validityDays: z.number().int().min(1).max(3650).optional(),
      })
      .strict()
      .optional(),
    /** Trust store that validates the chain on the appliance; null (default) skips that validation. */
    trustStore: z.string().min(1).nullable().optional(),
    /** Where the resulting X.509 identifier is referenced, once there is a chain. */
    usage: certificatePlaceSchema.optional(),
    renewBeforeDays: z.number().int().min(0).max(3650).optional(),
  })
  .strict();

export type SpsCsrInputs = z.infer<typeof spsCsrInputsSchema>;

export interface SpsCsrOutputs {
  device: DeviceRef;
  deviceUrl: string;
  subject: NameValue[];
  extensions?: CsrExtension[];
  certificateChain?: string;
  localCa?: { certificate: string; validityDays?: number };
  trustStore?: string | null;
  usage?: CertificatePlace;
  renewBeforeDays?: number;
  csrKey: string;
  csrPem: string;
  publicKeyPem: string;
  csrFingerprint: string;
  /** The chain on the appliance (what localCa signed, or certificateChain). */
  chainPem?: string;
  x509Key?: string;
  referencedKey?: string;
  fingerprintSha256?: string;
  notAfter?: string;
}

/** The chain to set: the one given, or one signed now by the example CA. */
async function chainFor(inputs: SpsCsrInputs, csrPem: string): Promise<string | undefined> {
  if (inputs.certificateChain) return inputs.certificateChain;
  if (inputs.localCa) {
    const leaf = await signCsr(
      csrPem,
      inputs.localCa.certificate,
      inputs.localCa.privateKey,
      inputs.localCa.validityDays ?? 397,
    );
    return leaf + inputs.localCa.certificate.trim() + "\n";
  }
  return undefined;
}

function splitChain(pem: string): string[] {
  return certificatesFromPem(pem).map((d) => toPem("CERTIFICATE", d));
}

/** A key made on the appliance, its CSR, and (given a signed chain) the X.509 identifier used in a place. */
export class SpsCsrProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const { value, failures } = schemaFailures(spsCsrInputsSchema, news);
    const list = new FailureList();
    list.items.push(...failures);
    if (!value) return { inputs: news, failures: list.items };
    if (news.certificateChain !== undefined && news.localCa !== undefined)
      list.add("localCa", "give certificateChain or localCa, not both");
    if (value.certificateChain && !hasUnknown(value.certificateChain)) {
      const ders = list.attempt("certificateChain", value.certificateChain, () =>
        certificatesFromPem(value.certificateChain!),
      );
      if (ders) {
        const broken = chainProblem(ders[0], ders.slice(1));
        if (broken) list.add("certificateChain", `certificateChain does not link: ${broken}`);
        const problem = validityProblem(certificateFromDer(ders[0]), now());
        if (problem) list.add("certificateChain", `certificateChain's first certificate ${problem}`);
      }
    }
    if (value.localCa && !hasUnknown(value.localCa)) {
      const ca = list.attempt("localCa.certificate", value.localCa.certificate, () =>
        certificateFromPem(value.localCa!.certificate),
      );
      const key = list.attempt("localCa.privateKey", value.localCa.privateKey, () =>
        parsePrivateKey(value.localCa!.privateKey),
      );
      if (ca && key && !keyMatchesCertificate(key, certificatesFromPem(value.localCa.certificate)[0])) {
        list.add("localCa.privateKey", "localCa.privateKey does not match localCa.certificate");
      }
      if (ca && !ca.isCa)
        list.add(
          "localCa.certificate",
          "localCa.certificate is not a CA certificate (basicConstraints CA:TRUE)",
        );
    }
    return { inputs: news, failures: list.items };
  }

  async diff(_id: string, olds: SpsCsrOutputs, news: SpsCsrInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    if (deviceRefIdentity(olds.device) !== deviceRefIdentity(news.device)) replaces.push("device");
    if (!sameJson(olds.subject, news.subject)) replaces.push("subject");
    if (!sameJson(olds.extensions ?? [], news.extensions ?? [])) replaces.push("extensions");
    // A new key is the only way to a new certificate with SPS CSRs: renewal replaces the CSR.
    if (
      olds.notAfter &&
      news.renewBeforeDays !== undefined &&
      daysUntilExpiry(olds.notAfter, now()) < news.renewBeforeDays
    )
      replaces.push("notAfter");
    if (olds.usage && olds.x509Key && olds.referencedKey !== olds.x509Key) replaces.push("referencedKey");
    const changed = changedKeys(
      {
        device: olds.device,
        certificateChain: olds.certificateChain,
        localCa: olds.localCa?.certificate,
        trustStore: olds.trustStore,
        usage: olds.usage,
        renewBeforeDays: olds.renewBeforeDays,
      },
      {
        device: news.device,
        certificateChain: news.certificateChain,
        localCa: news.localCa?.certificate,
        trustStore: news.trustStore,
        usage: news.usage,
        renewBeforeDays: news.renewBeforeDays,
      },
      [],
    );
    return { changes: replaces.length > 0 || changed.length > 0 || providerChanged(olds, news), replaces };
  }

  async create(inputs: SpsCsrInputs): Promise<pulumi.dynamic.CreateResult> {
    const client = new SpsClient(inputs.device);
    const csrKey = await createCsrOnce(client, inputs.subject, inputs.extensions ?? []);
    try {
      const csr = await client.getCsr(csrKey);
      if (!csr?.body) throw new Error(`${client.device}: CSR ${csrKey} vanished right after it was made`);
      const base = baseOutputs(
        inputs,
        csrKey,
        csr.body.pem,
        csr.body.public_key,
        csr.body.fingerprint.digest,
      );
      return { id: csrKey, outs: await this.attachChain(client, inputs, base) };
    } catch (err) {
      // Create is all or nothing: a CSR whose chain could not be set is removed again.
      await client.deleteCsr(csrKey).catch(() => undefined);
      throw err;
    }
  }

  /** Sets the chain (if there is one) and references the identifier, in one transaction. */
  private async attachChain(
    client: SpsClient,
    inputs: SpsCsrInputs,
    base: SpsCsrOutputs,
  ): Promise<SpsCsrOutputs> {
    const chainPem = await chainFor(inputs, base.csrPem);
    if (!chainPem) return base;
    const chain = splitChain(chainPem);
    const leaf = certificateFromPem(chain[0]);
    const x509Key = await client.withTransaction(
      `pulumi: certificate chain for CSR ${base.csrKey}${inputs.usage ? ` as ${PLACE_NAMES[inputs.usage]}` : ""}`,
      async () => {
        const key = await client.setCsrChain(base.csrKey, chain, inputs.trustStore ?? null);
        if (inputs.usage) await referenceCertificate(client, inputs.usage, key);
        return key;
      },
    );
    return {
      ...base,
      chainPem,
      x509Key,
      referencedKey: inputs.usage ? x509Key : undefined,
      fingerprintSha256: leaf.fingerprintSha256,
      notAfter: leaf.notAfter,
    };
  }

  async read(id: string, props: SpsCsrOutputs): Promise<pulumi.dynamic.ReadResult> {
    const client = new SpsClient(props.device);
    const csr = await client.getCsr(id);
    if (!csr) return {}; // deleted on the appliance: the next up makes a new key and CSR
    const outs: SpsCsrOutputs = { ...props };
    if (props.usage && props.x509Key)
      outs.referencedKey = (await client.getManagementCertificates())[props.usage];
    return { id, props: outs };
  }

  async update(id: string, olds: SpsCsrOutputs, news: SpsCsrInputs): Promise<pulumi.dynamic.UpdateResult> {
    const base = { ...baseOutputs(news, id, olds.csrPem, olds.publicKeyPem, olds.csrFingerprint) };
    const chainChanged =
      (olds.certificateChain ?? "") !== (news.certificateChain ?? "") ||
      (olds.localCa?.certificate ?? "") !== (news.localCa?.certificate ?? "") ||
      (olds.trustStore ?? null) !== (news.trustStore ?? null) ||
      !olds.x509Key;
    const client = new SpsClient(news.device);
    if (chainChanged) return { outs: await this.attachChain(client, news, base) };
    const kept: SpsCsrOutputs = {
      ...base,
      chainPem: olds.chainPem,
      x509Key: olds.x509Key,
      fingerprintSha256: olds.fingerprintSha256,
      notAfter: olds.notAfter,
    };
    if (news.usage && olds.x509Key && news.usage !== olds.usage) {
      await client.withTransaction(`pulumi: use CSR ${id} as ${PLACE_NAMES[news.usage]}`, () =>
        referenceCertificate(client, news.usage!, olds.x509Key!),
      );
      kept.referencedKey = olds.x509Key;
    } else if (news.usage) kept.referencedKey = olds.referencedKey;
    return { outs: kept };
  }

  /**
   * Deletes the CSR and its key. The X.509 identifier made from it stays referenced until another takes its
   * place (SPS: "Deleting a CSR does not remove the corresponding X.509 identifier").
   */
  async delete(id: string, props: SpsCsrOutputs): Promise<void> {
    const client = new SpsClient(props.device);
    try {
      await client.deleteCsr(id);
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
  }
}

/**
 * Creates a CSR exactly once. The CSRs there before are noted first: when the answer to the create is lost,
 * a CSR that appeared since with our subject is ours (adopted); none means it is safe to ask again.
 */
async function createCsrOnce(
  client: SpsClient,
  subject: NameValue[],
  extensions: CsrExtension[],
): Promise<string> {
  const before = new Set((await client.listCsrs()).map((c) => c.key));
  const request = { subject, extensions };
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.createCsr(request);
    } catch (err) {
      if (!isDeviceError(err) || !err.transient || attempt >= 3) throw err;
      const appeared = (await client.listCsrs()).filter(
        (c) => !before.has(c.key) && c.body && sameJson(c.body.subject, subject),
      );
      if (appeared.length === 1) return appeared[0].key;
      for (const stray of appeared) await client.deleteCsr(stray.key);
    }
  }
}

function baseOutputs(
  inputs: SpsCsrInputs,
  csrKey: string,
  csrPem: string,
  publicKeyPem: string,
  fingerprint: string,
): SpsCsrOutputs {
  const out: SpsCsrOutputs = {
    device: inputs.device,
    deviceUrl: deviceLabel(deviceUrlOf(inputs.device)),
    subject: inputs.subject,
    csrKey,
    csrPem,
    publicKeyPem,
    csrFingerprint: fingerprint,
  };
  if (inputs.extensions) out.extensions = inputs.extensions;
  if (inputs.certificateChain) out.certificateChain = inputs.certificateChain;
  if (inputs.localCa)
    out.localCa = { certificate: inputs.localCa.certificate, validityDays: inputs.localCa.validityDays };
  if (inputs.trustStore !== undefined) out.trustStore = inputs.trustStore;
  if (inputs.usage) out.usage = inputs.usage;
  if (inputs.renewBeforeDays !== undefined) out.renewBeforeDays = inputs.renewBeforeDays;
  return out;
}

const PROVIDER = providerText("pulumi-axis-sps/dist/provider/sps/csr", "SpsCsrProvider");

export interface SpsCsrArgs {
  /** The device: a connection, or the name of one in the stack config `pulumi-axis-sps:devices`. */
  device: pulumi.Input<DeviceArgs>;
  subject: pulumi.Input<pulumi.Input<{ name: pulumi.Input<string>; value: pulumi.Input<string> }>[]>;
  extensions?: pulumi.Input<
    pulumi.Input<{
      name: pulumi.Input<string>;
      value: pulumi.Input<string>;
      critical: pulumi.Input<boolean>;
    }>[]
  >;
  certificateChain?: pulumi.Input<string>;
  localCa?: pulumi.Input<{
    certificate: pulumi.Input<string>;
    privateKey: pulumi.Input<string>;
    validityDays?: pulumi.Input<number>;
  }>;
  trustStore?: pulumi.Input<string | null>;
  usage?: pulumi.Input<"server" | "tsa" | "ca">;
  renewBeforeDays?: pulumi.Input<number>;
}

/** A key made on an SPS appliance (it never leaves it), its CSR, and the signed chain put to use. */
export class SpsCsr extends HostedResource {
  declare readonly csrKey: pulumi.Output<string>;
  declare readonly csrPem: pulumi.Output<string>;
  declare readonly publicKeyPem: pulumi.Output<string>;
  declare readonly csrFingerprint: pulumi.Output<string>;
  declare readonly x509Key: pulumi.Output<string | undefined>;
  declare readonly fingerprintSha256: pulumi.Output<string | undefined>;
  declare readonly notAfter: pulumi.Output<string | undefined>;
  declare readonly chainPem: pulumi.Output<string | undefined>;
  declare readonly deviceUrl: pulumi.Output<string>;

  constructor(name: string, args: SpsCsrArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDER,
      name,
      {
        ...args,
        device: secretDevice(args.device),
        localCa: args.localCa === undefined ? undefined : pulumi.secret(args.localCa),
        csrKey: undefined,
        csrPem: undefined,
        publicKeyPem: undefined,
        csrFingerprint: undefined,
        x509Key: undefined,
        fingerprintSha256: undefined,
        notAfter: undefined,
        chainPem: undefined,
        deviceUrl: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: deviceSecretOutputs(args.device) }),
      "sps",
      "Csr",
    );
  }
}
