import {
  caCertificateIdExists,
  certificateIdNotFound,
  certificateInUse,
  emptySenderFault,
  invalidArgVal,
  keyMismatch,
  maxCertificates,
  missingArgument,
  operationProhibited,
} from "../faults";
import { NS } from "../namespaces";
import { commonNames, keyMatchesCertificate, parsePrivateKeyDer } from "../pki";
import { DOT1X_TOKEN, EAP_TLS } from "../state";
import type { Dot1XConfiguration } from "../state";
import type { CaCertificate, ClientCertificate } from "../store";
import { caCertificate, clientCertificate } from "../store";
import type { XmlElement } from "../xmlReader";
import {
  childrenNamed,
  optionalChild,
  optionalText,
  requiredChild,
  requiredText,
  textOf,
} from "../xmlReader";
import type { XmlNode } from "../xmlWriter";
import { leaf, struct } from "../xmlWriter";
import { binaryData, certificateFrom, certificateIdOf, checkNewIds } from "./certificateInput";
import type { OperationContext, OperationHandler } from "./context";

/** tt:Certificate: base64 DER, no PEM armour, no line breaks [CAPTURE]. */
function certificateXml(wrapper: string, entry: ClientCertificate | CaCertificate): XmlNode {
  return struct(wrapper, [
    leaf("tt:CertificateID", entry.id),
    struct("tt:Certificate", [leaf("tt:Data", entry.der.toString("base64"))]),
  ]);
}

function atLeastOne(request: XmlElement, local: string): XmlElement[] {
  const items = childrenNamed(request, NS.tds, local);
  if (items.length === 0) throw missingArgument(local);
  return items;
}

const getCertificates: OperationHandler = (_req, { state }) => [
  struct(
    "tds:GetCertificatesResponse",
    [...state.store.clients.values()].map((c) => certificateXml("tds:NvtCertificate", c)),
  ),
];

const getCACertificates: OperationHandler = (_req, { state }) => [
  struct(
    "tds:GetCACertificatesResponse",
    [...state.store.cas.values()].map((c) => certificateXml("tds:CACertificate", c)),
  ),
];

/** Only the HTTPS-bound certificate is `true`, and the capture lists it first. */
const getCertificatesStatus: OperationHandler = (_req, { state }) => {
  const bound = state.webServer.certificateId;
  const ids = [...state.store.clients.keys()];
  const ordered = [...ids.filter((id) => id === bound), ...ids.filter((id) => id !== bound)];
  return [
    struct(
      "tds:GetCertificatesStatusResponse",
      ordered.map((id) =>
        struct("tds:CertificateStatus", [
          leaf("tt:CertificateID", id),
          leaf("tt:Status", id === bound ? "true" : "false"),
        ]),
      ),
    ),
  ];
};

/**
 * All or nothing (ONVIF). Deletes client or CA certificates. In use (HTTPS, its chain, 802.1X) → the WSDL's
 * CertificateIdInUseFault: the real behaviour is [NOT FOUND], the fault's existence suggests a refusal.
 * Device-ID certificates live in the secure element and are refused [INFERRED].
 */
const deleteCertificates: OperationHandler = (req, { state }) => {
  const ids = atLeastOne(req, "CertificateID").map(textOf);
  for (const id of ids) {
    if (!state.store.has(id)) throw certificateIdNotFound();
    if (state.store.clients.get(id)?.origin === "device-id")
      throw operationProhibited("The certificate is read-only");
    if (state.inUseBy(id)) throw certificateInUse(id);
  }
  for (const id of ids) state.store.delete(id);
  return [struct("tds:DeleteCertificatesResponse")];
};

function checkCapacity(ctx: OperationContext, adding: number): void {
  if (ctx.state.clientCertificateCount() + adding > ctx.settings.maxCertificates) throw maxCertificates();
}

const loadCertificateWithPrivateKey: OperationHandler = (req, ctx) => {
  const entries = atLeastOne(req, "CertificateWithPrivateKey").map((item) => {
    const id = certificateIdOf(item);
    const { der, cert } = certificateFrom(binaryData(item, "Certificate"), false);
    const key = parsePrivateKeyDer(binaryData(item, "PrivateKey"));
    if (!key)
      throw invalidArgVal("The private key is not a PKCS#8, PKCS#1 or SEC1 DER key", "ter:BadPrivateKey");
    if (!keyMatchesCertificate(cert, key)) throw keyMismatch();
    return clientCertificate(id, der, "loaded", key);
  });
  checkNewIds(
    entries.map((e) => e.id),
    ctx.state.store,
  );
  checkCapacity(ctx, entries.length);
  for (const entry of entries) ctx.state.store.putClient(entry);
  return [struct("tds:LoadCertificateWithPrivateKeyResponse")];
};

const loadCACertificates: OperationHandler = (req, ctx) => {
  const entries = atLeastOne(req, "CACertificate").map((item) => {
    const id = certificateIdOf(item);
    return caCertificate(id, certificateFrom(binaryData(item, "Certificate"), true).der);
  });
  checkNewIds(
    entries.map((e) => e.id),
    ctx.state.store,
    caCertificateIdExists,
  );
  if (ctx.state.store.cas.size + entries.length > ctx.settings.maxCaCertificates) throw maxCertificates();
  for (const entry of entries) ctx.state.store.putCa(entry);
  return [struct("tds:LoadCACertificatesResponse")];
};

/**
 * Attaches a CA-signed certificate to a key already on the device (CreateCertificate2 → GetPkcs10Request2 →
 * sign → LoadCertificates). Axis: the ID must be the CreateCertificate2 ID (oadm notes, unverified on
 * hardware), so the strict reading needs an existing ID whose key matches the certificate's public key.
 */
const loadCertificates: OperationHandler = (req, { state }) => {
  const updates = atLeastOne(req, "NVTCertificate").map((item) => {
    const id = certificateIdOf(item);
    const existing = state.store.clients.get(id);
    if (!existing?.privateKey) throw certificateIdNotFound();
    if (existing.origin === "device-id") throw operationProhibited("The certificate is read-only");
    const { der, cert } = certificateFrom(binaryData(item, "Certificate"), false);
    if (!keyMatchesCertificate(cert, existing.privateKey)) throw keyMismatch();
    return clientCertificate(id, der, existing.origin, existing.privateKey);
  });
  for (const entry of updates) state.store.putClient(entry);
  if (updates.some((e) => e.id === state.webServer.certificateId)) state.applyHttps();
  return [struct("tds:LoadCertificatesResponse")];
};

export function dot1xXml(config: Dot1XConfiguration): XmlNode {
  const children: XmlNode[] = [
    leaf("tt:Dot1XConfigurationToken", config.token),
    leaf("tt:Identity", config.identity),
  ];
  if (config.anonymousId !== undefined) children.push(leaf("tt:AnonymousID", config.anonymousId));
  children.push(leaf("tt:EAPMethod", String(config.eapMethod)));
  for (const id of config.caCertificateIds) children.push(leaf("tt:CACertificateID", id));
  if (config.certificateId !== undefined) {
    children.push(
      struct("tt:EAPMethodConfiguration", [
        struct("tt:TLSConfiguration", [leaf("tt:CertificateID", config.certificateId)]),
      ]),
    );
  }
  return struct("tds:Dot1XConfiguration", children);
}

/** Unknown tokens [INFERRED subcode]: Axis only has EAPTLS_WIRED for this call. */
function checkToken(token: string): void {
  if (token !== DOT1X_TOKEN)
    throw invalidArgVal("The Dot1XConfigurationToken does not exist", "ter:NoConfig");
}

const getDot1XConfiguration: OperationHandler = (req, { state }) => {
  checkToken(requiredText(req, NS.tds, "Dot1XConfigurationToken"));
  return [struct("tds:GetDot1XConfigurationResponse", [dot1xXml(state.dot1x)])];
};

/**
 * Element order is not checked: node-red and device_tool send CACertificateID after EAPMethodConfiguration
 * and the device accepts it. Namespaces are checked. The Axis doc says "the CertificateID needs to be the
 * certificate common name"; with `dot1xRequireCommonNameMatch` (default) that is enforced.
 */
const setDot1XConfiguration: OperationHandler = (req, { state, settings }) => {
  const conf = requiredChild(req, NS.tds, "Dot1XConfiguration");
  const token = requiredText(conf, NS.tt, "Dot1XConfigurationToken");
  checkToken(token);
  const identity = requiredText(conf, NS.tt, "Identity");
  const anonymousId = optionalText(conf, NS.tt, "AnonymousID");
  const eapText = requiredText(conf, NS.tt, "EAPMethod");
  if (!/^[0-9]+$/.test(eapText)) throw invalidArgVal("EAPMethod is not an integer");
  const eapMethod = Number(eapText);
  if (eapMethod !== EAP_TLS)
    throw invalidArgVal("Only EAP-TLS (13) is supported", "ter:EAPMethodNotSupported");
  const caCertificateIds = childrenNamed(conf, NS.tt, "CACertificateID").map(textOf);
  const methodConf = optionalChild(conf, NS.tt, "EAPMethodConfiguration");
  const tlsConf = methodConf ? optionalChild(methodConf, NS.tt, "TLSConfiguration") : undefined;
  // EAP-TLS cannot work without a client certificate, so the strict reading requires one.
  if (!tlsConf) throw missingArgument("TLSConfiguration");
  const certificateId = requiredText(tlsConf, NS.tt, "CertificateID");
  const password = methodConf ? optionalText(methodConf, NS.tt, "Password") : undefined;

  const client = state.store.clients.get(certificateId);
  if (!client?.privateKey) throw certificateIdNotFound();
  if (settings.dot1xRequireCommonNameMatch && !commonNames(client.der).includes(certificateId)) {
    throw invalidArgVal("The CertificateID needs to be the certificate common name", "ter:CertificateID");
  }
  for (const id of caCertificateIds) if (!state.store.cas.has(id)) throw certificateIdNotFound();

  state.dot1x = { token, identity, anonymousId, eapMethod, caCertificateIds, certificateId, password };
  return [struct("tds:SetDot1XConfigurationResponse")];
};

/** AXIS OS 12.11 answers this with a bare Sender fault [CAPTURE GetDot1XConfigurations.fault.xml]. */
const getDot1XConfigurations: OperationHandler = () => {
  throw emptySenderFault();
};

export const tdsOperations: Readonly<Record<string, OperationHandler>> = {
  GetCertificates: getCertificates,
  GetCACertificates: getCACertificates,
  GetCertificatesStatus: getCertificatesStatus,
  DeleteCertificates: deleteCertificates,
  LoadCertificateWithPrivateKey: loadCertificateWithPrivateKey,
  LoadCACertificates: loadCACertificates,
  LoadCertificates: loadCertificates,
  GetDot1XConfiguration: getDot1XConfiguration,
  SetDot1XConfiguration: setDot1XConfiguration,
  GetDot1XConfigurations: getDot1XConfigurations,
};
