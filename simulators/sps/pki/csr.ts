import { createPrivateKey } from "node:crypto";
import { digestColonHex, subjectList } from "./certificates";
import { EXTENSION_NAMES, ExtensionSpecError, buildExtension } from "./extensions";
import type { ExtensionName } from "./extensions";
import { subtle, x509 } from "./lib";
import type { CryptoKeyPair } from "./lib";
import { attributeOid, attributeStringType } from "./names";

export interface SubjectEntry {
  name: string;
  value: string;
}
export interface ExtensionEntry {
  name: string;
  value: string;
  critical: boolean;
}

export interface GeneratedCsr {
  pem: string;
  /** sha256 over the CSR's DER: that is what the seed's CSR fingerprints are (checked against its samples). */
  fingerprint: string;
  publicKeyPem: string;
  privateKeyPem: string;
  subject: SubjectEntry[];
}

export class CsrSpecError extends Error {}

function nameJson(subject: SubjectEntry[]) {
  return subject.map(({ name, value }) => {
    const oid = attributeOid(name);
    if (!oid) throw new CsrSpecError(`The subject name "${name}" cannot be translated to an OID.`);
    return { [oid]: [{ [attributeStringType(oid)]: value }] };
  });
}

/** The appliance makes an EC secp256r1 key on the box and signs the PKCS#10 with it. */
export async function generateCsr(
  subject: SubjectEntry[],
  extensions: ExtensionEntry[],
): Promise<GeneratedCsr> {
  const name = new x509.Name(nameJson(subject));
  const built = extensions.map((e) => {
    if (!(EXTENSION_NAMES as readonly string[]).includes(e.name)) {
      throw new CsrSpecError(`Unsupported extension "${e.name}".`);
    }
    try {
      return buildExtension(e.name as ExtensionName, e.value, e.critical);
    } catch (err) {
      if (err instanceof ExtensionSpecError)
        throw new CsrSpecError(`Invalid value for ${e.name}: ${err.message}.`);
      throw err;
    }
  });
  const keys = (await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  // The box adds a subjectKeyIdentifier of its own (visible in the seed's sample PEMs) without listing it.
  built.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    extensions: built,
    // The seed's sample CSRs are signed ecdsa-with-SHA512.
    signingAlgorithm: { name: "ECDSA", hash: "SHA-512" },
  });
  const pkcs8 = Buffer.from(await subtle.exportKey("pkcs8", keys.privateKey));
  const privateKeyPem = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" })
    .export({ type: "pkcs8", format: "pem" })
    .toString();
  return {
    pem: `${csr.toString("pem").trim()}\n`,
    fingerprint: digestColonHex(csr.rawData, "sha256"),
    publicKeyPem: `${csr.publicKey.toString("pem").trim()}\n`,
    privateKeyPem,
    subject: subjectList(csr.subjectName.toArrayBuffer()),
  };
}
