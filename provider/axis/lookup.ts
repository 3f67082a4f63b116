import { isDeviceError } from "../transport/errors";
import type { AxisClient, StoredCertificate } from "./client";

/** The client certificate stored under an ID, if any. */
export async function findCertificate(
  client: AxisClient,
  id: string,
): Promise<StoredCertificate | undefined> {
  return (await client.getCertificates()).find((c) => c.id === id);
}

/** The CA certificate stored under an ID, if any. */
export async function findCaCertificate(
  client: AxisClient,
  id: string,
): Promise<StoredCertificate | undefined> {
  return (await client.getCACertificates()).find((c) => c.id === id);
}

/**
 * Whether a fault says the ID is not on the device. Axis answers with a Sender fault whose reason is
 * "The CertificateID does not exist" (the text clients match; no subcode is documented for it).
 */
export function isUnknownIdFault(err: unknown): boolean {
  if (!isDeviceError(err) || err.code !== "AXIS_SOAP_FAULT") return false;
  const fault = err as unknown as { reason?: string; detail?: string };
  return /does not exist|not found|unknown certificate/i.test(`${fault.reason ?? ""} ${fault.detail ?? ""}`);
}

/**
 * Deletes one certificate or CA certificate, idempotently: already gone counts as deleted, and a delete
 * whose answer was lost is checked on the device rather than sent again.
 */
export async function deleteIdempotently(client: AxisClient, id: string, ca: boolean): Promise<void> {
  try {
    await client.deleteCertificates([id]);
  } catch (err) {
    if (isUnknownIdFault(err)) return;
    if (isDeviceError(err) && err.maybeApplied) {
      const still = ca ? await findCaCertificate(client, id) : await findCertificate(client, id);
      if (!still) return;
      await deleteIdempotently(client, id, ca);
      return;
    }
    throw err;
  }
}
