import { createHash, randomBytes } from "node:crypto";

/** One parsed `WWW-Authenticate` challenge. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Splits a WWW-Authenticate value (or several, joined by commas as undici does for repeated headers)
 * into challenges. Auth-params may be quoted strings containing commas, so this tokenizes rather than
 * splitting on commas.
 */
export function parseChallenges(header: string | string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(", ") : header;
  const challenges: AuthChallenge[] = [];
  const token = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/y;
  const param = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?/y;
  let pos = 0;
  while (pos < text.length) {
    token.lastIndex = pos;
    const scheme = token.exec(text);
    if (!scheme) break;
    pos = token.lastIndex;
    const params: Record<string, string> = {};
    for (;;) {
      param.lastIndex = pos;
      const m = param.exec(text);
      // A token followed by something other than "=" starts the next challenge.
      if (!m) break;
      params[m[1].toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, "$1") : m[2];
      pos = param.lastIndex;
    }
    challenges.push({ scheme: scheme[1].toLowerCase(), params });
    while (pos < text.length && /[\s,]/.test(text[pos])) pos++;
  }
  return challenges;
}

type DigestAlgorithm = "MD5" | "SHA-256" | "MD5-sess" | "SHA-256-sess";
const HASHES: Record<DigestAlgorithm, string> = {
  MD5: "md5",
  "MD5-sess": "md5",
  "SHA-256": "sha256",
  "SHA-256-sess": "sha256",
};

function isSupported(algorithm: string): algorithm is DigestAlgorithm {
  return algorithm in HASHES;
}

/**
 * Picks the strongest Digest challenge we can answer (SHA-256 over MD5, per RFC 7616 section 3.7) that
 * offers qop=auth, or undefined.
 */
export function pickDigestChallenge(challenges: AuthChallenge[]): AuthChallenge | undefined {
  const usable = challenges.filter(
    (c) =>
      c.scheme === "digest" &&
      c.params.nonce !== undefined &&
      isSupported(c.params.algorithm ?? "MD5") &&
      (c.params.qop === undefined || c.params.qop.split(",").some((q) => q.trim() === "auth")),
  );
  const rank = (c: AuthChallenge) => ((c.params.algorithm ?? "MD5").startsWith("SHA-256") ? 0 : 1);
  return usable.sort((a, b) => rank(a) - rank(b))[0];
}

/**
 * A Digest session for one nonce: answers every request with nc incremented, so a device is challenged
 * once per nonce lifetime instead of once per request (RFC 7616 section 3.4).
 */
export class DigestSession {
  private nonceCount = 0;
  private readonly algorithm: DigestAlgorithm;
  private readonly hashName: string;
  private readonly cnonceForSess = randomBytes(12).toString("hex");

  constructor(private readonly challenge: AuthChallenge) {
    const alg = challenge.params.algorithm ?? "MD5";
    if (!isSupported(alg)) throw new Error(`unsupported digest algorithm ${alg}`);
    this.algorithm = alg;
    this.hashName = HASHES[alg];
  }

  /** The Authorization header value for one request. */
  authorize(method: string, uri: string, username: string, password: string, cnonceForTest?: string): string {
    const p = this.challenge.params;
    const realm = p.realm ?? "";
    const qopAuth = p.qop !== undefined;
    const nc = (++this.nonceCount).toString(16).padStart(8, "0");
    const sess = this.algorithm.endsWith("-sess");
    const cnonce = cnonceForTest ?? (sess ? this.cnonceForSess : randomBytes(12).toString("hex"));
    const h = (s: string) => createHash(this.hashName).update(s, "utf8").digest("hex");
    let ha1 = h(`${username}:${realm}:${password}`);
    if (sess) ha1 = h(`${ha1}:${p.nonce}:${this.cnonceForSess}`);
    const ha2 = h(`${method}:${uri}`);
    const response = qopAuth
      ? h(`${ha1}:${p.nonce}:${nc}:${cnonce}:auth:${ha2}`)
      : h(`${ha1}:${p.nonce}:${ha2}`);
    const quote = (s: string) => `"${s.replace(/(["\\])/g, "\\$1")}"`;
    const parts = [
      `username=${quote(username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(p.nonce)}`,
      `uri=${quote(uri)}`,
      `algorithm=${this.algorithm}`,
      `response=${quote(response)}`,
    ];
    if (qopAuth) parts.push(`qop=auth`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
    if (p.opaque !== undefined) parts.push(`opaque=${quote(p.opaque)}`);
    return `Digest ${parts.join(", ")}`;
  }
}
