import { certificateIdNotFound, invalidArgVal } from "../faults";
import { NS } from "../namespaces";
import type { ConnectionPolicy, WebServerTlsConfiguration } from "../state";
import { CONNECTION_POLICIES } from "../state";
import type { XmlElement } from "../xmlReader";
import { childrenNamed, optionalChild, requiredChild, requiredText, textOf } from "../xmlReader";
import type { XmlNode } from "../xmlWriter";
import { leaf, struct } from "../xmlWriter";
import type { OperationHandler } from "./context";

function idList(name: string, ids: readonly string[]): XmlNode {
  return struct(
    name,
    ids.map((id) => leaf("acert:Id", id)),
  );
}

/** Shaped exactly like the 12.11 capture, including the empty `<acert:CACertificates></acert:CACertificates>`. */
export function webServerXml(config: WebServerTlsConfiguration): XmlNode {
  const policies = (["Admin", "Operator", "Viewer"] as const)
    .filter((group) => config.connectionPolicies[group] !== undefined)
    .map((group) => leaf(`aweb:${group}`, config.connectionPolicies[group] as string));
  return struct(
    "aweb:Configuration",
    [
      leaf("aweb:Tls", config.tls ? "true" : "false"),
      struct("aweb:ConnectionPolicies", policies),
      struct(
        "aweb:Ciphers",
        config.ciphers.map((c) => leaf("acert:Cipher", c)),
      ),
      struct("aweb:CertificateSet", [
        idList("acert:Certificates", [config.certificateId]),
        idList("acert:CACertificates", config.caCertificateIds),
        idList("acert:TrustedCertificates", config.trustedCertificateIds),
      ]),
    ],
    { name: "WebServer" },
  );
}

const getWebServerTlsConfiguration: OperationHandler = (_req, { state }) => [
  struct("aweb:GetWebServerTlsConfigurationResponse", [webServerXml(state.webServer)]),
];

function booleanOf(text: string, name: string): boolean {
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw invalidArgVal(`${name} is not an xs:boolean`);
}

function policyOf(
  policies: XmlElement,
  group: "Admin" | "Operator" | "Viewer",
): ConnectionPolicy | undefined {
  const el = optionalChild(policies, NS.aweb, group);
  if (!el) return undefined;
  const value = textOf(el);
  if (!(CONNECTION_POLICIES as readonly string[]).includes(value)) {
    throw invalidArgVal(`${group} must be one of ${CONNECTION_POLICIES.join(", ")}`);
  }
  return value as ConnectionPolicy;
}

function idsIn(set: XmlElement, local: string): string[] | undefined {
  const list = optionalChild(set, NS.acert, local);
  return list ? childrenNamed(list, NS.acert, "Id").map(textOf) : undefined;
}

/**
 * `Configuration` and `Tls` must be in the aweb namespace (the default xmlns of the operation in the Axis
 * doc layout); a `Configuration` in no namespace is `ter:TagMismatch` like gSOAP. Ciphers are kept as sent
 * and, when absent, the current ones stay; likewise the policies. On success the HTTPS listener rebinds.
 */
const setWebServerTlsConfiguration: OperationHandler = (req, { state }) => {
  const conf = requiredChild(req, NS.aweb, "Configuration");
  const tls = booleanOf(requiredText(conf, NS.aweb, "Tls"), "Tls");
  const policiesEl = optionalChild(conf, NS.aweb, "ConnectionPolicies");
  const ciphersEl = optionalChild(conf, NS.aweb, "Ciphers");
  const set = requiredChild(conf, NS.aweb, "CertificateSet");
  const certificateIds = idsIn(set, "Certificates") ?? [];
  if (certificateIds.length !== 1)
    throw invalidArgVal("CertificateSet/Certificates must hold exactly one Id");
  const caCertificateIds = idsIn(set, "CACertificates") ?? [];
  const trustedCertificateIds = idsIn(set, "TrustedCertificates") ?? [];

  const [certificateId] = certificateIds;
  const cert = state.store.clients.get(certificateId);
  if (!cert) throw certificateIdNotFound();
  if (!cert.privateKey) throw invalidArgVal("The certificate has no private key", "ter:CertificateID");
  for (const id of [...caCertificateIds, ...trustedCertificateIds]) {
    if (!state.store.cas.has(id)) throw certificateIdNotFound();
  }

  let connectionPolicies = state.webServer.connectionPolicies;
  if (policiesEl) {
    const admin = policyOf(policiesEl, "Admin");
    if (!admin) throw invalidArgVal("ConnectionPolicies/Admin is required");
    connectionPolicies = { Admin: admin };
    const operator = policyOf(policiesEl, "Operator");
    const viewer = policyOf(policiesEl, "Viewer");
    if (operator) connectionPolicies.Operator = operator;
    if (viewer) connectionPolicies.Viewer = viewer;
  }
  const ciphers = ciphersEl
    ? childrenNamed(ciphersEl, NS.acert, "Cipher").map(textOf)
    : state.webServer.ciphers;

  state.webServer = {
    tls,
    connectionPolicies,
    ciphers,
    certificateId,
    caCertificateIds,
    trustedCertificateIds,
  };
  state.applyHttps();
  return [struct("aweb:SetWebServerTlsConfigurationResponse")];
};

export const awebOperations: Readonly<Record<string, OperationHandler>> = {
  GetWebServerTlsConfiguration: getWebServerTlsConfiguration,
  SetWebServerTlsConfiguration: setWebServerTlsConfiguration,
};
