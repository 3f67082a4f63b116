import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from "node:crypto";
import { promisify } from "node:util";

/** The signature key and value Pulumi uses for secret envelopes in state and on the wire. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** An in-memory secret: `{ [SIG_KEY]: SECRET_SIG, value }`. On disk the value is replaced by `ciphertext`. */
export interface SecretEnvelope {
  [SIG_KEY]: typeof SECRET_SIG;
  value?: unknown;
  ciphertext?: string;
}

export function isSecret(v: unknown): v is SecretEnvelope {
  return (
    !!v &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

export function makeSecret(v: unknown): SecretEnvelope {
  return isSecret(v) ? v : { [SIG_KEY]: SECRET_SIG, value: unwrapSecrets(v) };
}

/** The value with every secret envelope replaced by its plaintext, recursively (what the plugin gets). */
export function unwrapSecrets(v: unknown): unknown {
  if (isSecret(v)) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

export function containsSecrets(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecrets);
  if (v && typeof v === "object") return Object.values(v).some(containsSecrets);
  return false;
}

const pbkdf2Async = promisify(pbkdf2);

/**
 * Pulumi's passphrase secrets provider (pkg/secrets/passphrase): PBKDF2-SHA256 (1,000,000 rounds, 8-byte
 * salt) to a 256-bit key, AES-256-GCM with a 12-byte nonce, ciphertext `v1:<nonce b64>:<sealed b64>`, and
 * the state `salt` field `v1:<salt b64>:<"pulumi" encrypted>` to check the passphrase.
 */
export class PassphraseCrypter {
  private readonly cache = new Map<string, string>();

  private constructor(
    private readonly key: Buffer,
    readonly saltState: string,
    readonly iterations: number,
  ) {}

  static async create(
    passphrase: string,
    saltState?: string,
    iterations = 1_000_000,
  ): Promise<PassphraseCrypter> {
    if (saltState) {
      const [version, salt64, ...check] = saltState.split(":");
      if (version !== "v1" || !salt64 || check.length !== 3)
        throw new Error("unrecognized passphrase secrets state");
      const key = await pbkdf2Async(passphrase, Buffer.from(salt64, "base64"), iterations, 32, "sha256");
      const crypter = new PassphraseCrypter(key, saltState, iterations);
      let ok = false;
      try {
        ok = crypter.decrypt(check.join(":")) === "pulumi";
      } catch {
        ok = false;
      }
      if (!ok) throw new Error("incorrect passphrase");
      return crypter;
    }
    const salt = randomBytes(8);
    const key = await pbkdf2Async(passphrase, salt, iterations, 32, "sha256");
    const probe = new PassphraseCrypter(key, "", iterations);
    return new PassphraseCrypter(key, `v1:${salt.toString("base64")}:${probe.encrypt("pulumi")}`, iterations);
  }

  encrypt(plaintext: string): string {
    const cached = this.cache.get(plaintext);
    if (cached) return cached;
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    const out = `v1:${nonce.toString("base64")}:${sealed.toString("base64")}`;
    this.cache.set(plaintext, out);
    return out;
  }

  decrypt(ciphertext: string): string {
    const [version, nonce64, sealed64] = ciphertext.split(":");
    if (version !== "v1" || !nonce64 || !sealed64) throw new Error("unrecognized ciphertext");
    const sealed = Buffer.from(sealed64, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(nonce64, "base64"));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plaintext = Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - 16)),
      decipher.final(),
    ]).toString("utf8");
    this.cache.set(plaintext, ciphertext);
    return plaintext;
  }

  /** In-memory form → disk form: every `{sig, value}` becomes `{sig, ciphertext}` (JSON of the plaintext). */
  seal(v: unknown): unknown {
    if (isSecret(v))
      return {
        [SIG_KEY]: SECRET_SIG,
        ciphertext: this.encrypt(JSON.stringify(unwrapSecrets(v.value) ?? null)),
      };
    if (Array.isArray(v)) return v.map((x) => this.seal(x));
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.seal(x)]));
    return v;
  }

  /** Disk form → in-memory form. */
  open(v: unknown): unknown {
    if (isSecret(v)) {
      return typeof v.ciphertext === "string"
        ? { [SIG_KEY]: SECRET_SIG, value: JSON.parse(this.decrypt(v.ciphertext)) }
        : v;
    }
    if (Array.isArray(v)) return v.map((x) => this.open(x));
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.open(x)]));
    return v;
  }
}
