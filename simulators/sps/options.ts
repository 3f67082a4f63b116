export interface TrustStoreSeed {
  key?: string;
  name: string;
  /** PEM CA certificates the store trusts. */
  caCertificates: string[];
}

export interface SpsSimulatorOptions {
  /** Loopback only by default; the simulator is a test fixture, not a network service. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built-in administrator ("admin by default, cannot be deleted"). */
  username?: string;
  /** Random when omitted. */
  password?: string;
  /** Idle time that ends a session: 20 minutes on the appliance. */
  sessionIdleMs?: number;
  /** Added before every request is handled. */
  latencyMs?: number;
  /** Extra time a commit takes. */
  commitMs?: number;
  /** Requests handled at once; further ones wait their turn (FIFO), as on a box with few workers. */
  maxConcurrentRequests?: number;
  /** Delete objects that were referenced and no longer are, at commit (documented behaviour). Default true. */
  reclaimUnreferenced?: boolean;
  /** Delete objects created and never referenced, at commit (undocumented; wire notes recommend on). Default true. */
  purgeNeverReferenced?: boolean;
  /** SPS ≥ 7.5: non-GET requests from a browser-like User-Agent need X-Token. Default true. */
  requireXTokenForBrowsers?: boolean;
  /** Makes GET /api/transaction say commit_message "required" and commits without one fail. Default false. */
  requireCommitMessage?: boolean;
  /**
   * Hash of GET /api/configuration/x509/<key> fingerprints. The seed's table says "for example, sha256"
   * while its sample body shows md5; default sha256, switchable so clients must honour hash_algorithm.
   */
  x509FingerprintHash?: "sha256" | "sha1" | "md5";
  /** Extra trust stores; a "default" store holding the simulator's external CA is always there. */
  trustStores?: TrustStoreSeed[];
  hostname?: string;
}

export type ResolvedOptions = Required<Omit<SpsSimulatorOptions, "password" | "trustStores">> & {
  password: string;
  trustStores: TrustStoreSeed[];
};

export function resolveOptions(options: SpsSimulatorOptions, randomPassword: () => string): ResolvedOptions {
  return {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    username: options.username ?? "admin",
    password: options.password ?? randomPassword(),
    sessionIdleMs: options.sessionIdleMs ?? 20 * 60 * 1000,
    latencyMs: options.latencyMs ?? 0,
    commitMs: options.commitMs ?? 0,
    maxConcurrentRequests: options.maxConcurrentRequests ?? Number.POSITIVE_INFINITY,
    reclaimUnreferenced: options.reclaimUnreferenced ?? true,
    purgeNeverReferenced: options.purgeNeverReferenced ?? true,
    requireXTokenForBrowsers: options.requireXTokenForBrowsers ?? true,
    requireCommitMessage: options.requireCommitMessage ?? false,
    x509FingerprintHash: options.x509FingerprintHash ?? "sha256",
    trustStores: options.trustStores ?? [],
    hostname: options.hostname ?? "sps-simulator",
  };
}
