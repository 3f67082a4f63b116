import { z } from "zod";

/** How a device's TLS certificate is trusted. With none of these, the system CA store decides. */
export const tlsTrustSchema = z
  .object({
    /** PEM bundle of the CAs (or self-signed certificates) that may sign the device's HTTPS certificate. */
    caCertificate: z.string().min(1).optional(),
    /** SHA-256 fingerprint(s) of the device certificate, hex with or without colons. */
    fingerprintSha256: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Accept any certificate. Says so loudly in the logs; for lab use only. */
    insecure: z.boolean().optional(),
  })
  .strict();

export const timeoutsSchema = z
  .object({
    connectMs: z.number().int().min(100).max(600_000).optional(),
    requestMs: z.number().int().min(100).max(3_600_000).optional(),
    /** A device unused this long gives back its connections and TLS context (default 10 000). */
    idleMs: z.number().int().min(100).max(600_000).optional(),
  })
  .strict();

export const retrySchema = z
  .object({
    /** Attempts in all for a transient failure, including the first (1 = no retry). */
    attempts: z.number().int().min(1).max(10).optional(),
    baseDelayMs: z.number().int().min(0).max(60_000).optional(),
    maxDelayMs: z.number().int().min(0).max(300_000).optional(),
  })
  .strict();

/** The device a resource talks to: where, as whom, and how it is trusted. Never forces a replacement. */
export const deviceConnectionSchema = z
  .object({
    url: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//i.test(u), "must be an http:// or https:// URL")
      .refine((u) => !/^https?:\/\/[^/]*@/i.test(u), "must not carry credentials; use username and password"),
    username: z.string().min(1).max(256),
    password: z.string().max(1024),
    tls: tlsTrustSchema.optional(),
    /** Basic credentials over plain HTTP are refused unless this is true. */
    allowBasicOverHttp: z.boolean().optional(),
    timeouts: timeoutsSchema.optional(),
    retry: retrySchema.optional(),
    /** SPS: how long to wait for a configuration lock held by another administrator. */
    lockWaitMs: z.number().int().min(0).max(600_000).optional(),
    /** Connections kept alive to this device at most (small devices serve few requests at once). */
    maxConnections: z.number().int().min(1).max(64).optional(),
  })
  .strict();

export type TlsTrust = z.infer<typeof tlsTrustSchema>;
export type DeviceConnection = z.infer<typeof deviceConnectionSchema>;

/** The origin of a device URL, which is what errors and logs name (never the credentials). */
export function deviceLabel(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "<invalid device url>";
  }
}

/** The parts of a connection that identify the device, for diffs: credentials and trust are excluded. */
export function deviceIdentity(conn: { url: string } | undefined): string {
  if (!conn) return "";
  try {
    const u = new URL(conn.url);
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return conn.url;
  }
}
