import type { SoapFault } from "./faults";
import { versionMismatch, wellFormed } from "./faults";
import { ENVELOPE_NAMESPACES, NS, SOAP11_ENV } from "./namespaces";
import type { XmlElement } from "./xmlReader";
import { parseXml } from "./xmlReader";
import type { XmlNode } from "./xmlWriter";
import { serialize, struct } from "./xmlWriter";

const ENVELOPE_ATTRS: Record<string, string> = Object.fromEntries(
  ENVELOPE_NAMESPACES.map(([prefix, uri]) => [`xmlns:${prefix}`, uri]),
);

/** A whole response document shaped like the 12.11 captures: declaration, newline, one-line envelope. */
export function renderEnvelope(bodyChildren: readonly XmlNode[]): string {
  const envelope = struct("SOAP-ENV:Envelope", [struct("SOAP-ENV:Body", bodyChildren)], ENVELOPE_ATTRS);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(envelope)}`;
}

export function renderFault(fault: SoapFault): string {
  return renderEnvelope([fault.toXml()]);
}

/**
 * The operation element of a request: the first element child of the SOAP 1.2 Body. Headers are ignored
 * (authentication is HTTP-level on Axis; nothing in a Header is mustUnderstand-relevant here).
 */
export function operationElement(body: string): XmlElement {
  const root = parseXml(body);
  if (root.local !== "Envelope") throw wellFormed("The root element is not a SOAP Envelope");
  if (root.ns === SOAP11_ENV) throw versionMismatch();
  if (root.ns !== NS.soapEnv) throw versionMismatch();
  const bodies = root.children.filter((c) => c.local === "Body" && c.ns === NS.soapEnv);
  if (bodies.length !== 1) throw wellFormed("The Envelope has no SOAP Body");
  const operation = bodies[0].children[0];
  if (!operation) throw wellFormed("The SOAP Body is empty");
  return operation;
}
