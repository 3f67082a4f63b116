// Certificates and keys for the SPS simulator tests, made with the generic PKI libraries only.
import "reflect-metadata";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const subtle = webcrypto.subtle;
const DAY = 86_400_000;

export interface TestCa {
  cert: x509.X509Certificate;
  pem: string;
  keys: webcrypto.CryptoKeyPair;
}

export async function makeCa(cn: string): Promise<TestCa> {
  const keys = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${cn}`,
    keys,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { cert, pem: cert.toString("pem"), keys };
}

export interface RsaIdentity {
  certPem: string;
  pkcs1Pem: string;
  pkcs8Pem: string;
  cert: x509.X509Certificate;
}

export function rsaKey(): { pkcs1Pem: string; pkcs8Pem: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    pkcs1Pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    pkcs8Pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** An RSA leaf signed by `ca` with a subject like the seed's x509 sample. */
export async function rsaLeaf(ca: TestCa, subject: string): Promise<RsaIdentity> {
  const key = rsaKey();
  const spki = createPublicKey(createPrivateKey(key.pkcs8Pem)).export({ type: "spki", format: "der" });
  const publicKey = await subtle.importKey(
    "spki",
    spki,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    true,
    ["verify"],
  );
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.cert.subjectName,
    publicKey,
    signingKey: ca.keys.privateKey,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 90 * DAY),
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  return { certPem: cert.toString("pem"), cert, ...key };
}

/** Signs a CSR PEM with `ca` (what an outside CA does with what the appliance produced). */
export async function signCsrPem(ca: TestCa, csrPem: string): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const cert = await x509.X509CertificateGenerator.create({
    subject: csr.subjectName,
    issuer: ca.cert.subjectName,
    publicKey: csr.publicKey,
    signingKey: ca.keys.privateKey,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 90 * DAY),
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  return cert.toString("pem");
}

export function sha256ColonHex(der: ArrayBuffer | Buffer): string {
  return createHash("sha256")
    .update(Buffer.from(der as ArrayBuffer))
    .digest("hex")
    .match(/../g)!
    .join(":");
}

export function pemDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

/** `ssh-keygen -l` of an RSA key, computed from the SSH wire blob (string "ssh-rsa", mpint e, mpint n). */
export function sshFingerprint(pkcs8Pem: string): string {
  const jwk = createPublicKey(createPrivateKey(pkcs8Pem)).export({ format: "jwk" });
  const mpint = (b64u: string) => {
    let b = Buffer.from(b64u, "base64url");
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return b;
  };
  const field = (b: Buffer) =>
    Buffer.concat([Buffer.from([0, 0, (b.length >> 8) & 0xff, b.length & 0xff]), b]);
  const n = Buffer.from(jwk.n!, "base64url");
  const blob = Buffer.concat([field(Buffer.from("ssh-rsa")), field(mpint(jwk.e!)), field(mpint(jwk.n!))]);
  const hash = createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
  return `${n.length * 8} SHA256:${hash} no comment (RSA)`;
}

export { x509 };
