import type { XmlNode } from "./xmlWriter";
import { leaf, struct } from "./xmlWriter";

/**
 * A SOAP 1.2 fault the simulator answers with. Subcodes are written as the device writes them
 * (`ter:ActionNotSupported`); nested subcodes follow ONVIF Core (`ter:InvalidArgVal` then `ter:CertificateID`).
 */
export class SoapFault extends Error {
  override readonly name = "SoapFault";

  constructor(
    readonly code: "Sender" | "Receiver" | "VersionMismatch",
    readonly subcodes: readonly string[],
    readonly reason: string,
    /** Children of `SOAP-ENV:Detail`; no Detail element at all when undefined. */
    readonly detail?: readonly XmlNode[],
  ) {
    super(`${code}${subcodes.map((s) => `/${s}`).join("")}: ${reason}`);
  }

  /** SOAP 1.2 HTTP binding: Sender → 400 (matches the rs4acap Axis fixture), everything else → 500. */
  get httpStatus(): number {
    return this.code === "Sender" ? 400 : 500;
  }

  toXml(): XmlNode {
    const code = struct("SOAP-ENV:Code", [
      leaf("SOAP-ENV:Value", `SOAP-ENV:${this.code}`),
      ...subcodeChain(this.subcodes),
    ]);
    const children: XmlNode[] = [
      code,
      struct("SOAP-ENV:Reason", [leaf("SOAP-ENV:Text", this.reason, { "xml:lang": "en" })]),
    ];
    if (this.detail) children.push(struct("SOAP-ENV:Detail", this.detail));
    return struct("SOAP-ENV:Fault", children);
  }
}

function subcodeChain(subcodes: readonly string[]): XmlNode[] {
  if (subcodes.length === 0) return [];
  const [first, ...rest] = subcodes;
  return [struct("SOAP-ENV:Subcode", [leaf("SOAP-ENV:Value", first), ...subcodeChain(rest)])];
}

/** Axis service-specific fault detail, placed like the action1 capture: `<Detail><ns:XxxFault></ns:XxxFault></Detail>`. */
function axisDetail(faultName: string): XmlNode[] {
  return [struct(`acertificates:${faultName}`)];
}

// --- Faults seen on the wire (captures) --------------------------------------------------------------

/** Verbatim from acertificates-GetCACertificates.fault.xml [CAPTURE]. */
export function actionNotSupported(): SoapFault {
  return new SoapFault("Receiver", ["ter:ActionNotSupported"], "Optional action not implemented", [
    leaf("SOAP-ENV:Text", "The requested action is optional and is not implemented"),
  ]);
}

/** Verbatim from GetDot1XConfigurations.fault.xml [CAPTURE]: Sender, no subcode, empty reason, no detail. */
export function emptySenderFault(): SoapFault {
  return new SoapFault("Sender", [], "");
}

// --- Generic ONVIF faults (Core spec subcodes; reason strings [INFERRED]) -----------------------------

export function wellFormed(reason = "Well-formed Error"): SoapFault {
  return new SoapFault("Sender", ["ter:WellFormed"], reason);
}

/** oadm's model of AXIS OS 12.11 for an element in the wrong namespace ("Tag mismatch"). */
export function tagMismatch(): SoapFault {
  return new SoapFault("Sender", ["ter:TagMismatch"], "Tag mismatch");
}

export function missingArgument(element: string): SoapFault {
  return new SoapFault("Sender", ["ter:InvalidArgs"], `Missing argument: ${element}`);
}

export function invalidArgVal(reason: string, ...more: string[]): SoapFault {
  return new SoapFault("Sender", ["ter:InvalidArgVal", ...more], reason);
}

export function versionMismatch(): SoapFault {
  return new SoapFault("VersionMismatch", [], "SOAP version mismatch or invalid SOAP message");
}

// --- Certificate faults ------------------------------------------------------------------------------

/** Reason text matched by clients (acap-rs); subcodes per ONVIF Core [INFERRED for Axis]. */
export function certificateIdNotFound(): SoapFault {
  return invalidArgVal("The CertificateID does not exist", "ter:CertificateID");
}

/** Reason text matched by clients (acap-rs) for a duplicate LoadCACertificates. */
export function caCertificateIdExists(): SoapFault {
  return invalidArgVal("the CA certificate ID already exists", "ter:CertificateID");
}

/** Duplicate client certificate ID [INFERRED wording, mirrors the CA one]. */
export function certificateIdExists(): SoapFault {
  return invalidArgVal("The CertificateID already exists", "ter:CertificateID");
}

export function invalidCertificateId(): SoapFault {
  return invalidArgVal("The CertificateID is not valid", "ter:CertificateID");
}

export function badCertificate(
  reason = "The certificate is not a valid DER/PEM X.509 certificate",
): SoapFault {
  return new SoapFault(
    "Sender",
    ["ter:InvalidArgVal", "ter:BadCertificate"],
    reason,
    axisDetail("CertificateFormatFault"),
  );
}

export function keyMismatch(): SoapFault {
  return invalidArgVal("The private key does not match the certificate", "ter:BadCertificate");
}

/** The WSDL's CertificateIdInUseFault, placed like the action1 capture [INFERRED placement and reason]. */
export function certificateInUse(id: string): SoapFault {
  return new SoapFault(
    "Sender",
    [],
    `The certificate ${id} is in use`,
    axisDetail("CertificateIdInUseFault"),
  );
}

export function maxCertificates(): SoapFault {
  return new SoapFault(
    "Sender",
    [],
    "The maximum number of certificates is reached",
    axisDetail("MaxNumberOfCertificatesFault"),
  );
}

export function pkcs12Invalid(): SoapFault {
  return new SoapFault(
    "Sender",
    [],
    "Could not decode the PKCS#12 data: wrong password or corrupt file",
    axisDetail("CertificateFormatFault"),
  );
}

export function keyPairGenerationFailed(): SoapFault {
  return new SoapFault("Receiver", [], "Key pair generation failed", axisDetail("KeyPairGenerationFault"));
}

export function pkcs10GenerationFailed(reason: string): SoapFault {
  return new SoapFault("Receiver", [], reason, axisDetail("Pkcs10GenerationFault"));
}

export function operationProhibited(reason: string): SoapFault {
  return new SoapFault("Sender", ["ter:OperationProhibited"], reason);
}
