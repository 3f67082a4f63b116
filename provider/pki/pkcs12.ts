import { createPrivateKey } from "node:crypto";
import type Forge from "node-forge";
import { keyMatchesCertificate } from "./keys";
import { PkiInputError } from "./pem";

export interface Pkcs12Contents {
  certificateDer: Buffer;
  privateKeyPem: string;
  chainDers: Buffer[];
}

/**
 * Opens a PKCS#12 file. node-forge rather than pkijs because it also reads legacy RC2-40 files, which is
 * what many Windows and older tools still export.
 */
export function openPkcs12(data: Buffer, password: string): Pkcs12Contents {
  // Loaded on first use: node-forge is a large library, and most commands never open a PKCS#12 file.
  const forge = require("node-forge") as typeof Forge;
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString("binary")));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (err) {
    const msg = String((err as Error).message ?? "");
    if (/MAC could not be verified|Invalid password|decrypt/i.test(msg)) {
      throw new PkiInputError("cannot be opened with the given password");
    }
    throw new PkiInputError("is not a valid PKCS#12 file");
  }
  const bagDer = (bag: Forge.pkcs12.Bag, toAsn1: () => Forge.asn1.Asn1) =>
    Buffer.from(forge.asn1.toDer(bag.asn1 ?? toAsn1()).getBytes(), "binary");
  const bagsOf = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
  // forge decodes only RSA keys and certificates; for EC it leaves the ASN.1, which node:crypto reads.
  const keyDers = [...bagsOf(forge.pki.oids.pkcs8ShroudedKeyBag), ...bagsOf(forge.pki.oids.keyBag)]
    .filter((b) => b.key || b.asn1)
    .map((b) =>
      bagDer(b, () => forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(b.key as Forge.pki.PrivateKey))),
    );
  const certDers = bagsOf(forge.pki.oids.certBag)
    .filter((b) => b.cert || b.asn1)
    .map((b) => bagDer(b, () => forge.pki.certificateToAsn1(b.cert as Forge.pki.Certificate)));
  if (keyDers.length !== 1)
    throw new PkiInputError(`holds ${keyDers.length} private keys where exactly one was expected`);
  if (certDers.length === 0) throw new PkiInputError("holds no certificate");
  let key;
  try {
    key = createPrivateKey({ key: keyDers[0], format: "der", type: "pkcs8" });
  } catch {
    throw new PkiInputError("holds a private key that cannot be read");
  }
  const leafIndex = certDers.findIndex((der) => keyMatchesCertificate(key, der));
  if (leafIndex < 0) throw new PkiInputError("holds no certificate that matches its private key");
  return {
    certificateDer: certDers[leafIndex],
    privateKeyPem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    chainDers: certDers.filter((_, i) => i !== leafIndex),
  };
}
