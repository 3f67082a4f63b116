import type { X509Certificate } from "node:crypto";
import { badCertificate, certificateIdExists, invalidCertificateId, missingArgument } from "../faults";
import { NS } from "../namespaces";
import { decodeBase64Strict, parseCertificate, pemToDer } from "../pki";
import type { CertificateStore } from "../store";
import { isValidCertificateId } from "../store";
import type { XmlElement } from "../xmlReader";
import { optionalText, requiredChild, requiredText } from "../xmlReader";

/**
 * `tt:CertificateID` of an upload. The schema makes it optional in CertificateWithPrivateKey; the device's
 * behaviour without one is [NOT FOUND], so the strict reading refuses it.
 */
export function certificateIdOf(item: XmlElement): string {
  const id = optionalText(item, NS.tt, "CertificateID");
  if (id === undefined) throw missingArgument("CertificateID");
  if (!isValidCertificateId(id)) throw invalidCertificateId();
  return id;
}

/** `tt:BinaryData/tt:Data` as bytes; xs:base64Binary, so PEM text inside `Data` is refused. */
export function binaryData(item: XmlElement, local: string): Buffer {
  const data = decodeBase64Strict(requiredText(requiredChild(item, NS.tt, local), NS.tt, "Data"));
  if (!data) throw badCertificate("The data is not valid base64");
  return data;
}

export interface ParsedCertificate {
  readonly der: Buffer;
  readonly cert: X509Certificate;
}

/** DER, or (where ONVIF allows it, CA uploads) the decoded bytes may be a PEM document. */
export function certificateFrom(bytes: Buffer, allowPem: boolean): ParsedCertificate {
  const pemDer =
    allowPem && bytes.subarray(0, 11).toString("latin1") === "-----BEGIN "
      ? pemToDer(bytes.toString("latin1"))
      : undefined;
  const der = pemDer ?? bytes;
  const cert = parseCertificate(der);
  if (!cert) throw badCertificate();
  return { der, cert };
}

/** New IDs must be free in the store and unique within the request (the load is all-or-nothing). */
export function checkNewIds(
  ids: readonly string[],
  store: CertificateStore,
  duplicateFault = certificateIdExists,
): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (store.has(id) || seen.has(id)) throw duplicateFault();
    seen.add(id);
  }
}
