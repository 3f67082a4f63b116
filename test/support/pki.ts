import "reflect-metadata";
import { createPrivateKey, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import forge from "node-forge";

type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface Issued {
  certPem: string;
  keyPem: string;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;
const DAY = 86_400_000;

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

/** A self-signed CA. */
export async function makeCa(
  commonName: string,
  opts: { rsa?: boolean; days?: number } = {},
): Promise<Issued> {
  const alg = opts.rsa ? RSA : EC;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01" + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex"),
    name: `CN=${commonName}, O=pulumi-axis-sps tests`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + (opts.days ?? 3650) * DAY),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert, keys, certPem: cert.toString("pem"), keyPem: await keyPem(keys) };
}

/** A leaf signed by `issuer`. */
export async function makeLeaf(
  issuer: Issued,
  commonName: string,
  opts: { rsa?: boolean; notBefore?: Date; notAfter?: Date; ca?: boolean } = {},
): Promise<Issued> {
  const alg = opts.rsa ? RSA : EC;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const issuerAlg = issuer.cert.publicKey.algorithm.name === "ECDSA" ? EC : RSA;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "02" + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex"),
    subject: `CN=${commonName}`,
    issuer: issuer.cert.subject,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingKey: issuer.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: issuerAlg,
    extensions: [
      new x509.BasicConstraintsExtension(opts.ca ?? false, undefined, true),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
      ]),
    ],
  });
  return { cert, keys, certPem: cert.toString("pem"), keyPem: await keyPem(keys) };
}

/** The key as traditional PEM (PKCS#1 for RSA, SEC1 for EC). */
export function traditional(keyPemText: string): string {
  const key = createPrivateKey(keyPemText);
  return key.export({ type: key.asymmetricKeyType === "rsa" ? "pkcs1" : "sec1", format: "pem" }).toString();
}

/** The key encrypted with a passphrase (PKCS#8 ENCRYPTED PRIVATE KEY). */
export function encrypted(keyPemText: string, passphrase = "secret"): string {
  return createPrivateKey(keyPemText)
    .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase })
    .toString();
}

/** A PKCS#12 file (base64) of an RSA leaf; `legacy` uses 3DES like older tools. */
export function pkcs12(leaf: Issued, password: string, chain: Issued[] = [], legacy = false): string {
  const key = forge.pki.privateKeyFromPem(traditional(leaf.keyPem));
  const certs = [leaf, ...chain].map((c) => forge.pki.certificateFromPem(c.certPem));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, password, { algorithm: legacy ? "3des" : "aes256" });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary").toString("base64");
}
