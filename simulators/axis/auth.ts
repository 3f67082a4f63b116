import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Axis `Network.HTTP.AuthenticationPolicy` values that apply per listener. */
export type AuthMode = "digest" | "basic" | "basic_digest";
export type DigestAlgorithm = "MD5" | "SHA-256";

export interface AuthSettings {
  readonly realm: string;
  readonly username: string;
  readonly password: string;
  /** Offered in this order, one `WWW-Authenticate` header each (RFC 7616 §3.7: preferred first). */
  readonly digestAlgorithms: readonly DigestAlgorithm[];
  readonly nonceLifetimeMs: number;
  readonly now?: () => number;
}

export type AuthResult = { readonly ok: true } | { readonly ok: false; readonly challenges: string[] };

interface NonceState {
  readonly issuedAt: number;
  lastNc: number;
}

const HASH: Record<DigestAlgorithm, string> = { MD5: "md5", "SHA-256": "sha256" };

/** RFC 7235 auth-params: `name=token` or `name="quoted \"string\""`, comma separated. */
export function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))\s*(?:,|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    params.set(m[1].toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]);
  }
  return params;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * HTTP authentication as AXIS OS does it for /vapix/services: Digest (RFC 7616, qop=auth, MD5 by default,
 * SHA-256 when configured; SHA-256 on Axis is [NOT FOUND]) and/or Basic, realm `AXIS_<MAC>`.
 * Nonces expire after `nonceLifetimeMs` (a correct response with an expired or unknown nonce gets
 * `stale=true`); the nonce count must increase per nonce, a replayed `nc` is refused.
 */
export class HttpAuthenticator {
  private readonly nonces = new Map<string, NonceState>();
  private readonly now: () => number;

  constructor(
    private readonly mode: AuthMode,
    private readonly settings: AuthSettings,
  ) {
    this.now = settings.now ?? Date.now;
  }

  check(authorization: string | undefined, method: string, uri: string): AuthResult {
    const space = authorization?.indexOf(" ") ?? -1;
    const scheme = authorization && space > 0 ? authorization.slice(0, space).toLowerCase() : "";
    const rest = authorization && space > 0 ? authorization.slice(space + 1) : "";
    if (scheme === "basic" && this.mode !== "digest" && this.basicOk(rest)) return { ok: true };
    if (scheme === "digest" && this.mode !== "basic") {
      const outcome = this.digest(parseAuthParams(rest), method, uri);
      if (outcome === "ok") return { ok: true };
      return { ok: false, challenges: this.challenges(outcome === "stale") };
    }
    return { ok: false, challenges: this.challenges(false) };
  }

  private basicOk(token: string): boolean {
    const decoded = Buffer.from(token.trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    return (
      safeEqual(decoded.slice(0, colon), this.settings.username) &&
      safeEqual(decoded.slice(colon + 1), this.settings.password)
    );
  }

  private digest(p: Map<string, string>, method: string, uri: string): "ok" | "stale" | "denied" {
    const s = this.settings;
    const algorithm = (p.get("algorithm") ?? "MD5") as DigestAlgorithm;
    if (!s.digestAlgorithms.includes(algorithm)) return "denied";
    const [username, realm, nonce, digestUri, response, qop, nc, cnonce] = [
      "username",
      "realm",
      "nonce",
      "uri",
      "response",
      "qop",
      "nc",
      "cnonce",
    ].map((k) => p.get(k));
    // qop was offered, so RFC 2069 responses without qop/nc/cnonce are refused; userhash is not offered.
    if (!username || !realm || !nonce || !digestUri || !response || qop !== "auth" || !nc || !cnonce)
      return "denied";
    if (p.get("userhash") === "true" || !/^[0-9a-fA-F]{8}$/.test(nc)) return "denied";
    if (realm !== s.realm || digestUri !== uri || !safeEqual(username, s.username)) return "denied";
    const h = (text: string) => createHash(HASH[algorithm]).update(text, "utf8").digest("hex");
    const ha1 = h(`${s.username}:${s.realm}:${s.password}`);
    const ha2 = h(`${method}:${digestUri}`);
    const expected = h(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
    if (!safeEqual(response.toLowerCase(), expected)) return "denied";
    const state = this.nonces.get(nonce);
    if (!state || this.now() - state.issuedAt > s.nonceLifetimeMs) return "stale";
    const count = parseInt(nc, 16);
    if (count <= state.lastNc) return "denied";
    state.lastNc = count;
    return "ok";
  }

  private issueNonce(): string {
    const now = this.now();
    // Map iteration is insertion order, so expired nonces are at the front: drop them on every issue.
    for (const [nonce, state] of this.nonces) {
      if (now - state.issuedAt <= this.settings.nonceLifetimeMs) break;
      this.nonces.delete(nonce);
    }
    // Shaped like the Axis nonces seen in the wild: base64 of 8 bytes, then hex.
    const nonce = `${randomBytes(8).toString("base64")}${randomBytes(20).toString("hex")}`;
    this.nonces.set(nonce, { issuedAt: now, lastNc: 0 });
    return nonce;
  }

  /** One header per scheme/algorithm, all Digest ones sharing a fresh nonce. */
  challenges(stale: boolean): string[] {
    const out: string[] = [];
    if (this.mode !== "basic") {
      const nonce = this.issueNonce();
      for (const algorithm of this.settings.digestAlgorithms) {
        const staleParam = stale ? ", stale=true" : "";
        out.push(
          `Digest realm="${this.settings.realm}", nonce="${nonce}"${staleParam}, algorithm=${algorithm}, qop="auth"`,
        );
      }
    }
    if (this.mode !== "digest") out.push(`Basic realm="${this.settings.realm}"`);
    return out;
  }
}
