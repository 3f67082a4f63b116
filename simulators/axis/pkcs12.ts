import type { KeyObject } from "node:crypto";
import { createPrivateKey } from "node:crypto";
import forge from "node-forge";
import { keyMatchesCertificate, parseCertificate } from "./pki";

export interface Pkcs12Contents {
  readonly certificateDer: Buffer;
  readonly privateKey: KeyObject;
  /** Other certificates in the file (CA chain); the device keeps only the leaf [INFERRED]. */
  readonly otherCertificatesDer: readonly Buffer[];
}

function derBytes(asn1: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}

/**
 * Opens a PKCS#12 file with node-forge, which (unlike pkijs) also reads legacy RC2-40/3DES files that
 * Windows and older tools still export. Returns undefined for a wrong password or a broken file.
 * forge only models RSA keys and certificates; for others it hands back the raw ASN.1, used here as is.
 */
export function openPkcs12(data: Buffer, password: string): Pkcs12Contents | undefined {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString("binary")), true);
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
  } catch {
    return undefined;
  }
  const keys: KeyObject[] = [];
  for (const type of [forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag]) {
    for (const bag of p12.getBags({ bagType: type })[type] ?? []) {
      try {
        if (bag.key) keys.push(createPrivateKey(forge.pki.privateKeyToPem(bag.key)));
        else if (bag.asn1)
          keys.push(createPrivateKey({ key: derBytes(bag.asn1), format: "der", type: "pkcs8" }));
      } catch {
        return undefined;
      }
    }
  }
  const certs: Buffer[] = [];
  for (const bag of p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? []) {
    if (bag.cert) certs.push(derBytes(forge.pki.certificateToAsn1(bag.cert)));
    else if (bag.asn1) certs.push(derBytes(bag.asn1));
  }
  if (keys.length !== 1) return undefined;
  const privateKey = keys[0];
  const leaf = certs.find((der) => {
    const cert = parseCertificate(der);
    return cert !== undefined && keyMatchesCertificate(cert, privateKey);
  });
  if (!leaf) return undefined;
  return { certificateDer: leaf, privateKey, otherCertificatesDer: certs.filter((c) => c !== leaf) };
}
