import { createHash } from "node:crypto";
import type { SecureContext, TLSSocket } from "node:tls";
import { createSecureContext } from "node:tls";
import { buildConnector } from "undici";
import type { TlsTrust } from "./connection";
import { DeviceError } from "./errors";

/** "AB:cd:…" or "abcd…" to "abcd…". */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[\s:]/g, "").toLowerCase();
}

const warned = new Set<string>();

/**
 * The certificates of a PEM bundle, one string each: a bundle pasted together without a newline between
 * END and BEGIN would otherwise lose every certificate after the first.
 */
export function caBundle(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * One OpenSSL context per distinct CA bundle, shared by every connection that trusts it: a context per
 * handshake would re-parse the bundle and hold its own native memory (36 KB for a three-certificate bundle,
 * measured). The most recently used are kept; a fleet whose devices each add their own CA has a bundle per
 * device, and an idle device's context then goes with its connections instead of staying for the life of
 * the process (1,000 cameras: 36 MB).
 */
const contexts = new Map<string, SecureContext>();
const CONTEXTS_KEPT = 64;

function contextTrusting(caPem: string): SecureContext {
  const key = createHash("sha256").update(caPem).digest("hex");
  let context = contexts.get(key);
  if (context) contexts.delete(key);
  else context = createSecureContext({ ca: caBundle(caPem) });
  contexts.set(key, context);
  if (contexts.size > CONTEXTS_KEPT) contexts.delete(contexts.keys().next().value!);
  return context;
}

/**
 * An undici connector that decides trust itself: OpenSSL verifies against the configured CA bundle (or
 * the system store) with the hostname checked, and a connection that fails that check is still accepted
 * when the leaf certificate matches a configured SHA-256 pin, or when `insecure` was asked for.
 */
export function trustingConnector(
  device: string,
  trust: TlsTrust | undefined,
  connectTimeoutMs: number,
): buildConnector.connector {
  const pins = [trust?.fingerprintSha256 ?? []].flat().map(normalizeFingerprint);
  const caPem = trust?.caCertificate;
  if (trust?.insecure && !warned.has(device)) {
    warned.add(device);
    console.warn(
      `warning: ${device}: TLS verification is disabled (tls.insecure: true); anyone on the path can impersonate this device`,
    );
  }
  // undici's session cache holds sessions through WeakRefs, so the garbage collector drops them within
  // seconds, long before a device's next connection (a 1,000-camera refresh resumed none). Holding the
  // newest one here keeps it resumable for as long as this connector lives. The connector lives as long as
  // the device's endpoint, so it holds the session (a few hundred bytes) and not the OpenSSL context: each
  // connection takes that from the kept contexts, or makes it again.
  const held: { session?: Buffer } = {};
  return (options, callback) => {
    const connect = buildConnector({
      secureContext: caPem === undefined ? undefined : contextTrusting(caPem),
      rejectUnauthorized: false,
      timeout: connectTimeoutMs,
      // TLS session resumption saves a round trip per reconnect on small devices.
      session: held.session,
      maxCachedSessions: 0,
    });
    connect(options, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error("no socket"), null);
      if (options.protocol !== "https:") return callback(null, socket);
      const tlsSocket = socket as TLSSocket;
      tlsSocket.on("session", (session: Buffer) => (held.session = session));
      if (tlsSocket.authorized) return callback(null, socket);
      const leaf = normalizeFingerprint(tlsSocket.getPeerCertificate()?.fingerprint256 ?? "");
      if (pins.length > 0 && pins.includes(leaf)) return callback(null, socket);
      if (trust?.insecure) return callback(null, socket);
      socket.destroy();
      const reason = String(tlsSocket.authorizationError ?? "certificate not trusted");
      const error =
        pins.length > 0
          ? new DeviceError(
              "DEVICE_TLS_PIN_MISMATCH",
              `TLS certificate sha256 ${leaf} matches no configured pin and is not trusted by the CA bundle (${reason})`,
              { device, operation: "connect" },
            )
          : new DeviceError("DEVICE_TLS_UNTRUSTED", `TLS certificate not trusted: ${reason}`, {
              device,
              operation: "connect",
            });
      callback(error, null);
    });
  };
}
