import type { XmlTree } from "./soap";
import { NS } from "./soap";
import type { XmlElement } from "./xml";
import { childOf, childText, childrenOf } from "./xml";

/**
 * One descriptor per VAPIX operation: its name, how its request element is built and how its response
 * element is decoded. The client sends every one of them through the same path.
 */
export interface SoapOperation<In, Out> {
  name: string;
  /** Reads may be coalesced and retried freely. */
  readOnly: boolean;
  /** A write whose repetition changes nothing (it sets a whole configuration): safe to retry after a lost answer. */
  idempotent?: boolean;
  /**
   * A write: the reads whose answers it may change (their operation names). Unset means every read: a
   * write we know nothing more of may change anything.
   */
  changes?: readonly string[];
  build(input: In): XmlTree;
  decode(response: XmlElement): Out;
}

/** What adding or removing a certificate changes: every list of certificates and their status. */
const CERTIFICATE_LISTS = ["GetCertificates", "GetCACertificates", "GetCertificatesStatus"] as const;

/** A stored certificate as the device lists it: its ID and base64 DER. */
export interface StoredCertificate {
  id: string;
  der: Buffer;
}

export interface CertificateStatus {
  id: string;
  status: boolean;
}

/** Subject fields of CreateCertificate2 / GetPkcs10Request2 (the acert namespace). */
export interface AxisSubject {
  commonName: string;
  country?: string;
  state?: string;
  locality?: string;
  organization?: string;
  organizationalUnit?: string;
}

export type ConnectionPolicy = "Http" | "Https" | "HttpAndHttps";

export interface WebServerTlsConfiguration {
  tls: boolean;
  policies: { admin?: string; operator?: string; viewer?: string };
  ciphers: string[];
  certificateIds: string[];
  caCertificateIds: string[];
  trustedCertificateIds: string[];
}

export interface Dot1XConfiguration {
  token: string;
  identity: string;
  anonymousId?: string;
  eapMethod: number;
  caCertificateIds: string[];
  certificateId?: string;
}

const b64 = (d: Uint8Array) => Buffer.from(d).toString("base64");
const fromB64 = (s: string | undefined) => Buffer.from((s ?? "").replace(/\s+/g, ""), "base64");

function storedCertificates(response: XmlElement, element: string): StoredCertificate[] {
  return childrenOf(response, NS.tds, element).map((c) => ({
    id: childText(c, NS.tt, "CertificateID") ?? "",
    der: fromB64(childText(childOf(c, NS.tt, "Certificate"), NS.tt, "Data")),
  }));
}

const noResponse = (): void => undefined;

function subjectTree(s: AxisSubject): XmlTree {
  // The Axis example sends every field, empty ones as empty elements, in this order.
  return {
    "acert:C": s.country ?? "",
    "acert:ST": s.state ?? "",
    "acert:L": s.locality ?? "",
    "acert:O": s.organization ?? "",
    "acert:OU": s.organizationalUnit ?? "",
    "acert:CN": s.commonName,
  };
}

/** xs:dateTime as the Axis example writes it (no zone; devices read it as UTC). */
function axisDateTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, "");
}

export const GetCertificates: SoapOperation<void, StoredCertificate[]> = {
  name: "GetCertificates",
  readOnly: true,
  build: () => ({ "tds:GetCertificates": "" }),
  decode: (r) => storedCertificates(r, "NvtCertificate"),
};

export const GetCACertificates: SoapOperation<void, StoredCertificate[]> = {
  name: "GetCACertificates",
  readOnly: true,
  build: () => ({ "tds:GetCACertificates": "" }),
  decode: (r) => storedCertificates(r, "CACertificate"),
};

export const GetCertificatesStatus: SoapOperation<void, CertificateStatus[]> = {
  name: "GetCertificatesStatus",
  readOnly: true,
  build: () => ({ "tds:GetCertificatesStatus": "" }),
  decode: (r) =>
    childrenOf(r, NS.tds, "CertificateStatus").map((c) => ({
      id: childText(c, NS.tt, "CertificateID") ?? "",
      status: childText(c, NS.tt, "Status") === "true",
    })),
};

export const DeleteCertificates: SoapOperation<string[], void> = {
  name: "DeleteCertificates",
  readOnly: false,
  changes: CERTIFICATE_LISTS,
  build: (ids) => ({ "tds:DeleteCertificates": { "tds:CertificateID": ids } }),
  decode: noResponse,
};

export const LoadCertificateWithPrivateKey: SoapOperation<
  Array<{ id: string; certificateDer: Uint8Array; privateKeyPkcs8Der: Uint8Array }>,
  void
> = {
  name: "LoadCertificateWithPrivateKey",
  readOnly: false,
  changes: CERTIFICATE_LISTS,
  build: (items) => ({
    "tds:LoadCertificateWithPrivateKey": {
      "tds:CertificateWithPrivateKey": items.map((i) => ({
        "tt:CertificateID": i.id,
        "tt:Certificate": { "tt:Data": b64(i.certificateDer) },
        "tt:PrivateKey": { "tt:Data": b64(i.privateKeyPkcs8Der) },
      })),
    },
  }),
  decode: noResponse,
};

export const LoadCACertificates: SoapOperation<Array<{ id: string; der: Uint8Array }>, void> = {
  name: "LoadCACertificates",
  readOnly: false,
  changes: CERTIFICATE_LISTS,
  build: (items) => ({
    "tds:LoadCACertificates": {
      "tds:CACertificate": items.map((i) => ({
        "tt:CertificateID": i.id,
        "tt:Certificate": { "tt:Data": b64(i.der) },
      })),
    },
  }),
  decode: noResponse,
};

export const LoadCertificates: SoapOperation<Array<{ id: string; der: Uint8Array }>, void> = {
  name: "LoadCertificates",
  readOnly: false,
  changes: CERTIFICATE_LISTS,
  build: (items) => ({
    "tds:LoadCertificates": {
      "tds:NVTCertificate": items.map((i) => ({
        "tt:CertificateID": i.id,
        "tt:Certificate": { "tt:Data": b64(i.der) },
      })),
    },
  }),
  decode: noResponse,
};

export const LoadPkcs12: SoapOperation<{ id: string; pkcs12: Uint8Array; password: string }, void> = {
  name: "LoadPkcs12",
  readOnly: false,
  changes: CERTIFICATE_LISTS,
  build: (i) => ({
    "acertificates:LoadPkcs12": {
      "acertificates:Pkcs12": {
        "acert:Id": i.id,
        "acert:Certificate": b64(i.pkcs12),
        "acert:Password": i.password,
      },
    },
  }),
  decode: noResponse,
};

export const CreateCertificate2: SoapOperation<
  { id: string; subject: AxisSubject; validNotBefore?: string; validNotAfter?: string },
  StoredCertificate
> = {
  name: "CreateCertificate2",
  readOnly: false,
  changes: CERTIFICATE_LISTS,
  build: (i) => {
    const op: XmlTree = { "acertificates:Id": i.id, "acertificates:Subject": subjectTree(i.subject) };
    if (i.validNotBefore) op["acertificates:ValidNotBefore"] = axisDateTime(i.validNotBefore);
    if (i.validNotAfter) op["acertificates:ValidNotAfter"] = axisDateTime(i.validNotAfter);
    return { "acertificates:CreateCertificate2": op };
  },
  decode: (r) => ({
    id: childText(r, NS.acertificates, "Id") ?? "",
    // Bare base64 DER per the clients that parse it; tolerate PEM armour in case a firmware sends it.
    der: fromB64((childText(r, NS.acertificates, "Certificate") ?? "").replace(/-----[A-Z ]+-----/g, "")),
  }),
};

export const GetPkcs10Request2: SoapOperation<{ id: string; subject: AxisSubject }, Buffer> = {
  name: "GetPkcs10Request2",
  readOnly: false,
  changes: [],
  // A request for the key already there: asking twice changes nothing.
  idempotent: true,
  build: (i) => ({
    "acertificates:GetPkcs10Request2": {
      "acertificates:Id": i.id,
      "acertificates:Subject": subjectTree(i.subject),
    },
  }),
  decode: (r) =>
    fromB64((childText(r, NS.acertificates, "Pkcs10Request") ?? "").replace(/-----[A-Z ]+-----/g, "")),
};

export const GetWebServerTlsConfiguration: SoapOperation<void, WebServerTlsConfiguration> = {
  name: "GetWebServerTlsConfiguration",
  readOnly: true,
  build: () => ({ "aweb:GetWebServerTlsConfiguration": "" }),
  decode: (r) => {
    const c = childOf(r, NS.aweb, "Configuration");
    const policies = childOf(c, NS.aweb, "ConnectionPolicies");
    const set = childOf(c, NS.aweb, "CertificateSet");
    const ids = (local: string) =>
      childrenOf(childOf(set, NS.acert, local), NS.acert, "Id").map((e) => e.text.trim());
    return {
      tls: childText(c, NS.aweb, "Tls") === "true",
      policies: {
        admin: childText(policies, NS.aweb, "Admin"),
        operator: childText(policies, NS.aweb, "Operator"),
        viewer: childText(policies, NS.aweb, "Viewer"),
      },
      ciphers: childrenOf(childOf(c, NS.aweb, "Ciphers"), NS.acert, "Cipher").map((e) => e.text.trim()),
      certificateIds: ids("Certificates"),
      caCertificateIds: ids("CACertificates"),
      trustedCertificateIds: ids("TrustedCertificates"),
    };
  },
};

export const SetWebServerTlsConfiguration: SoapOperation<WebServerTlsConfiguration, void> = {
  name: "SetWebServerTlsConfiguration",
  readOnly: false,
  changes: ["GetWebServerTlsConfiguration", "GetCertificatesStatus"],
  idempotent: true,
  build: (c) => {
    const policies: XmlTree = {};
    if (c.policies.admin) policies["aweb:Admin"] = c.policies.admin;
    if (c.policies.operator) policies["aweb:Operator"] = c.policies.operator;
    if (c.policies.viewer) policies["aweb:Viewer"] = c.policies.viewer;
    const idList = (ids: string[]): XmlValueOrEmpty => (ids.length ? { "acert:Id": ids } : "");
    return {
      "aweb:SetWebServerTlsConfiguration": {
        "aweb:Configuration": {
          "aweb:Tls": c.tls ? "true" : "false",
          "aweb:ConnectionPolicies": policies,
          "aweb:Ciphers": c.ciphers.length ? { "acert:Cipher": c.ciphers } : "",
          "aweb:CertificateSet": {
            "acert:Certificates": idList(c.certificateIds),
            "acert:CACertificates": idList(c.caCertificateIds),
            "acert:TrustedCertificates": idList(c.trustedCertificateIds),
          },
        },
      },
    };
  },
  decode: noResponse,
};
type XmlValueOrEmpty = XmlTree | string;

export const GetDot1XConfiguration: SoapOperation<string, Dot1XConfiguration> = {
  name: "GetDot1XConfiguration",
  readOnly: true,
  build: (token) => ({ "tds:GetDot1XConfiguration": { "tds:Dot1XConfigurationToken": token } }),
  decode: (r) => {
    const c = childOf(r, NS.tds, "Dot1XConfiguration");
    return {
      token: childText(c, NS.tt, "Dot1XConfigurationToken") ?? "",
      identity: childText(c, NS.tt, "Identity") ?? "",
      anonymousId: childText(c, NS.tt, "AnonymousID"),
      eapMethod: Number(childText(c, NS.tt, "EAPMethod") ?? "0"),
      caCertificateIds: childrenOf(c, NS.tt, "CACertificateID").map((e) => e.text.trim()),
      certificateId: childText(
        childOf(childOf(c, NS.tt, "EAPMethodConfiguration"), NS.tt, "TLSConfiguration"),
        NS.tt,
        "CertificateID",
      ),
    };
  },
};

export const SetDot1XConfiguration: SoapOperation<Dot1XConfiguration, void> = {
  name: "SetDot1XConfiguration",
  readOnly: false,
  changes: ["GetDot1XConfiguration", "GetCertificatesStatus"],
  idempotent: true,
  build: (c) => {
    // Schema order: Token, Identity, AnonymousID?, EAPMethod, CACertificateID*, EAPMethodConfiguration?.
    const conf: XmlTree = { "tt:Dot1XConfigurationToken": c.token, "tt:Identity": c.identity };
    if (c.anonymousId) conf["tt:AnonymousID"] = c.anonymousId;
    conf["tt:EAPMethod"] = String(c.eapMethod);
    if (c.caCertificateIds.length) conf["tt:CACertificateID"] = c.caCertificateIds;
    if (c.certificateId)
      conf["tt:EAPMethodConfiguration"] = { "tt:TLSConfiguration": { "tt:CertificateID": c.certificateId } };
    return { "tds:SetDot1XConfiguration": { "tds:Dot1XConfiguration": conf } };
  },
  decode: noResponse,
};
