import { z } from "zod";
import type { ManagementCertificates, SpsClient } from "./client";

/** Where an X.509 identifier is used: the places of /api/configuration/management/certificates. */
export const certificatePlaceSchema = z.enum(["server", "tsa", "ca"]);
export type CertificatePlace = z.infer<typeof certificatePlaceSchema>;

export const PLACE_NAMES: Record<CertificatePlace, string> = {
  server: "web and REST server certificate",
  tsa: "timestamping authority",
  ca: "internal CA",
};

/** Read-modify-write of management/certificates: moves one place to a new X.509 key, keeps the others. */
export async function referenceCertificate(
  client: SpsClient,
  place: CertificatePlace,
  x509Key: string,
): Promise<ManagementCertificates> {
  const current = await client.getManagementCertificates();
  await client.putManagementCertificates({ ...current, [place]: x509Key });
  return current;
}
