import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { FailureList, hasUnknown, isUnknown, schemaFailures } from "../common/check";
import { now } from "../common/clock";
import { changedKeys, providerChanged, sameJson, stripUndefined } from "../common/diff";
import { ID_PATTERN, generationId, idPrefixSchema } from "../common/ids";
import type { DeviceArgs } from "../common/deviceArgs";
import { deviceSecretOutputs, secretDevice } from "../common/deviceArgs";
import { HostedResource, providerText } from "../common/remote";
import { hasUnsafeText } from "../common/text";
import type { CertificateInfo } from "../pki/certificate";
import {
  certificateFromDer,
  certificateFromDerKnown,
  certificateFromPem,
  certificatesFromPem,
  chainProblem,
  daysUntilExpiry,
  validityProblem,
} from "../pki/certificate";
import { keyMatchesCertificate, parsePrivateKey, pkcs8Base64 } from "../pki/keys";
import { fromBase64, pemBlocks, toPem } from "../pki/pem";
import { signCsr } from "../pki/sign";
import { openPkcs12 } from "../pki/pkcs12";
import type { DeviceRef } from "../common/connections";
import { deviceLabel } from "../transport/connection";
import { deviceRefIdentity, deviceRefSchema, deviceUrlOf } from "../common/connections";
import { isDeviceError } from "../transport/errors";
import type { AxisSubject } from "./client";
import { AxisClient } from "./client";
import { deleteIdempotently, findCertificate } from "./lookup";

const MAX_PEM = 64 * 1024;
const MAX_PKCS12 = 256 * 1024;

const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !hasUnsafeText(s), 'must not contain control characters or < > & "');

export const axisSubjectSchema = z
  .object({
    commonName: text(64).pipe(z.string().min(1, "must not be empty")).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, "must be a two-letter ISO 3166 country code")
      .optional(),
    state: text(128).optional(),
    locality: text(128).optional(),
    organization: text(64).optional(),
    organizationalUnit: text(64).optional(),
  })
  .strict();

export const axisCertificateInputsSchema = z
  .object({
    device: deviceRefSchema,
    idPrefix: idPrefixSchema,
    /** Make the certificate's common name its device ID (what Axis requires of an 802.1X client certificate). */
    commonNameFromId: z.boolean().optional(),
    exactId: z
      .string()
      .min(1)
      .max(128)
      .regex(ID_PATTERN, "may hold only letters, digits, space and . _ ( ) -")
      .optional(),
    selfSigned: z
      .object({
        subject: axisSubjectSchema,
        validityDays: z.number().int().min(1).max(36_500).optional(),
      })
      .strict()
      .optional(),
    deviceCsr: z
      .object({
        subject: axisSubjectSchema,
        /** DNS names and IP addresses for the certificate; the device URL's host is always included. */
        subjectAltNames: z
          .array(z.string().regex(/^[A-Za-z0-9.:*-]{1,253}$/, "is not a DNS name or IP address"))
          .max(32)
          .optional(),
        localCa: z
          .object({
            certificate: z.string().min(1, "must not be empty").max(MAX_PEM),
            privateKey: z.string().min(1, "must not be empty").max(MAX_PEM),
            validityDays: z.number().int().min(1).max(3650).optional(),
          })
          .strict(),
      })
      .strict()
      .optional(),
    pem: z
      .object({
        certificate: z.string().min(1, "must not be empty").max(MAX_PEM, `must be at most ${MAX_PEM} bytes`),
        privateKey: z.string().min(1, "must not be empty").max(MAX_PEM, `must be at most ${MAX_PEM} bytes`),
        chain: z
          .string()
          .max(MAX_PEM * 4)
          .optional(),
      })
      .strict()
      .optional(),
    pkcs12: z
      .object({
        data: z
          .string()
          .min(1, "must not be empty")
          .max(MAX_PKCS12 * 2, `must be at most ${MAX_PKCS12} bytes`),
        password: z.string().max(1024),
      })
      .strict()
      .optional(),
    renewBeforeDays: z.number().int().min(0).max(3650).optional(),
  })
  .strict();

export type AxisCertificateInputs = z.infer<typeof axisCertificateInputsSchema>;

/** What state keeps: the inputs without private key material, and the facts of the certificate. */
export interface AxisCertificateOutputs extends CertificateInfo {
  device: DeviceRef;
  deviceUrl: string;
  idPrefix: string;
  exactId?: string;
  commonNameFromId?: boolean;
  selfSigned?: AxisCertificateInputs["selfSigned"];
  /** The source without the CA key, and the CA by its fingerprint: state need not carry its PEM again. */
  deviceCsr?: {
    subject: z.infer<typeof axisSubjectSchema>;
    localCa: { certificateFingerprintSha256?: string; validityDays?: number };
  };
  pem?: { certificate: string; chain?: string };
  pkcs12?: { certificateFingerprintSha256: string };
  renewBeforeDays?: number;
  certificateId: string;
  /** The fingerprint we put on the device; `fingerprintSha256` is what the device holds now. */
  issuedFingerprintSha256: string;
}

const SOURCES = ["selfSigned", "deviceCsr", "pem", "pkcs12"] as const;

/** The certificate a pem or pkcs12 source will put on the device, known before any request. */
function sourceCertificate(inputs: AxisCertificateInputs): CertificateInfo | undefined {
  if (inputs.pem && !hasUnknown(inputs.pem.certificate)) return certificateFromPem(inputs.pem.certificate);
  if (inputs.pkcs12 && !hasUnknown(inputs.pkcs12)) {
    return certificateFromDer(
      openPkcs12(fromBase64(inputs.pkcs12.data), inputs.pkcs12.password).certificateDer,
    );
  }
  return undefined;
}

export class AxisCertificateProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const { value, failures } = schemaFailures(axisCertificateInputsSchema, news);
    const list = new FailureList();
    list.items.push(...failures);
    const present = SOURCES.filter((s) => news[s] !== undefined);
    if (present.length !== 1) {
      const reason = `exactly one of selfSigned, deviceCsr, pem or pkcs12 must be set (found ${present.length ? present.join(", ") : "none"})`;
      for (const property of present.length ? present : ["selfSigned"]) list.add(property, reason);
    }
    if (!value) return { inputs: news, failures: list.items };
    const at = now();
    const checkUsable = (property: string, info: CertificateInfo | undefined) => {
      if (!info) return;
      const problem = validityProblem(info, at);
      if (problem) list.add(property, `${property} ${problem}`);
      else if (
        value.renewBeforeDays !== undefined &&
        daysUntilExpiry(info.notAfter, at) < value.renewBeforeDays
      ) {
        list.add(
          property,
          `${property} expires on ${info.notAfter}, inside renewBeforeDays (${value.renewBeforeDays}); every plan would replace it. Supply a newer certificate or lower renewBeforeDays`,
        );
      }
    };
    if (value.pem) {
      const cert = list.attempt("pem.certificate", value.pem.certificate, () =>
        certificateFromPem(value.pem!.certificate),
      );
      const certDer = list.attempt(
        "pem.certificate",
        cert ? value.pem.certificate : undefined,
        () => certificatesFromPem(value.pem!.certificate)[0],
      );
      checkUsable("pem.certificate", cert);
      const key = list.attempt("pem.privateKey", value.pem.privateKey, () =>
        parsePrivateKey(value.pem!.privateKey),
      );
      if (key && certDer && !keyMatchesCertificate(key, certDer)) {
        list.add(
          "pem.privateKey",
          "pem.privateKey does not match pem.certificate (their public keys differ)",
        );
      }
      if (value.pem.chain && certDer) {
        const chain = list.attempt("pem.chain", value.pem.chain, () =>
          certificatesFromPem(value.pem!.chain!),
        );
        const problem = chain && chainProblem(certDer, chain);
        if (problem)
          list.add("pem.chain", `pem.chain does not link pem.certificate to its issuers: ${problem}`);
      }
    }
    if (value.pkcs12 && !hasUnknown(value.pkcs12)) {
      const der = list.attempt("pkcs12.data", value.pkcs12.data, () => fromBase64(value.pkcs12!.data));
      if (der && der.length > MAX_PKCS12)
        list.add("pkcs12.data", `pkcs12.data must be at most ${MAX_PKCS12} bytes`);
      const contents = der && list.attempt("pkcs12.data", der, () => openPkcs12(der, value.pkcs12!.password));
      if (contents) checkUsable("pkcs12.data", certificateFromDer(contents.certificateDer));
    }
    for (const source of ["selfSigned", "deviceCsr"] as const) {
      const subject = value[source]?.subject;
      if (subject && subject.commonName === undefined && !value.commonNameFromId) {
        list.add(
          `${source}.subject.commonName`,
          `${source}.subject.commonName is required (or set commonNameFromId)`,
        );
      }
    }
    if (value.commonNameFromId && !value.selfSigned && !value.deviceCsr) {
      list.add(
        "commonNameFromId",
        "commonNameFromId needs a certificate made on the camera (selfSigned or deviceCsr)",
      );
    }
    if (value.commonNameFromId && (value.exactId ?? value.idPrefix).length > (value.exactId ? 64 : 55)) {
      list.add(
        value.exactId ? "exactId" : "idPrefix",
        "with commonNameFromId the ID becomes the common name, which is at most 64 characters",
      );
    }
    if (value.deviceCsr && !hasUnknown(value.deviceCsr.localCa)) {
      const ca = list.attempt("deviceCsr.localCa.certificate", value.deviceCsr.localCa.certificate, () =>
        certificateFromPem(value.deviceCsr!.localCa.certificate),
      );
      const key = list.attempt("deviceCsr.localCa.privateKey", value.deviceCsr.localCa.privateKey, () =>
        parsePrivateKey(value.deviceCsr!.localCa.privateKey),
      );
      if (ca && !ca.isCa)
        list.add("deviceCsr.localCa.certificate", "deviceCsr.localCa.certificate is not a CA certificate");
      if (
        ca &&
        key &&
        !keyMatchesCertificate(key, certificatesFromPem(value.deviceCsr.localCa.certificate)[0])
      ) {
        list.add(
          "deviceCsr.localCa.privateKey",
          "deviceCsr.localCa.privateKey does not match deviceCsr.localCa.certificate",
        );
      }
      const problem = ca && validityProblem(ca, at);
      if (problem) list.add("deviceCsr.localCa.certificate", `deviceCsr.localCa.certificate ${problem}`);
      const days = value.deviceCsr.localCa.validityDays ?? 397;
      if (value.renewBeforeDays !== undefined && days <= value.renewBeforeDays) {
        list.add(
          "deviceCsr.localCa.validityDays",
          `deviceCsr.localCa.validityDays (${days}) must exceed renewBeforeDays (${value.renewBeforeDays})`,
        );
      }
    }
    if (value.selfSigned && value.renewBeforeDays !== undefined && !isUnknown(value.renewBeforeDays)) {
      const days = value.selfSigned.validityDays ?? 365;
      if (days <= value.renewBeforeDays) {
        list.add(
          "selfSigned.validityDays",
          `selfSigned.validityDays (${days}) must exceed renewBeforeDays (${value.renewBeforeDays})`,
        );
      }
    }
    return { inputs: news, failures: list.items };
  }

  async diff(
    _id: string,
    olds: AxisCertificateOutputs,
    news: AxisCertificateInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    if (deviceRefIdentity(olds.device) !== deviceRefIdentity(news.device) && !hasUnknown(news.device))
      replaces.push("device");
    if (olds.idPrefix !== news.idPrefix) replaces.push("idPrefix");
    if (olds.exactId !== news.exactId) replaces.push("exactId");
    if ((olds.commonNameFromId ?? false) !== (news.commonNameFromId ?? false))
      replaces.push("commonNameFromId");
    for (const source of SOURCES) {
      if ((olds[source] === undefined) !== (news[source] === undefined)) replaces.push(source);
    }
    if (news.selfSigned && olds.selfSigned && !sameJson(news.selfSigned, olds.selfSigned))
      replaces.push("selfSigned");
    if (news.deviceCsr && olds.deviceCsr) {
      const wanted = publicDeviceCsr(news.deviceCsr);
      // States written before the CA was kept by fingerprint hold its PEM.
      const oldCa = olds.deviceCsr.localCa as { certificate?: string; certificateFingerprintSha256?: string };
      const had = {
        subject: olds.deviceCsr.subject,
        localCa: {
          certificateFingerprintSha256:
            oldCa.certificateFingerprintSha256 ?? fingerprintOf(oldCa.certificate),
          validityDays: olds.deviceCsr.localCa.validityDays,
        },
      };
      if (!wanted.localCa.certificateFingerprintSha256 || !sameJson(wanted, had)) replaces.push("deviceCsr");
    }
    if ((news.pem && olds.pem) || (news.pkcs12 && olds.pkcs12)) {
      const wanted = hasUnknown(news.pem ?? news.pkcs12) ? undefined : sourceCertificate(news);
      if (!wanted || wanted.fingerprintSha256 !== olds.issuedFingerprintSha256)
        replaces.push(news.pem ? "pem" : "pkcs12");
    }
    // Drift: the device holds another certificate under our ID than the one we put there.
    if (olds.fingerprintSha256 !== olds.issuedFingerprintSha256) replaces.push("fingerprintSha256");
    // Renewal: shown at every preview once inside the window, with no refresh needed.
    if (news.renewBeforeDays !== undefined && daysUntilExpiry(olds.notAfter, now()) < news.renewBeforeDays)
      replaces.push("notAfter");
    const unique = [...new Set(replaces)];
    const other = changedKeys(storedInputs(olds), publicInputs(news), [
      "selfSigned",
      "deviceCsr",
      "pkcs12",
      "idPrefix",
      "exactId",
      "commonNameFromId",
    ]);
    const changes = unique.length > 0 || other.length > 0 || providerChanged(olds, news);
    // A fixed ID cannot exist twice: the old certificate has to go before its successor can be made.
    return {
      changes,
      replaces: unique,
      deleteBeforeReplace: news.exactId !== undefined && news.exactId === olds.exactId,
    };
  }

  async create(inputs: AxisCertificateInputs): Promise<pulumi.dynamic.CreateResult> {
    const client = new AxisClient(inputs.device);
    const id = inputs.exactId ?? generationId(inputs.idPrefix);
    // check() made sure a common name exists unless it is to be the ID.
    const subjectOf = (subject: z.infer<typeof axisSubjectSchema>): AxisSubject => ({
      ...subject,
      commonName: inputs.commonNameFromId ? id : subject.commonName!,
    });
    let info: CertificateInfo;
    if (inputs.selfSigned) {
      const start = now();
      const end = new Date(start.getTime() + (inputs.selfSigned.validityDays ?? 365) * 86_400_000);
      const created = await applyOnce(client, id, () =>
        client.createCertificate2({
          id,
          subject: subjectOf(inputs.selfSigned!.subject),
          validNotBefore: start.toISOString(),
          validNotAfter: end.toISOString(),
        }),
      );
      info = certificateFromDer(created?.der.length ? created.der : await requireStored(client, id));
    } else if (inputs.deviceCsr) {
      info = await createSignedOnDevice(
        client,
        id,
        subjectOf(inputs.deviceCsr.subject),
        inputs.deviceCsr,
        new URL(deviceUrlOf(inputs.device)).hostname,
      );
    } else if (inputs.pem) {
      const certDer = certificatesFromPem(inputs.pem.certificate)[0];
      const key = parsePrivateKey(inputs.pem.privateKey);
      await applyOnce(client, id, () =>
        client.loadCertificateWithPrivateKey([
          { id, certificateDer: certDer, privateKeyPkcs8Der: Buffer.from(pkcs8Base64(key), "base64") },
        ]),
      );
      info = certificateFromDer(certDer);
    } else if (inputs.pkcs12) {
      const data = fromBase64(inputs.pkcs12.data);
      info = certificateFromDer(openPkcs12(data, inputs.pkcs12.password).certificateDer);
      await applyOnce(client, id, () =>
        client.loadPkcs12({ id, pkcs12: data, password: inputs.pkcs12!.password }),
      );
    } else {
      throw new Error("exactly one of selfSigned, deviceCsr, pem or pkcs12 must be set");
    }
    return { id, outs: outputs(inputs, id, info, info.fingerprintSha256) };
  }

  /**
   * What the camera holds under this ID. Like every read here it returns no `inputs`: the engine then keeps
   * the old ones, which carry secrets (keys, passwords) that outputs deliberately do not; drift lives in the
   * outputs, which is what diff compares.
   */
  async read(id: string, props: AxisCertificateOutputs): Promise<pulumi.dynamic.ReadResult> {
    const client = new AxisClient(props.device);
    const stored = await findCertificate(client, id);
    if (!stored) return {};
    const observed = certificateFromDerKnown(stored.der, props);
    const outs: AxisCertificateOutputs = { ...props, ...observed, certificateId: id };
    return { id, props: outs };
  }

  async update(
    id: string,
    olds: AxisCertificateOutputs,
    news: AxisCertificateInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    // Only what needs no device call reaches here: credentials, trust, renewBeforeDays, the chain.
    const info: CertificateInfo = olds;
    return { outs: outputs(news, id, info, olds.issuedFingerprintSha256) };
  }

  async delete(id: string, props: AxisCertificateOutputs): Promise<void> {
    await deleteIdempotently(new AxisClient(props.device), id, false);
  }
}

/** Inputs as state keeps them: no private key, no PKCS#12 data or password. */
function publicInputs(inputs: AxisCertificateInputs): Record<string, unknown> {
  return {
    device: inputs.device,
    idPrefix: inputs.idPrefix,
    exactId: inputs.exactId,
    commonNameFromId: inputs.commonNameFromId,
    selfSigned: inputs.selfSigned,
    deviceCsr: inputs.deviceCsr ? publicDeviceCsr(inputs.deviceCsr) : undefined,
    pem: inputs.pem ? { certificate: inputs.pem.certificate, chain: inputs.pem.chain } : undefined,
    renewBeforeDays: inputs.renewBeforeDays,
  };
}

function fingerprintOf(pem: string | undefined): string | undefined {
  if (pem === undefined || hasUnknown(pem)) return undefined;
  try {
    return certificateFromPem(pem).fingerprintSha256;
  } catch {
    return undefined;
  }
}

/** The deviceCsr source as outputs keep it: no CA key, and the CA certificate by its fingerprint. */
function publicDeviceCsr(
  source: NonNullable<AxisCertificateInputs["deviceCsr"]>,
): NonNullable<AxisCertificateOutputs["deviceCsr"]> {
  return {
    subject: source.subject,
    localCa: {
      certificateFingerprintSha256: fingerprintOf(source.localCa?.certificate),
      validityDays: source.localCa?.validityDays,
    },
  };
}

function storedInputs(outs: AxisCertificateOutputs): Record<string, unknown> {
  return {
    device: outs.device,
    idPrefix: outs.idPrefix,
    exactId: outs.exactId,
    commonNameFromId: outs.commonNameFromId,
    selfSigned: outs.selfSigned,
    deviceCsr: outs.deviceCsr,
    pem: outs.pem,
    renewBeforeDays: outs.renewBeforeDays,
  };
}

function outputs(
  inputs: AxisCertificateInputs,
  id: string,
  info: CertificateInfo,
  issued: string,
): AxisCertificateOutputs {
  return stripUndefined({
    ...(publicInputs(inputs) as Partial<AxisCertificateOutputs>),
    ...info,
    device: inputs.device,
    idPrefix: inputs.idPrefix,
    deviceUrl: deviceLabel(deviceUrlOf(inputs.device)),
    pkcs12: inputs.pkcs12 ? { certificateFingerprintSha256: issued } : undefined,
    certificateId: id,
    issuedFingerprintSha256: issued,
  }) as AxisCertificateOutputs;
}

/**
 * Sends a create once. When the answer was lost after the device may have applied it (timeout, reset),
 * the device is asked whether our generation ID is there before anything is sent again: the ID is unique
 * to this call, so finding it means the upload took.
 */
async function applyOnce<T>(client: AxisClient, id: string, send: () => Promise<T>): Promise<T | undefined> {
  try {
    return await send();
  } catch (err) {
    if (!isDeviceError(err) || !err.maybeApplied) throw err;
    if (await findCertificate(client, id)) return undefined;
    try {
      return await send();
    } catch (again) {
      // A slow first attempt may have landed meanwhile (the device then refuses the ID as a duplicate).
      if (await findCertificate(client, id)) return undefined;
      throw again;
    }
  }
}

/**
 * The key is made on the camera and never leaves it: CreateCertificate2, GetPkcs10Request2, the CSR signed
 * by the site CA here, LoadCertificates under the same ID. A failure after the key exists removes it again,
 * so create leaves nothing behind.
 */
async function createSignedOnDevice(
  client: AxisClient,
  id: string,
  subject: AxisSubject,
  source: NonNullable<AxisCertificateInputs["deviceCsr"]>,
  host: string,
): Promise<CertificateInfo> {
  await applyOnce(client, id, () => client.createCertificate2({ id, subject }));
  try {
    const csrDer = await client.getPkcs10Request2({ id, subject });
    const signedPem = await signCsr(
      toPem("CERTIFICATE REQUEST", csrDer),
      source.localCa.certificate,
      source.localCa.privateKey,
      source.localCa.validityDays ?? 397,
      now(),
      [...new Set([host.replace(/^\[|\]$/g, ""), ...(source.subjectAltNames ?? [])])],
    );
    // Decoded without the PEM cache: a freshly signed certificate is never seen again, and caching each one
    // would push the site CA, which every check decodes, out of it.
    const der = pemBlocks(signedPem)[0].der;
    await client.loadCertificates([{ id, der }]).catch(async (err: unknown) => {
      // A lost answer: the certificate may be on the device already; if not, send it again once.
      if (!isDeviceError(err) || !err.maybeApplied) throw err;
      if ((await findCertificate(client, id))?.der.equals(der)) return;
      await client.loadCertificates([{ id, der }]);
    });
    return certificateFromDer(der);
  } catch (err) {
    await client.deleteCertificates([id]).catch(() => undefined);
    throw err;
  }
}

async function requireStored(client: AxisClient, id: string): Promise<Buffer> {
  const stored = await findCertificate(client, id);
  if (!stored)
    throw new Error(
      `${client.device} CreateCertificate2: certificate ${id} is not on the device after creation`,
    );
  return stored.der;
}

const PROVIDER = providerText("pulumi-axis-sps/dist/provider/axis/certificate", "AxisCertificateProvider");

export interface AxisSubjectArgs {
  /** Required unless commonNameFromId. */
  commonName?: pulumi.Input<string>;
  country?: pulumi.Input<string>;
  state?: pulumi.Input<string>;
  locality?: pulumi.Input<string>;
  organization?: pulumi.Input<string>;
  organizationalUnit?: pulumi.Input<string>;
}

export interface AxisCertificateArgs {
  /** The device: a connection, or the name of one in the stack config `pulumi-axis-sps:devices`. */
  device: pulumi.Input<DeviceArgs>;
  /** Prefix of the certificate ID on the camera; a generation suffix is added. Defaults to the resource name. */
  idPrefix?: pulumi.Input<string>;
  /**
   * A fixed certificate ID instead of prefix + generation suffix, for the 802.1X client certificate whose ID
   * Axis requires to equal its common name. Replacing it is then delete-before-replace.
   */
  exactId?: pulumi.Input<string>;
  /**
   * Use the certificate's device ID as its common name (selfSigned, deviceCsr): a new generation then gets a
   * new name, so an 802.1X client certificate can be replaced while 802.1X keeps using the old one.
   */
  commonNameFromId?: pulumi.Input<boolean>;
  /** A key pair made on the camera (CreateCertificate2) and a self-signed certificate; the key never leaves it. */
  selfSigned?: pulumi.Input<{ subject: pulumi.Input<AxisSubjectArgs>; validityDays?: pulumi.Input<number> }>;
  /**
   * A key made on the camera, its CSR signed by a site CA inside the provider, and the certificate loaded
   * back onto the same ID (GetPkcs10Request2 + LoadCertificates): the key never leaves the camera.
   */
  deviceCsr?: pulumi.Input<{
    subject: pulumi.Input<AxisSubjectArgs>;
    /** Extra DNS names and IP addresses; the host of the device URL is always included. */
    subjectAltNames?: pulumi.Input<pulumi.Input<string>[]>;
    localCa: pulumi.Input<{
      certificate: pulumi.Input<string>;
      privateKey: pulumi.Input<string>;
      validityDays?: pulumi.Input<number>;
    }>;
  }>;
  /** A certificate and its unencrypted private key (PKCS#8, PKCS#1 or SEC1 PEM), and optionally its issuers. */
  pem?: pulumi.Input<{
    certificate: pulumi.Input<string>;
    privateKey: pulumi.Input<string>;
    chain?: pulumi.Input<string>;
  }>;
  /** A PKCS#12 file (base64) and its password. */
  pkcs12?: pulumi.Input<{ data: pulumi.Input<string>; password: pulumi.Input<string> }>;
  /** Replace the certificate once it expires within this many days. */
  renewBeforeDays?: pulumi.Input<number>;
}

/** A client certificate on an Axis camera: made on the device, or uploaded as PEM or PKCS#12. */
export class AxisCertificate extends HostedResource {
  declare readonly certificateId: pulumi.Output<string>;
  declare readonly fingerprintSha256: pulumi.Output<string>;
  declare readonly subject: pulumi.Output<string>;
  declare readonly issuer: pulumi.Output<string>;
  declare readonly commonName: pulumi.Output<string>;
  declare readonly notBefore: pulumi.Output<string>;
  declare readonly notAfter: pulumi.Output<string>;
  declare readonly serialNumber: pulumi.Output<string>;
  declare readonly certificatePem: pulumi.Output<string>;
  declare readonly deviceUrl: pulumi.Output<string>;

  constructor(name: string, args: AxisCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDER,
      name,
      {
        idPrefix: name,
        ...args,
        device: secretDevice(args.device),
        pem: args.pem === undefined ? undefined : pulumi.secret(args.pem),
        deviceCsr: args.deviceCsr === undefined ? undefined : pulumi.secret(args.deviceCsr),
        pkcs12: args.pkcs12 === undefined ? undefined : pulumi.secret(args.pkcs12),
        certificateId: undefined,
        fingerprintSha256: undefined,
        subject: undefined,
        issuer: undefined,
        commonName: undefined,
        notBefore: undefined,
        notAfter: undefined,
        serialNumber: undefined,
        certificatePem: undefined,
        deviceUrl: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: [...deviceSecretOutputs(args.device), "pkcs12"] }),
      "axis",
      "Certificate",
    );
  }
}
