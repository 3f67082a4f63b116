import type { Certificate } from "./certificates";
import { x509 } from "./lib";

/** Why a chain is refused; the handlers turn it into the endpoint's own error type. */
export class ChainError extends Error {}

function sameCertificate(a: Certificate, b: Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

async function issuedBy(child: Certificate, parent: Certificate): Promise<boolean> {
  if (!Buffer.from(child.issuerName.toArrayBuffer()).equals(Buffer.from(parent.subjectName.toArrayBuffer())))
    return false;
  try {
    return await child.verify({ publicKey: parent.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

function isSelfIssued(cert: Certificate): boolean {
  return Buffer.from(cert.issuerName.toArrayBuffer()).equals(Buffer.from(cert.subjectName.toArrayBuffer()));
}

function checkValidity(cert: Certificate, now: Date): void {
  if (now < cert.notBefore) throw new ChainError(`certificate "${cert.subject}" is not yet valid`);
  if (now > cert.notAfter) throw new ChainError(`certificate "${cert.subject}" has expired`);
}

// Strict where the seed only says "must be valid": an issuer must say CA:TRUE.
function checkIsCa(cert: Certificate): void {
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc || !bc.ca) throw new ChainError(`certificate "${cert.subject}" is not a CA certificate`);
}

/**
 * Walks leaf → issuer through `candidates`. Every hop must verify and be in its validity period.
 * Returns the path (leaf first). With `anchors`, the path must end at, or be signed by, an anchor.
 * With `requireAllUsed`, a candidate that is not on the path makes the chain invalid: an uploaded issuer
 * chain that does not belong to the certificate is a broken chain, not harmless extra data.
 */
export async function validatePath(
  leaf: Certificate,
  candidates: Certificate[],
  opts: { anchors?: Certificate[]; requireAllUsed: boolean; now?: Date },
): Promise<Certificate[]> {
  const now = opts.now ?? new Date();
  checkValidity(leaf, now);
  const path = [leaf];
  const remaining = candidates.filter((c) => !sameCertificate(c, leaf));
  let current = leaf;
  for (;;) {
    if (opts.anchors?.some((a) => sameCertificate(a, current))) return finish();
    if (opts.anchors) {
      for (const anchor of opts.anchors) {
        if (await issuedBy(current, anchor)) {
          checkValidity(anchor, now);
          checkIsCa(anchor);
          return finish();
        }
      }
    }
    if (isSelfIssued(current)) {
      if (!(await issuedBy(current, current)))
        throw new ChainError(`certificate "${current.subject}" has a bad signature`);
      break;
    }
    let next: Certificate | undefined;
    for (const c of remaining) {
      if (await issuedBy(current, c)) {
        next = c;
        break;
      }
    }
    if (!next) break;
    checkValidity(next, now);
    checkIsCa(next);
    remaining.splice(remaining.indexOf(next), 1);
    path.push(next);
    current = next;
  }
  if (opts.anchors) throw new ChainError("the chain does not lead to a certificate of the trust store");
  return finish();

  function finish(): Certificate[] {
    const unused = remaining.filter((c) => !opts.anchors?.some((a) => sameCertificate(a, c)));
    if (opts.requireAllUsed && unused.length > 0) {
      throw new ChainError(`certificate "${unused[0]!.subject}" does not belong to the chain`);
    }
    return path;
  }
}
