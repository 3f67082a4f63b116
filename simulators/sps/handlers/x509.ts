import { bodyObject, changeConfig, onlyFields, stringField, viewOf } from "../http/context";
import type { RequestContext } from "../http/context";
import { notFound, semanticError, syntacticError } from "../http/errors";
import { createdReply, objectReply, siblingMeta } from "../http/envelope";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";
import { newObjectKey } from "../core";
import { ChainError, validatePath } from "../pki/chain";
import type { Certificate } from "../pki/certificates";
import {
  PemError,
  certificateFingerprint,
  certificateMatchesPrivateKey,
  parseCertificates,
  subjectString,
  toPem,
} from "../pki/certificates";
import { UnsupportedKeyError, loadPrivateKey } from "../pki/keys";
import type { X509Object } from "../state/model";

export const X509_COLLECTION = "/api/configuration/x509";

// [seed] verbatim, 400 SyntacticError row of the x509 table (PKCS-1 only here, unlike private_keys).
const UNSUPPORTED_KEY =
  "Could not load PEM key: Unsupported private key format, only PKCS-1 is supported. Encrypted private keys are not supported.";

// [seed] the CSR table's certificate-loading error; the JSON there escapes the inner quotes.
export const CERT_LOAD_ERROR =
  "Could not load PEM certificate: Unable to load certificate; error=\"[('PEM routines', 'get_name', 'no start line')]\"";

export function parseCertificatesOrFail(text: string): Certificate[] {
  try {
    return parseCertificates(text);
  } catch (err) {
    if (err instanceof PemError) throw syntacticError(CERT_LOAD_ERROR);
    throw err;
  }
}

/** The stored form of an X.509 object; also used for identifiers made from a CSR and for built-in ones. */
export function x509Record(
  leaf: Certificate,
  chain: Certificate[],
  privateKeyPem: string,
  csrKey?: string,
): X509Object {
  return {
    key: newObjectKey(),
    certificatePem: toPem(leaf),
    issuerChainPems: chain.map(toPem),
    privateKeyPem,
    sha256: certificateFingerprint(leaf, "sha256"),
    subject: subjectString(leaf),
    ...(csrKey ? { csrKey } : {}),
    everReferenced: false,
  };
}

async function create(ctx: RequestContext): Promise<Reply> {
  const body = bodyObject(ctx);
  onlyFields(body, ["certificate", "private_key", "issuer_chain"]);
  const certificates = parseCertificatesOrFail(stringField(body, "certificate"));
  if (certificates.length !== 1)
    throw syntacticError("The certificate field must hold exactly one certificate.");
  const leaf = certificates[0]!;
  const privateKeyPem = stringField(body, "private_key");
  try {
    loadPrivateKey(privateKeyPem, ["pkcs1"]);
  } catch (err) {
    if (err instanceof UnsupportedKeyError) throw syntacticError(UNSUPPORTED_KEY);
    throw err;
  }
  // Strict reading of the table: issuer_chain is a list and is part of the body; [] when there is none.
  const chainField = body.issuer_chain;
  if (!Array.isArray(chainField) || chainField.some((c) => typeof c !== "string")) {
    throw syntacticError('The field "issuer_chain" must be a list of PEM certificates.');
  }
  const chain = (chainField as string[]).flatMap(parseCertificatesOrFail);
  // [N] "SPS will reject invalid certificates and invalid certificate chains": types and wording ours.
  if (!certificateMatchesPrivateKey(leaf, privateKeyPem)) {
    throw semanticError("The private key does not match the certificate.");
  }
  try {
    await validatePath(leaf, chain, { requireAllUsed: true });
  } catch (err) {
    if (err instanceof ChainError)
      throw semanticError(`Invalid certificate or certificate chain: ${err.message}.`);
    throw err;
  }
  const record = x509Record(leaf, chain, privateKeyPem);
  changeConfig(ctx, (draft) => {
    draft.x509.set(record.key, record);
    return { result: undefined, changes: [{ type: "create", path: `${X509_COLLECTION}/${record.key}` }] };
  });
  return createdReply(record.key, X509_COLLECTION);
}

function show(ctx: RequestContext): Reply {
  const view = viewOf(ctx);
  const key = ctx.params.key!;
  const object = view.x509.get(key);
  if (!object) throw notFound(ctx.path);
  const algorithm = ctx.appliance.options.x509FingerprintHash;
  const digest =
    algorithm === "sha256"
      ? object.sha256
      : certificateFingerprint(parseCertificates(object.certificatePem)[0]!, algorithm);
  const siblings = [...view.x509.keys()].map((k) => `${X509_COLLECTION}/${k}`);
  return objectReply(
    200,
    key,
    { fingerprint: { digest, hash_algorithm: algorithm }, subject: object.subject },
    siblingMeta(`${X509_COLLECTION}/${key}`, siblings),
  );
}

export const x509Routes: Route[] = [
  { pattern: X509_COLLECTION, auth: true, methods: { POST: create } },
  { pattern: `${X509_COLLECTION}/:key`, auth: true, methods: { GET: show } },
];
