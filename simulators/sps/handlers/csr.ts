import { bodyObject, changeConfig, onlyFields, viewOf } from "../http/context";
import type { RequestContext } from "../http/context";
import { SpsError, notFound, semanticError, syntacticError } from "../http/errors";
import { plainMeta } from "../http/envelope";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";
import { newObjectKey } from "../core";
import { ChainError, validatePath } from "../pki/chain";
import type { Certificate } from "../pki/certificates";
import { sameSpki, spkiDer, toPem } from "../pki/certificates";
import { CsrSpecError, generateCsr } from "../pki/csr";
import type { ExtensionEntry, SubjectEntry } from "../pki/csr";
import { x509 } from "../pki/lib";
import type { ApplianceState, CsrObject } from "../state/model";
import { TRUST_STORES } from "./trustStores";
import { X509_COLLECTION, parseCertificatesOrFail, x509Record } from "./x509";

const PKI = "/api/pki/certificate";
const REQUESTS = `${PKI}/requests`;

// [seed] verbatim rows of the CSR endpoint's table.
const chainValidationError = () =>
  new SpsError(
    400,
    "CertChainValidationError",
    "You have attempted to store a certificate chain, which could not be validated with the specified Trust Store.",
  );
const noMatchingCsr = () =>
  new SpsError(
    404,
    "NoMatchingCsrFound",
    "You have attempted to store a certificate chain which belongs to a private key for which no certificate signing requests can be found. Make sure to only send certificates which belong to a private key for which a certificate signing request exists.",
  );

function csrBody(csr: CsrObject) {
  return {
    certificate_chain: csr.certificateChain,
    fingerprint: { digest: csr.fingerprint, hash_algorithm: "sha256" },
    subject: csr.subject,
    extensions: csr.extensions,
    pem: csr.pem,
    public_key: csr.publicKeyPem,
  };
}

// The seed's list sample carries each CSR's body in the items, unlike configuration lists.
function listBody(state: ApplianceState) {
  return {
    meta: { href: REQUESTS, parent: PKI },
    items: [...state.csrs.values()].map((csr) => ({
      meta: { href: `${REQUESTS}/${csr.key}` },
      key: csr.key,
      body: csrBody(csr),
    })),
  };
}

function parseSpec(ctx: RequestContext): { subject: SubjectEntry[]; extensions: ExtensionEntry[] } {
  const body = bodyObject(ctx);
  onlyFields(body, ["subject", "extensions"]);
  const { subject, extensions } = body;
  if (!Array.isArray(subject) || subject.length === 0)
    throw syntacticError('The field "subject" must be a non-empty list.');
  for (const s of subject) {
    if (
      typeof s !== "object" ||
      s === null ||
      typeof s.name !== "string" ||
      typeof s.value !== "string" ||
      Object.keys(s).length !== 2
    ) {
      throw syntacticError('Every subject entry must be {"name": string, "value": string}.');
    }
  }
  // "If you do not want to specify any extensions in the request, use an empty list": so it is required.
  if (!Array.isArray(extensions)) throw syntacticError('The field "extensions" must be a list.');
  for (const e of extensions) {
    if (
      typeof e !== "object" ||
      e === null ||
      typeof e.name !== "string" ||
      typeof e.value !== "string" ||
      typeof e.critical !== "boolean" ||
      Object.keys(e).length !== 3
    ) {
      throw syntacticError('Every extension must be {"name": string, "value": string, "critical": boolean}.');
    }
  }
  return { subject: subject as SubjectEntry[], extensions: extensions as ExtensionEntry[] };
}

// CSRs are PKI state, not configuration: the seed generates them before "Open a transaction", so creating
// and deleting them neither needs nor opens a transaction, and is visible at once. [R]
async function create(ctx: RequestContext): Promise<Reply> {
  const spec = parseSpec(ctx);
  let generated: Awaited<ReturnType<typeof generateCsr>>;
  try {
    generated = await generateCsr(spec.subject, spec.extensions);
  } catch (err) {
    if (err instanceof CsrSpecError) throw syntacticError(err.message);
    throw err;
  }
  const csr: CsrObject = {
    key: newObjectKey(),
    pem: generated.pem,
    fingerprint: generated.fingerprint,
    publicKeyPem: generated.publicKeyPem,
    privateKeyPem: generated.privateKeyPem,
    subject: generated.subject,
    extensions: spec.extensions.map((e) => ({ name: e.name, value: e.value, critical: e.critical })),
    certificateChain: null,
  };
  ctx.appliance.store.immediate((state) => state.csrs.set(csr.key, structuredClone(csr)));
  return { status: 201, body: { key: csr.key, meta: { href: `${REQUESTS}/${csr.key}`, parent: REQUESTS } } };
}

function list(ctx: RequestContext): Reply {
  return { status: 200, body: listBody(viewOf(ctx)) };
}

function show(ctx: RequestContext): Reply {
  const csr = viewOf(ctx).csrs.get(ctx.params.key!);
  if (!csr) throw notFound(ctx.path);
  return {
    status: 200,
    body: { meta: { href: `${REQUESTS}/${csr.key}`, parent: REQUESTS }, key: csr.key, body: csrBody(csr) },
  };
}

// [R] the seed's delete sample ({meta, items: []}) is read as "the list after the deletion".
// "Deleting a CSR does not remove the corresponding X.509 identifier from the configuration".
function remove(ctx: RequestContext): Reply {
  const key = ctx.params.key!;
  if (!viewOf(ctx).csrs.has(key)) throw notFound(ctx.path);
  ctx.appliance.store.immediate((state) => state.csrs.delete(key));
  return { status: 200, body: listBody(viewOf(ctx)) };
}

interface ChainInput {
  chain: Certificate[];
  trustStore: string | null;
}

// "string of individual certificates separated by a newline, or … a list of strings"; trust_store is a
// key or null ("if you want to disable validation").
function parseChainInput(ctx: RequestContext): ChainInput {
  const body = bodyObject(ctx);
  onlyFields(body, ["certificate_chain", "trust_store"]);
  const raw = body.certificate_chain;
  let chain: Certificate[];
  if (typeof raw === "string") chain = parseCertificatesOrFail(raw);
  else if (Array.isArray(raw) && raw.length > 0 && raw.every((c) => typeof c === "string")) {
    chain = (raw as string[]).flatMap(parseCertificatesOrFail);
  } else throw syntacticError('The field "certificate_chain" must be a PEM string or a list of PEM strings.');
  if (!("trust_store" in body)) throw syntacticError('The field "trust_store" is required (a key, or null).');
  const trustStore = body.trust_store;
  if (trustStore !== null && (typeof trustStore !== "string" || trustStore === "")) {
    throw syntacticError('The field "trust_store" must be a trust store key or null.');
  }
  return { chain, trustStore };
}

async function validateAgainstStore(ctx: RequestContext, input: ChainInput): Promise<void> {
  if (input.trustStore === null) return;
  const store = viewOf(ctx).trustStores.get(input.trustStore);
  // [N] an unknown trust store key: 400 SemanticError, like any dangling reference here.
  if (!store)
    throw semanticError(`The referenced object does not exist: ${TRUST_STORES}/${input.trustStore}`);
  const anchors = store.caCertificates.map((pem) => new x509.X509Certificate(pem));
  const [leaf, ...rest] = input.chain;
  try {
    await validatePath(leaf!, rest, { anchors, requireAllUsed: false });
  } catch (err) {
    if (err instanceof ChainError) throw chainValidationError();
    throw err;
  }
}

/** Sets the CSR's chain and makes a new X.509 identifier (the CSR's key + this chain) in the transaction. */
function attachChain(ctx: RequestContext, csrKey: string, chain: Certificate[]): string {
  return changeConfig(ctx, (draft) => {
    const csr = draft.csrs.get(csrKey);
    if (!csr) throw notFound(`${REQUESTS}/${csrKey}`);
    const [leaf, ...rest] = chain;
    const record = x509Record(leaf!, rest, csr.privateKeyPem, csr.key);
    draft.x509.set(record.key, record);
    const old = csr.certificateChain;
    csr.certificateChain = chain.map(toPem);
    return {
      result: record.key,
      changes: [
        { type: "create", path: `${X509_COLLECTION}/${record.key}` },
        { type: "replace", path: `${REQUESTS}/${csr.key}`, old_value: old, new_value: csr.certificateChain },
      ],
    };
  });
}

// [N] the answer's shape: "The result will be the X.509 identifier", so the identifier's key and href.
function identifierReply(status: number, key: string): Reply {
  return { status, body: { key, meta: plainMeta(`${X509_COLLECTION}/${key}`) } };
}

function csrKeyMatches(csr: CsrObject, leaf: Certificate): boolean {
  return sameSpki(spkiDer(leaf), Buffer.from(new x509.PublicKey(csr.publicKeyPem).rawData));
}

async function putChain(ctx: RequestContext): Promise<Reply> {
  const csr = viewOf(ctx).csrs.get(ctx.params.key!);
  if (!csr) throw notFound(ctx.path);
  const input = parseChainInput(ctx);
  // "The first element of this certificate chain must be the certificate to be used by SPS." [N] the error.
  if (!csrKeyMatches(csr, input.chain[0]!)) {
    throw semanticError(
      "The first certificate of the chain does not belong to the private key of this certificate signing request.",
    );
  }
  await validateAgainstStore(ctx, input);
  return identifierReply(200, attachChain(ctx, csr.key, input.chain));
}

// "the REST API automatically selects the CSR based on the information in the first certificate in the chain".
async function postChain(ctx: RequestContext): Promise<Reply> {
  const input = parseChainInput(ctx);
  const csr = [...viewOf(ctx).csrs.values()].find((c) => csrKeyMatches(c, input.chain[0]!));
  if (!csr) throw noMatchingCsr();
  await validateAgainstStore(ctx, input);
  return identifierReply(201, attachChain(ctx, csr.key, input.chain));
}

export const csrRoutes: Route[] = [
  { pattern: PKI, auth: true, methods: { POST: postChain } },
  { pattern: REQUESTS, auth: true, methods: { GET: list, POST: create } },
  { pattern: `${REQUESTS}/:key`, auth: true, methods: { GET: show, PUT: putChain, DELETE: remove } },
];
