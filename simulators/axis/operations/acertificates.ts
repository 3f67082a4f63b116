import { sleep } from "../../shared/sleep";
import {
  badCertificate,
  certificateIdExists,
  certificateIdNotFound,
  invalidArgVal,
  invalidCertificateId,
  keyPairGenerationFailed,
  maxCertificates,
  pkcs10GenerationFailed,
  pkcs12Invalid,
} from "../faults";
import { NS } from "../namespaces";
import type { JsonName } from "../pki";
import { createCertificate, createCsr, decodeBase64Strict, generateKey } from "../pki";
import { openPkcs12 } from "../pkcs12";
import { clientCertificate, isValidCertificateId } from "../store";
import type { XmlElement } from "../xmlReader";
import { optionalText, requiredChild, requiredText } from "../xmlReader";
import { leaf, struct } from "../xmlWriter";
import type { OperationContext, OperationHandler } from "./context";

/** The subject fields confirmed for acert subjects, in the order they are written into the name. */
const SUBJECT_FIELDS = ["C", "ST", "L", "O", "OU", "CN"] as const;

/** `acertificates:Subject` with `acert:*` fields; empty fields (`<acert:ST />` in the doc example) are left out. */
function subjectOf(request: XmlElement): JsonName {
  const subject = requiredChild(request, NS.acertificates, "Subject");
  const name: JsonName = [];
  for (const field of SUBJECT_FIELDS) {
    const value = optionalText(subject, NS.acert, field);
    if (value) name.push({ [field]: [value] });
  }
  const country = optionalText(subject, NS.acert, "C");
  if (country && !/^[A-Za-z]{2}$/.test(country)) throw invalidArgVal("C must be a two-letter country code");
  if (name.length === 0) throw invalidArgVal("The subject is empty");
  return name;
}

/**
 * xs:dateTime. The doc example has no zone designator (`2020-10-16T04:08:32`); the camera clock is UTC,
 * so a missing zone is read as UTC [INFERRED].
 */
function dateTimeOf(request: XmlElement, local: string): Date | undefined {
  const text = optionalText(request, NS.acertificates, local);
  if (text === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  const date = m ? new Date(`${m[1]}${m[2] ?? "Z"}`) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw invalidArgVal(`${local} is not a valid xs:dateTime`);
  return date;
}

function idOf(request: XmlElement, ns: string): string {
  const id = requiredText(request, ns, "Id");
  if (!isValidCertificateId(id)) throw invalidCertificateId();
  return id;
}

function checkRoomFor(ctx: OperationContext, id: string): void {
  if (ctx.state.store.has(id)) throw certificateIdExists();
  if (ctx.state.clientCertificateCount() >= ctx.settings.maxCertificates) throw maxCertificates();
}

/** Default validity without ValidNotAfter [NOT FOUND on Axis]: one year. */
const DEFAULT_VALIDITY_MS = 365 * 24 * 3600_000;

/**
 * A key pair made on the device and a self-signed certificate for it. Response: Id plus the certificate as
 * bare base64 DER (what Fred Juhlin's client wraps into PEM) [INFERRED].
 */
const createCertificate2: OperationHandler = async (req, ctx) => {
  const id = idOf(req, NS.acertificates);
  const subject = subjectOf(req);
  const notBefore = dateTimeOf(req, "ValidNotBefore") ?? new Date();
  const notAfter = dateTimeOf(req, "ValidNotAfter") ?? new Date(notBefore.getTime() + DEFAULT_VALIDITY_MS);
  if (notAfter <= notBefore) throw invalidArgVal("ValidNotAfter must be after ValidNotBefore");
  checkRoomFor(ctx, id);

  let der: Buffer;
  const [privateKey] = await Promise.all([
    generateKey(ctx.settings.onDeviceKeyType).catch(() => {
      throw keyPairGenerationFailed();
    }),
    sleep(ctx.settings.keyGenerationMs),
  ]);
  try {
    der = await createCertificate({ subject, subjectKey: privateKey, notBefore, notAfter });
  } catch {
    throw keyPairGenerationFailed();
  }
  // Checked again: another request may have taken the ID or the last slot while the key was generated.
  checkRoomFor(ctx, id);
  ctx.state.store.putClient(clientCertificate(id, der, "created", privateKey));
  return [
    struct("acertificates:CreateCertificate2Response", [
      leaf("acertificates:Id", id),
      leaf("acertificates:Certificate", der.toString("base64")),
    ]),
  ];
};

/** A real PKCS#10 request for the stored key with the requested subject, as bare base64 DER. */
const getPkcs10Request2: OperationHandler = async (req, { state }) => {
  const id = requiredText(req, NS.acertificates, "Id");
  const subject = subjectOf(req);
  const entry = state.store.clients.get(id);
  if (!entry?.privateKey) throw certificateIdNotFound();
  let csr: Buffer;
  try {
    csr = await createCsr(subject, entry.privateKey);
  } catch {
    throw pkcs10GenerationFailed("The key of this certificate cannot sign a PKCS#10 request");
  }
  return [
    struct("acertificates:GetPkcs10Request2Response", [
      leaf("acertificates:Pkcs10Request", csr.toString("base64")),
    ]),
  ];
};

/**
 * `<Pkcs12><acert:Id/><acert:Certificate>base64 .p12</acert:Certificate><acert:Password/></Pkcs12>` as in
 * the Axis doc example; `Pkcs12` takes the operation's default namespace (acertificates).
 */
const loadPkcs12: OperationHandler = (req, ctx) => {
  const pkcs12 = requiredChild(req, NS.acertificates, "Pkcs12");
  const id = idOf(pkcs12, NS.acert);
  const data = decodeBase64Strict(requiredText(pkcs12, NS.acert, "Certificate"));
  if (!data) throw badCertificate("The PKCS#12 data is not valid base64");
  const password = requiredChild(pkcs12, NS.acert, "Password").text;
  const contents = openPkcs12(data, password);
  if (!contents) throw pkcs12Invalid();
  checkRoomFor(ctx, id);
  ctx.state.store.putClient(clientCertificate(id, contents.certificateDer, "pkcs12", contents.privateKey));
  return [struct("acertificates:LoadPkcs12Response")];
};

/** Everything else in this service, e.g. GetCACertificates, is ActionNotSupported [CAPTURE]. */
export const acertificatesOperations: Readonly<Record<string, OperationHandler>> = {
  CreateCertificate2: createCertificate2,
  GetPkcs10Request2: getPkcs10Request2,
  LoadPkcs12: loadPkcs12,
};
