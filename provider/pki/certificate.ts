import "reflect-metadata";
import { X509Certificate as NodeX509, createHash } from "node:crypto";
import { X509Certificate } from "@peculiar/x509";
import { PkiInputError, pemBlocks, toPem } from "./pem";

/** The public facts of a certificate that resources output and compare. */
export interface CertificateInfo {
  /** sha256 of the DER, lowercase hex pairs joined by colons. */
  fingerprintSha256: string;
  subject: string;
  issuer: string;
  commonName: string;
  notBefore: string;
  notAfter: string;
  serialNumber: string;
  certificatePem: string;
  selfIssued: boolean;
  isCa: boolean;
}

export function formatFingerprint(hexOrColon: string): string {
  const hex = hexOrColon.replace(/[:\s]/g, "").toLowerCase();
  return hex.match(/../g)?.join(":") ?? "";
}

/**
 * Parsed certificates by their DER, a few hundred at most: a fleet's resources parse the same site CA and the
 * same device answers again and again, and every parse is an ASN.1 walk.
 */
const parsed = new Map<string, CertificateInfo>();
const PARSED_KEPT = 512;

export function certificateFromDer(der: Uint8Array): CertificateInfo {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  const known = parsed.get(key);
  if (known) return { ...known };
  const info = parseCertificate(der);
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, info);
  return { ...info };
}

const INFO_KEYS = [
  "fingerprintSha256",
  "subject",
  "issuer",
  "commonName",
  "notBefore",
  "notAfter",
  "serialNumber",
  "certificatePem",
  "selfIssued",
  "isCa",
] as const satisfies ReadonlyArray<keyof CertificateInfo>;

/**
 * The facts of a certificate a device returned, taken from `known` (what state says of it) when the DER is
 * the one `known` describes. Most reads find the certificate they left, and a SHA-256 of the DER is what
 * tells: far cheaper than the ASN.1 walk of a parse, which a fleet's refresh would pay per camera.
 */
export function certificateFromDerKnown(der: Uint8Array, known: Partial<CertificateInfo>): CertificateInfo {
  const complete = INFO_KEYS.every((k) => known[k] !== undefined);
  if (complete && known.fingerprintSha256 === formatFingerprint(sha256Hex(der))) {
    return Object.fromEntries(INFO_KEYS.map((k) => [k, known[k]])) as unknown as CertificateInfo;
  }
  return certificateFromDer(der);
}

function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function parseCertificate(der: Uint8Array): CertificateInfo {
  let node: NodeX509;
  let peculiar: X509Certificate;
  try {
    node = new NodeX509(der);
    peculiar = new X509Certificate(der);
  } catch {
    throw new PkiInputError("is not a valid X.509 certificate");
  }
  return {
    fingerprintSha256: formatFingerprint(node.fingerprint256),
    subject: peculiar.subject,
    issuer: peculiar.issuer,
    commonName: peculiar.subjectName.getField("CN")[0] ?? "",
    notBefore: peculiar.notBefore.toISOString(),
    notAfter: peculiar.notAfter.toISOString(),
    serialNumber: peculiar.serialNumber.toLowerCase(),
    certificatePem: toPem("CERTIFICATE", der),
    selfIssued: node.checkIssued(node),
    isCa: node.ca,
  };
}

/**
 * Decoded PEM texts: every resource of a site checks the same site CA, and the decoder walks the whole text
 * each time. Keyed by the text itself (certificates are public), a few dozen at most.
 */
const decodedPem = new Map<string, Buffer[]>();
const DECODED_KEPT = 64;

/** The DER of every certificate in a PEM text; anything but CERTIFICATE blocks is an error. */
export function certificatesFromPem(text: string): Buffer[] {
  const known = decodedPem.get(text);
  if (known) return [...known];
  const blocks = pemBlocks(text);
  const other = blocks.find((b) => b.type !== "CERTIFICATE");
  if (other) throw new PkiInputError(`holds a ${other.type} block where a CERTIFICATE was expected`);
  const ders = blocks.map((b) => b.der);
  if (decodedPem.size >= DECODED_KEPT) decodedPem.delete(decodedPem.keys().next().value!);
  decodedPem.set(text, ders);
  return [...ders];
}

/** Exactly one certificate from PEM. */
export function certificateFromPem(text: string): CertificateInfo {
  const ders = certificatesFromPem(text);
  if (ders.length !== 1)
    throw new PkiInputError(`holds ${ders.length} certificates where exactly one was expected`);
  return certificateFromDer(ders[0]);
}

/** Why a certificate cannot be used now (or `undefined` when it can). */
export function validityProblem(
  info: Pick<CertificateInfo, "notBefore" | "notAfter">,
  now: Date,
): string | undefined {
  if (new Date(info.notAfter).getTime() <= now.getTime()) return `expired on ${info.notAfter}`;
  if (new Date(info.notBefore).getTime() > now.getTime()) return `is not valid until ${info.notBefore}`;
  return undefined;
}

/** Whole days until expiry (negative once expired). */
export function daysUntilExpiry(notAfter: string, now: Date): number {
  return Math.floor((new Date(notAfter).getTime() - now.getTime()) / 86_400_000);
}

/**
 * Checks that `chain` (issuers, nearest first) links `leafDer` upwards: each certificate is issued and
 * signed by the next, with no certificate twice. Returns a problem, or undefined.
 */
export function chainProblem(leafDer: Uint8Array, chainDers: Uint8Array[]): string | undefined {
  const certs = [leafDer, ...chainDers].map((d) => new NodeX509(d));
  const seen = new Set<string>();
  for (let i = 0; i < certs.length; i++) {
    const fp = certs[i].fingerprint256;
    if (seen.has(fp)) return `certificate ${i} appears twice (the chain loops)`;
    seen.add(fp);
    const issuer = certs[i + 1];
    if (!issuer) break;
    if (!certs[i].checkIssued(issuer) || !certs[i].verify(issuer.publicKey)) {
      return `certificate ${i} (${certs[i].subject.replace(/\n/g, ", ")}) is not signed by certificate ${i + 1} (${issuer.subject.replace(/\n/g, ", ")})`;
    }
  }
  return undefined;
}
