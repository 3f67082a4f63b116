import { X509Certificate, createHash, createPrivateKey, createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { PkiInputError, pemBlocks } from "./pem";

const KEY_TYPES = new Set(["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]);

/**
 * Keys parsed in this process, by a hash of their PEM: every certificate of a site is checked against the
 * same CA key, and each parse is a trip through OpenSSL. A handful at most (a rotation holds two CAs).
 */
const parsedKeys = new Map<string, KeyObject>();
const KEYS_KEPT = 8;

/** Parses an unencrypted private key in PKCS#8, PKCS#1 or SEC1 PEM. Never puts key material in errors. */
export function parsePrivateKey(pem: string): KeyObject {
  const hash = createHash("sha256").update(pem).digest("hex");
  const known = parsedKeys.get(hash);
  if (known) return known;
  const key = parseKeyPem(pem);
  if (parsedKeys.size >= KEYS_KEPT) parsedKeys.delete(parsedKeys.keys().next().value!);
  parsedKeys.set(hash, key);
  return key;
}

function parseKeyPem(pem: string): KeyObject {
  const blocks = pemBlocks(pem);
  if (blocks.length !== 1)
    throw new PkiInputError(`holds ${blocks.length} PEM blocks where one private key was expected`);
  const type = blocks[0].type;
  if (type === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    throw new PkiInputError(
      "is an encrypted private key; devices accept only unencrypted keys (decrypt it first)",
    );
  }
  if (type === "CERTIFICATE") throw new PkiInputError("holds a certificate where a private key was expected");
  if (!KEY_TYPES.has(type)) throw new PkiInputError(`holds a ${type} block where a private key was expected`);
  try {
    return createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new PkiInputError("is not a valid private key");
  }
}

/** The key as base64 DER PKCS#8, the form Axis devices take on the wire. */
export function pkcs8Base64(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "der" }).toString("base64");
}

/** PKCS#1 PEM for RSA keys (what SPS X.509 uploads want), SEC1 for EC keys. */
export function traditionalPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === "rsa" ? "pkcs1" : "sec1";
  return key.export({ type, format: "pem" }).toString();
}

/** Answers already given, per key object and certificate DER: a site checks one CA pair per resource. */
const matchesSeen = new WeakMap<KeyObject, Map<string, boolean>>();

/** Whether a private key is the one whose public half the certificate carries. */
export function keyMatchesCertificate(key: KeyObject, certificateDer: Uint8Array): boolean {
  const certKey = Buffer.from(
    certificateDer.buffer,
    certificateDer.byteOffset,
    certificateDer.byteLength,
  ).toString("base64");
  let seen = matchesSeen.get(key);
  if (!seen) matchesSeen.set(key, (seen = new Map()));
  const known = seen.get(certKey);
  if (known !== undefined) return known;
  const cert = new X509Certificate(certificateDer);
  const fromKey = createPublicKey(key).export({ type: "spki", format: "der" });
  const fromCert = cert.publicKey.export({ type: "spki", format: "der" });
  const matches = Buffer.compare(fromKey, fromCert) === 0;
  if (seen.size >= KEYS_KEPT * 8) seen.delete(seen.keys().next().value!);
  seen.set(certKey, matches);
  return matches;
}
