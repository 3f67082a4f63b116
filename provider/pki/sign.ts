import "reflect-metadata";
import { createHash, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { parsePrivateKey } from "./keys";

const DAY = 86_400_000;

function signingAlgorithm(cert: x509.X509Certificate) {
  const alg = cert.publicKey.algorithm as { name: string; namedCurve?: string };
  if (alg.name === "ECDSA")
    return {
      name: "ECDSA",
      namedCurve: alg.namedCurve,
      hash: alg.namedCurve === "P-384" ? "SHA-384" : "SHA-256",
    };
  return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
}

interface Signer {
  ca: x509.X509Certificate;
  alg: ReturnType<typeof signingAlgorithm>;
  signingKey: webcrypto.CryptoKey;
  authorityKeyId: x509.Extension;
}

/**
 * The site CA, parsed and its key imported once per process: a fleet's `up` signs a CSR per certificate,
 * all with the same CA. Kept for a few CAs at most (a rotation uses two); the key is not extractable.
 */
const signers = new Map<string, Promise<Signer>>();
const SIGNERS_KEPT = 8;

function signerFor(caCertificatePem: string, caPrivateKeyPem: string): Promise<Signer> {
  const key = createHash("sha256")
    .update(caCertificatePem)
    .update("\0")
    .update(caPrivateKeyPem)
    .digest("hex");
  let signer = signers.get(key);
  if (!signer) {
    signer = (async () => {
      const ca = new x509.X509Certificate(caCertificatePem);
      const alg = signingAlgorithm(ca);
      const pkcs8 = parsePrivateKey(caPrivateKeyPem).export({ type: "pkcs8", format: "der" });
      const signingKey = await webcrypto.subtle.importKey("pkcs8", pkcs8, alg, false, ["sign"]);
      return {
        ca,
        alg,
        signingKey,
        authorityKeyId: await x509.AuthorityKeyIdentifierExtension.create(ca, false),
      };
    })();
    signer.catch(() => signers.delete(key));
    if (signers.size >= SIGNERS_KEPT) signers.delete(signers.keys().next().value!);
    signers.set(key, signer);
  }
  return signer;
}

/**
 * Signs a PKCS#10 request with a CA certificate and key: the example CA of a site, for stacks that have no
 * CA service. The request's signature is verified and its subject and extensions are carried over.
 */
export async function signCsr(
  csrPem: string,
  caCertificatePem: string,
  caPrivateKeyPem: string,
  validityDays: number,
  now = new Date(),
  subjectAltNames: string[] = [],
): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  if (!(await csr.verify(webcrypto as unknown as Parameters<typeof csr.verify>[0])))
    throw new Error("the certificate request's signature does not verify");
  const { ca, alg, signingKey, authorityKeyId } = await signerFor(caCertificatePem, caPrivateKeyPem);
  const requested = csr.extensions;
  // Devices whose CSR API takes no extensions (Axis) still need the names clients reach them by.
  const hasSan = requested.some((e) => e.type === "2.5.29.17");
  const extra =
    !hasSan && subjectAltNames.length > 0
      ? [
          new x509.SubjectAlternativeNameExtension(
            subjectAltNames.map((n: string) =>
              isIp(n) ? { type: "ip" as const, value: n } : { type: "dns" as const, value: n },
            ),
          ),
        ]
      : [];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString("hex")
      .replace(/^[89a-f]/, "1"),
    subject: csr.subjectName,
    issuer: ca.subjectName,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + validityDays * DAY),
    signingKey: signingKey as unknown as x509.X509CertificateCreateWithKeyParams["signingKey"],
    publicKey: csr.publicKey,
    signingAlgorithm: alg,
    extensions: [...requested, ...extra, authorityKeyId],
  });
  return cert.toString("pem") + "\n";
}

function isIp(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":");
}
