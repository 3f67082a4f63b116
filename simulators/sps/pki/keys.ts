import { createPrivateKey, createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import forge from "node-forge";

export type PrivateKeyFormat = "pkcs1" | "pkcs8";

/** The PEM is not a key the appliance loads (wrong container, encrypted, or unreadable). */
export class UnsupportedKeyError extends Error {}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * PKCS-1 is "RSA PRIVATE KEY", PKCS-8 is "PRIVATE KEY". Encrypted forms ("ENCRYPTED PRIVATE KEY", or PKCS-1
 * with a Proc-Type: 4,ENCRYPTED header) and every other container (SEC1 "EC PRIVATE KEY", OpenSSH) are refused.
 */
export function loadPrivateKey(
  pem: string,
  accepted: readonly PrivateKeyFormat[],
): { key: KeyObject; format: PrivateKeyFormat } {
  const match = PEM_BLOCK.exec(pem);
  if (!match) throw new UnsupportedKeyError("no PEM block");
  const label = match[1];
  const format: PrivateKeyFormat | undefined =
    label === "RSA PRIVATE KEY" ? "pkcs1" : label === "PRIVATE KEY" ? "pkcs8" : undefined;
  if (!format || !accepted.includes(format)) throw new UnsupportedKeyError(`unsupported container ${label}`);
  if (/Proc-Type:\s*4,ENCRYPTED/i.test(match[2]!)) throw new UnsupportedKeyError("encrypted");
  try {
    return { key: createPrivateKey({ key: match[0], format: "pem" }), format };
  } catch {
    throw new UnsupportedKeyError("unreadable");
  }
}

/**
 * `ssh-keygen -l` style, which is what the seed's digest is: "2048 SHA256:<base64, no padding> no comment (RSA)".
 */
export function sshStyleFingerprint(key: KeyObject): string {
  const spkiPem = createPublicKey(key).export({ type: "spki", format: "pem" }).toString();
  const forgeKey = forge.pki.publicKeyFromPem(spkiPem) as forge.pki.rsa.PublicKey;
  const raw = forge.ssh.getPublicKeyFingerprint(forgeKey, {
    md: forge.md.sha256.create(),
    encoding: "binary",
  }) as string;
  const b64 = Buffer.from(raw, "binary").toString("base64").replace(/=+$/, "");
  return `${forgeKey.n.bitLength()} SHA256:${b64} no comment (RSA)`;
}
