import type { KeyObject, X509Certificate } from "node:crypto";
import { parseCertificate, sha256Hex } from "./pki";

/** Where a client certificate came from; device-ID certificates are read-only like on Edge Vault devices. */
export type CertificateOrigin = "device-id" | "default-https" | "created" | "loaded" | "pkcs12" | "control";

export interface ClientCertificate {
  readonly id: string;
  readonly der: Buffer;
  readonly cert: X509Certificate;
  readonly privateKey?: KeyObject;
  readonly origin: CertificateOrigin;
}

export interface CaCertificate {
  readonly id: string;
  readonly der: Buffer;
  readonly cert: X509Certificate;
}

export function clientCertificate(
  id: string,
  der: Buffer,
  origin: CertificateOrigin,
  privateKey?: KeyObject,
): ClientCertificate {
  const cert = parseCertificate(der);
  if (!cert) throw new Error(`certificate ${id} is not valid DER`);
  return { id, der, cert, privateKey, origin };
}

export function caCertificate(id: string, der: Buffer): CaCertificate {
  const cert = parseCertificate(der);
  if (!cert) throw new Error(`CA certificate ${id} is not valid DER`);
  return { id, der, cert };
}

/**
 * Certificate ID rule [INFERRED]: no SOAP rule was found; the REST API of the same store allows aliases of
 * 1..128 characters, so the simulator enforces 1..128 characters with no control characters (IDs with spaces
 * and parentheses are real: "Axis device ID ECC-P256 (802.1AR)").
 */
export function isValidCertificateId(id: string): boolean {
  // eslint-disable-next-line no-control-regex
  return [...id].length >= 1 && [...id].length <= 128 && !/[\u0000-\u001f\u007f]/.test(id);
}

/**
 * The device's one certificate store: client certificates (with or without key) and CA certificates share
 * one ID space, since the ONVIF and Axis services and the REST API all address the same store.
 * Insertion order is the listing order, as on the device.
 */
export class CertificateStore {
  readonly clients = new Map<string, ClientCertificate>();
  readonly cas = new Map<string, CaCertificate>();

  has(id: string): boolean {
    return this.clients.has(id) || this.cas.has(id);
  }

  /** Replaces in place so the listing order is kept (a re-keyed certificate keeps its position). */
  putClient(entry: ClientCertificate): void {
    this.clients.set(entry.id, entry);
  }

  putCa(entry: CaCertificate): void {
    this.cas.set(entry.id, entry);
  }

  delete(id: string): boolean {
    return this.clients.delete(id) || this.cas.delete(id);
  }

  fingerprint(id: string): string | undefined {
    const entry = this.clients.get(id) ?? this.cas.get(id);
    return entry ? sha256Hex(entry.der) : undefined;
  }
}
