import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { x509 } from "./lib";
import { LONG_NAMES, SHORT_NAMES } from "./names";

export type Certificate = InstanceType<typeof x509.X509Certificate>;

/** A PEM problem, worded the way the appliance's OpenSSL wording lets a handler pick the seed message. */
export class PemError extends Error {}

/** Colon-separated lowercase hex, the seed's fingerprint format ("eb:46:b6:…"). */
export function colonHex(data: Buffer): string {
  return data.toString("hex").replace(/(..)(?!$)/g, "$1:");
}

export function digestColonHex(der: ArrayBuffer | Buffer, algorithm: string): string {
  return colonHex(
    createHash(algorithm)
      .update(Buffer.from(der as ArrayBuffer))
      .digest(),
  );
}

/** Every certificate PEM block in a string, in order; anything that is not one fails the whole input. */
export function parseCertificates(text: string): Certificate[] {
  let blocks: ReturnType<typeof x509.PemConverter.decodeWithHeaders>;
  try {
    blocks = x509.PemConverter.decodeWithHeaders(text);
  } catch {
    throw new PemError("no start line");
  }
  if (blocks.length === 0) throw new PemError("no start line");
  return blocks.map((block) => {
    if (block.type !== "CERTIFICATE") throw new PemError("no start line");
    try {
      return new x509.X509Certificate(block.rawData);
    } catch {
      throw new PemError("bad certificate");
    }
  });
}

export function certificateFingerprint(cert: Certificate, algorithm = "sha256"): string {
  return digestColonHex(cert.rawData, algorithm);
}

/** OpenSSL's one-line form without the leading slash, as the seed shows it: "C=RO/ST=State/…/CN=example.com". */
export function subjectString(cert: Certificate): string {
  const name = new x509.Name(cert.subjectName.toArrayBuffer(), SHORT_NAMES);
  return name
    .toJSON()
    .map((rdn) =>
      Object.entries(rdn)
        .flatMap(([type, values]) => values.map((v) => `${type}=${v}`))
        .join("+"),
    )
    .join("/");
}

/** The name/value list form the CSR endpoint uses, long OpenSSL names, OIDs where no name is known. */
export function subjectList(der: ArrayBuffer): Array<{ name: string; value: string }> {
  const name = new x509.Name(der, LONG_NAMES);
  return name
    .toJSON()
    .flatMap((rdn) => Object.entries(rdn).flatMap(([n, vs]) => vs.map((value) => ({ name: n, value }))));
}

export function spkiDer(publicKeyHolder: { publicKey: { rawData: ArrayBuffer } }): Buffer {
  return Buffer.from(publicKeyHolder.publicKey.rawData);
}

/** SubjectPublicKeyInfo DER of the key a private-key PEM carries, as node:crypto re-encodes it. */
export function privateKeySpki(privateKeyPem: string): Buffer {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "der" });
}

/** Compare as node:crypto re-encodes both sides, so point or parameter encodings cannot cause a false mismatch. */
export function sameSpki(a: Buffer, b: Buffer): boolean {
  const norm = (der: Buffer) =>
    createPublicKey({ key: der, format: "der", type: "spki" }).export({ type: "spki", format: "der" });
  try {
    return norm(a).equals(norm(b));
  } catch {
    return false;
  }
}

export function certificateMatchesPrivateKey(cert: Certificate, privateKeyPem: string): boolean {
  return sameSpki(spkiDer(cert), privateKeySpki(privateKeyPem));
}

export function toPem(cert: Certificate): string {
  return `${cert.toString("pem").trim()}\n`;
}
