import { createPrivateKey } from "node:crypto";
import type { Certificate } from "./certificates";
import { toPem } from "./certificates";
import { subtle, x509 } from "./lib";
import type { CryptoKey, CryptoKeyPair } from "./lib";

/** A CA key pair the simulator signs with; the private key never leaves the process. */
export interface Authority {
  certificate: Certificate;
  certificatePem: string;
  keys: CryptoKeyPair;
}

export interface IssuedIdentity {
  certificatePem: string;
  privateKeyPem: string;
}

const DAY_MS = 86_400_000;

async function ecKeys(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey("pkcs8", key));
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" })
    .export({ type: "pkcs8", format: "pem" })
    .toString();
}

function serial(): string {
  return `01${Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(12))).toString("hex")}`;
}

export async function createAuthority(commonName: string): Promise<Authority> {
  const keys = await ecKeys();
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ "2.5.4.3": [commonName] }],
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, certificatePem: toPem(certificate), keys };
}

export interface LeafRequest {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  serverAuth?: boolean;
  validDays?: number;
}

/** A fresh EC P-256 key and a certificate for it, signed by `ca`. */
export async function issueIdentity(ca: Authority, req: LeafRequest): Promise<IssuedIdentity> {
  const keys = await ecKeys();
  const sans = [
    ...(req.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
    ...(req.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
  ];
  const extensions: InstanceType<typeof x509.Extension>[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (req.serverAuth !== false)
    extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
  const certificate = await signPublicKey(
    ca,
    keys.publicKey,
    [{ "2.5.4.3": [req.commonName] }],
    extensions,
    req.validDays,
  );
  return { certificatePem: toPem(certificate), privateKeyPem: await pkcs8Pem(keys.privateKey) };
}

/** Signs a CSR as an outside CA would: its subject and requested extensions, plus key identifiers. */
export async function signCsr(ca: Authority, csrPem: string, validDays = 365): Promise<Certificate> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const requested = csr.extensions.filter((e) => e.type !== "2.5.29.14" && e.type !== "2.5.29.35");
  const extensions = [
    ...requested,
    await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  return signPublicKey(ca, csr.publicKey, csr.subjectName, extensions, validDays);
}

async function signPublicKey(
  ca: Authority,
  publicKey: CryptoKey | InstanceType<typeof x509.PublicKey>,
  subject: ConstructorParameters<typeof x509.Name>[0] | InstanceType<typeof x509.Name>,
  extensions: InstanceType<typeof x509.Extension>[],
  validDays = 365,
): Promise<Certificate> {
  const now = Date.now();
  return x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: subject instanceof x509.Name ? subject : new x509.Name(subject),
    issuer: ca.certificate.subjectName,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + validDays * DAY_MS),
    publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions,
  });
}
