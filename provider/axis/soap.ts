import { XMLBuilder } from "fast-xml-parser";
import { DeviceError } from "../transport/errors";
import type { XmlElement } from "./xml";
import { childOf, childText, parseXml, qnameOf } from "./xml";

export const NS = {
  soap: "http://www.w3.org/2003/05/soap-envelope",
  tds: "http://www.onvif.org/ver10/device/wsdl",
  tt: "http://www.onvif.org/ver10/schema",
  ter: "http://www.onvif.org/ver10/error",
  acertificates: "http://www.axis.com/vapix/ws/certificates",
  acert: "http://www.axis.com/vapix/ws/cert",
  aweb: "http://www.axis.com/vapix/ws/webserver",
} as const;

/** A body element for the builder: keys are prefixed names (prefixes from NS), values text or nested. */
export type XmlValue = string | XmlTree | Array<string | XmlTree>;
export interface XmlTree {
  [qualifiedName: string]: XmlValue;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  suppressEmptyNode: true,
});

/**
 * A SOAP 1.2 envelope around one operation element. Every element carries an explicit prefix declared on
 * the Envelope, so the request means the same to any namespace-aware server; the builder escapes all text,
 * so an ID carrying markup stays text.
 */
export function buildEnvelope(operation: XmlTree): string {
  const declarations = Object.fromEntries(
    Object.entries(NS).map(([prefix, uri]) => [`@_xmlns:${prefix === "soap" ? "SOAP-ENV" : prefix}`, uri]),
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    builder.build({ "SOAP-ENV:Envelope": { ...declarations, "SOAP-ENV:Body": operation } })
  );
}

/** A SOAP fault, with the device's own words. `code` is stable: branch on it and on `subcode`/`detail`. */
export class AxisSoapFault extends DeviceError {
  /** "Sender" or "Receiver" (SOAP 1.2 env:Code/Value, local part). */
  readonly soapCode: string;
  /** Local part of the first Subcode value, e.g. "ActionNotSupported", or "" when none. */
  readonly subcode: string;
  readonly subcodeNamespace: string;
  readonly reason: string;
  /** Local name of the first Detail child element (e.g. "CertificateIdInUseFault"), else the detail text. */
  readonly detail: string;

  constructor(device: string, operation: string, status: number, fault: ParsedFault) {
    const parts = [`SOAP ${fault.soapCode} fault`];
    if (fault.subcode) parts.push(`(${fault.subcode})`);
    parts.push(`HTTP ${status}:`, fault.reason ? JSON.stringify(fault.reason) : "(no reason given)");
    if (fault.detail) parts.push(`detail ${fault.detail}`);
    // Faults that say the device is busy or failed internally may pass; Sender faults never do.
    super("AXIS_SOAP_FAULT", parts.join(" "), { device, operation, status, transient: false });
    this.name = "AxisSoapFault";
    this.soapCode = fault.soapCode;
    this.subcode = fault.subcode;
    this.subcodeNamespace = fault.subcodeNamespace;
    this.reason = fault.reason;
    this.detail = fault.detail;
  }
}

export interface ParsedFault {
  soapCode: string;
  subcode: string;
  subcodeNamespace: string;
  reason: string;
  detail: string;
}

export function parseFault(fault: XmlElement): ParsedFault {
  const code = childOf(fault, NS.soap, "Code");
  const codeValue = childOf(code, NS.soap, "Value");
  const sub = childOf(childOf(code, NS.soap, "Subcode"), NS.soap, "Value");
  const subQ = sub ? qnameOf(sub, sub.text) : { ns: "", local: "" };
  const reason = childText(childOf(fault, NS.soap, "Reason"), NS.soap, "Text") ?? "";
  const detailEl = childOf(fault, NS.soap, "Detail");
  const detailChild = detailEl?.children.find((c) => !(c.ns === NS.soap && c.local === "Text"));
  const detail = detailChild
    ? detailChild.local
    : (childText(detailEl, NS.soap, "Text") ?? detailEl?.text.trim() ?? "");
  return {
    soapCode: codeValue ? qnameOf(codeValue, codeValue.text).local : "",
    subcode: subQ.local,
    subcodeNamespace: subQ.ns,
    reason,
    detail,
  };
}

/**
 * The operation's response element from a SOAP response of any HTTP status: a Fault becomes an
 * AxisSoapFault whatever the status (devices disagree on 400 vs 500), anything else non-2xx an HTTP error.
 */
export function parseSoapResponse(
  device: string,
  operation: string,
  status: number,
  body: string,
): XmlElement {
  let envelope: XmlElement | undefined;
  try {
    envelope = parseXml(body);
  } catch {
    envelope = undefined;
  }
  const isEnvelope = envelope?.ns === NS.soap && envelope.local === "Envelope";
  const first = isEnvelope ? childOf(envelope, NS.soap, "Body")?.children[0] : undefined;
  if (first && first.ns === NS.soap && first.local === "Fault") {
    throw new AxisSoapFault(device, operation, status, parseFault(first));
  }
  if (status === 403) {
    throw new DeviceError(
      "DEVICE_UNAUTHORIZED",
      "HTTP 403: the user may not call this operation (an Administrator account is needed)",
      {
        device,
        operation,
        status,
      },
    );
  }
  if (status < 200 || status >= 300) {
    throw new DeviceError("DEVICE_HTTP_ERROR", `HTTP ${status}${snippet(body)}`, {
      device,
      operation,
      status,
      transient: status >= 500,
    });
  }
  if (!first) {
    throw new DeviceError("DEVICE_BAD_RESPONSE", `the answer is not a SOAP 1.2 envelope${snippet(body)}`, {
      device,
      operation,
      status,
    });
  }
  return first;
}

function snippet(body: string): string {
  const text = body
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 160);
  return text ? `: ${text}` : "";
}
