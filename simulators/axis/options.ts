import type { AuthMode, DigestAlgorithm } from "./auth";
import type { OnDeviceKeyType } from "./pki";

/** Constructor options of {@link AxisSimulator.start}; every field is optional. */
export interface AxisSimulatorOptions {
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** Ports; 0 (default) picks a free one. */
  httpPort?: number;
  httpsPort?: number;
  /** 12 hex digits. Default `ACCC8E` + 6 random. Upper-cased; the realm is `AXIS_<MAC>`. */
  mac?: string;
  /** Camera name: CN of the initial self-signed HTTPS certificate. Default `axis-<mac lower-case>`. */
  name?: string;
  /** Default `root`. */
  username?: string;
  /** Default: 16 random base64url characters (read it back from `simulator.password`). */
  password?: string;
  /** Default `digest` (AXIS OS 12 "recommended" policy on HTTP). */
  httpAuth?: AuthMode;
  /** Default `basic` (AXIS OS 12 "recommended" policy on HTTPS). */
  httpsAuth?: AuthMode;
  /** Digest algorithms offered, one challenge each, in this order. Default `["MD5"]`. */
  digestAlgorithms?: DigestAlgorithm[];
  /** After this a nonce is stale (`401` with `stale=true`). Default 300 000 ms. */
  nonceLifetimeMs?: number;
  /** Added to every request, inside its concurrency slot. Default 0. */
  latencyMs?: number;
  /** Extra time CreateCertificate2 spends generating its key. Default 0. */
  keyGenerationMs?: number;
  /** Key type CreateCertificate2 makes. Default `EC-P256` (the real default is [NOT FOUND]). */
  onDeviceKeyType?: OnDeviceKeyType;
  /** Requests served at once; the rest queue FIFO. Default 2 (small devices). */
  maxConcurrentRequests?: number;
  /** Client certificates the store holds, built-in ones included. Default 20. */
  maxCertificates?: number;
  /** CA certificates the store holds, preinstalled ones included. Default 100. */
  maxCaCertificates?: number;
  /** Also carry `Axis device ID RSA-2048 (802.1AR)` (one RSA key per process). Default false. */
  rsaDeviceId?: boolean;
  /** SetDot1XConfiguration requires CertificateID == the certificate's CN (Axis doc). Default true. */
  dot1xRequireCommonNameMatch?: boolean;
  /** ConnectionPolicies/Admin `Https` (or `Http`) redirects the other listener with 302. Default true. */
  enforceConnectionPolicies?: boolean;
  /** Larger request bodies get 413. Default 1 MiB. */
  maxBodyBytes?: number;
}

export type ResolvedOptions = Required<AxisSimulatorOptions>;
