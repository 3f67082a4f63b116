// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect polyfill loaded first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import type { KeyObject, webcrypto as WebCryptoTypes } from "node:crypto";
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  randomBytes,
  webcrypto,
} from "node:crypto";

type CryptoKey = WebCryptoTypes.CryptoKey;
const subtle = webcrypto.subtle;

/** The key types the simulated device can generate itself. */
export type OnDeviceKeyType = "EC-P256" | "RSA-2048";

/** An X.509 name as RDNs in order, each `{ shortName: [value] }` (also OIDs as keys). */
export type JsonName = x509.JsonName;

export interface IssuedCertificate {
  readonly der: Buffer;
  readonly privateKey: KeyObject;
}

export function generateEcKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
}

export function generateRsaKey(bits = 2048): Promise<KeyObject> {
  return new Promise((resolve, reject) =>
    generateKeyPair("rsa", { modulusLength: bits }, (err, _pub, priv) => (err ? reject(err) : resolve(priv))),
  );
}

export async function generateKey(type: OnDeviceKeyType): Promise<KeyObject> {
  return type === "RSA-2048" ? generateRsaKey(2048) : generateEcKey();
}

interface Algorithms {
  readonly importParams: WebCryptoTypes.RsaHashedImportParams | WebCryptoTypes.EcKeyImportParams;
  readonly signing: WebCryptoTypes.Algorithm | WebCryptoTypes.EcdsaParams;
}

const CURVES: Record<string, { readonly webName: string; readonly hash: string }> = {
  prime256v1: { webName: "P-256", hash: "SHA-256" },
  secp384r1: { webName: "P-384", hash: "SHA-384" },
  secp521r1: { webName: "P-521", hash: "SHA-512" },
};

function algorithmsFor(key: KeyObject): Algorithms {
  if (key.asymmetricKeyType === "rsa") {
    return {
      importParams: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      signing: { name: "RSASSA-PKCS1-v1_5" },
    };
  }
  const curve =
    key.asymmetricKeyType === "ec" ? CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""] : undefined;
  if (!curve) throw new Error(`unsupported key type ${key.asymmetricKeyType ?? "unknown"}`);
  return {
    importParams: { name: "ECDSA", namedCurve: curve.webName },
    signing: { name: "ECDSA", hash: curve.hash } as WebCryptoTypes.EcdsaParams,
  };
}

/** WebCrypto handles per node:crypto key: CA keys sign many certificates, import them once. */
const signingKeys = new WeakMap<KeyObject, Promise<CryptoKey>>();

/** The node:crypto private key as a WebCrypto signing key, which is what @peculiar/x509 signs with. */
function signingKey(privateKey: KeyObject): Promise<CryptoKey> {
  let key = signingKeys.get(privateKey);
  if (!key) {
    const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
    key = Promise.resolve(
      subtle.importKey("pkcs8", pkcs8, algorithmsFor(privateKey).importParams, false, ["sign"]),
    );
    signingKeys.set(privateKey, key);
  }
  return key;
}

async function webKeys(privateKey: KeyObject): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  const spkiDer = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const [priv, pub] = await Promise.all([
    signingKey(privateKey),
    subtle.importKey("spki", spkiDer, algorithmsFor(privateKey).importParams, true, ["verify"]),
  ]);
  return { privateKey: priv, publicKey: pub };
}

/** A positive serial number (leading byte below 0x80 so the DER INTEGER is never negative). */
function serialNumber(): string {
  return `1${randomBytes(15).toString("hex")}`;
}

const issuerNames = new WeakMap<Buffer, x509.Name>();

/** Issuer name of certificates signed by this CA certificate (parsed once: parsing dominates signing time). */
function issuerNameOf(caDer: Buffer): x509.Name {
  let name = issuerNames.get(caDer);
  if (!name) {
    name = new x509.X509Certificate(caDer).subjectName;
    issuerNames.set(caDer, name);
  }
  return name;
}

export interface CertificateParams {
  readonly subject: JsonName;
  readonly subjectKey: KeyObject;
  /** Absent for a self-signed certificate. */
  readonly issuer?: { readonly certificateDer: Buffer; readonly privateKey: KeyObject };
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions?: readonly x509.Extension[];
}

export async function createCertificate(params: CertificateParams): Promise<Buffer> {
  const signerPrivate = params.issuer ? params.issuer.privateKey : params.subjectKey;
  // The subject's public key goes in as SPKI DER: no WebCrypto import needed for it.
  const publicKey = createPublicKey(params.subjectKey).export({ type: "spki", format: "der" });
  const issuerName = params.issuer
    ? issuerNameOf(params.issuer.certificateDer)
    : new x509.Name(params.subject);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: params.subject,
    issuer: issuerName,
    notBefore: params.notBefore,
    notAfter: params.notAfter,
    publicKey,
    signingKey: await signingKey(signerPrivate),
    signingAlgorithm: algorithmsFor(signerPrivate).signing,
    extensions: [...(params.extensions ?? [])],
  });
  return Buffer.from(cert.rawData);
}

/** A real PKCS#10 request, signed by the stored key, for the given subject. */
export async function createCsr(subject: JsonName, privateKey: KeyObject): Promise<Buffer> {
  const keys = await webKeys(privateKey);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: algorithmsFor(privateKey).signing,
  });
  return Buffer.from(csr.rawData);
}

export const extensions = {
  ca: (): x509.Extension[] => [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ],
  tlsServer: (dnsNames: readonly string[], ips: readonly string[]): x509.Extension[] => [
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      ...dnsNames.map((value) => ({ type: "dns" as const, value })),
      ...ips.map((value) => ({ type: "ip" as const, value })),
    ]),
  ],
  clientAuth: (): x509.Extension[] => [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ],
};

/** Parses DER; undefined when the bytes are not an X.509 certificate. */
export function parseCertificate(der: Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

/**
 * A private key from DER. PKCS#8 is what lego-acap sends; PKCS#1 (RSA) and SEC1 (EC) are accepted too
 * because the node-red client uploads whatever PEM body it has [INFERRED: the device format is unspecified].
 * Encrypted PKCS#8 is refused (there is no password field in the operation).
 */
export function parsePrivateKeyDer(der: Buffer): KeyObject | undefined {
  for (const type of ["pkcs8", "pkcs1", "sec1"] as const) {
    try {
      return createPrivateKey({ key: der, format: "der", type });
    } catch {
      // try the next encoding
    }
  }
  return undefined;
}

export function spki(key: KeyObject | X509Certificate): Buffer {
  const pub = key instanceof X509Certificate ? key.publicKey : createPublicKey(key);
  return pub.export({ type: "spki", format: "der" });
}

export function keyMatchesCertificate(cert: X509Certificate, privateKey: KeyObject): boolean {
  return spki(cert).equals(spki(privateKey));
}

export function sha256Hex(der: Buffer): string {
  return createHash("sha256").update(der).digest("hex");
}

export function toPem(der: Buffer, label = "CERTIFICATE"): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** First PEM block of `label` as DER, or undefined. */
export function pemToDer(text: string, label = "CERTIFICATE"): Buffer | undefined {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  return m ? Buffer.from(m[1].replace(/\s+/g, ""), "base64") : undefined;
}

/**
 * xs:base64Binary, strictly: Buffer.from(…, "base64") silently skips junk, which would let a PEM text in
 * `tt:Data` through. Whitespace (line breaks) is allowed, as the node-red and lego clients send it.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
    return undefined;
  return Buffer.from(compact, "base64");
}

/** Common names of a certificate's subject, in order. */
export function commonNames(der: Buffer): string[] {
  return new x509.X509Certificate(der).subjectName.getField("CN");
}

export function subjectJson(der: Buffer): JsonName {
  return new x509.X509Certificate(der).subjectName.toJSON();
}
