import { x509 } from "./lib";

/** An extension value the appliance would not accept; the message goes to the client. */
export class ExtensionSpecError extends Error {}

export const EXTENSION_NAMES = [
  "basicConstraints",
  "keyUsage",
  "extendedKeyUsage",
  "subjectAltName",
  "subjectInfoAccess",
] as const;
export type ExtensionName = (typeof EXTENSION_NAMES)[number];

const KEY_USAGES: Record<string, number> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  dataEncipherment: x509.KeyUsageFlags.dataEncipherment,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
  encipherOnly: x509.KeyUsageFlags.encipherOnly,
  decipherOnly: x509.KeyUsageFlags.decipherOnly,
};

const EXTENDED_KEY_USAGES: Record<string, string> = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  OCSPSigning: "1.3.6.1.5.5.7.3.9",
};

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

function items(value: string): string[] {
  const parts = value.split(",").map((p) => p.trim());
  if (parts.some((p) => p === "")) throw new ExtensionSpecError(`empty item in "${value}"`);
  return parts;
}

// OpenSSL config syntax ("DNS:a,IP:1.2.3.4"), the syntax the seed's examples use.
function generalName(item: string): { type: "dns" | "ip" | "email" | "url"; value: string } {
  const colon = item.indexOf(":");
  const kind = colon < 0 ? "" : item.slice(0, colon);
  const value = colon < 0 ? "" : item.slice(colon + 1);
  const type = ({ DNS: "dns", IP: "ip", email: "email", URI: "url" } as const)[
    kind as "DNS" | "IP" | "email" | "URI"
  ];
  if (!type || value === "") throw new ExtensionSpecError(`unsupported general name "${item}"`);
  if (type === "ip" && !/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)$/.test(value)) {
    throw new ExtensionSpecError(`invalid IP address "${value}"`);
  }
  return { type, value };
}

function basicConstraints(value: string, critical: boolean) {
  const m = /^CA:(TRUE|FALSE)(?:,\s*pathlen:(\d+))?$/i.exec(value.trim());
  if (!m) throw new ExtensionSpecError(`invalid basicConstraints "${value}"`);
  const ca = m[1]!.toUpperCase() === "TRUE";
  if (!ca && m[2] !== undefined) throw new ExtensionSpecError("pathlen is only allowed with CA:TRUE");
  return new x509.BasicConstraintsExtension(ca, m[2] === undefined ? undefined : Number(m[2]), critical);
}

function keyUsage(value: string, critical: boolean) {
  let flags = 0;
  for (const item of items(value)) {
    const flag = KEY_USAGES[item];
    if (flag === undefined) throw new ExtensionSpecError(`unknown key usage "${item}"`);
    flags |= flag;
  }
  return new x509.KeyUsagesExtension(flags, critical);
}

function extendedKeyUsage(value: string, critical: boolean) {
  const usages = items(value).map((item) => {
    const oid = EXTENDED_KEY_USAGES[item] ?? (OID.test(item) ? item : undefined);
    if (!oid) throw new ExtensionSpecError(`unknown extended key usage "${item}"`);
    return oid;
  });
  return new x509.ExtendedKeyUsageExtension(usages, critical);
}

function subjectAltName(value: string, critical: boolean) {
  return new x509.SubjectAlternativeNameExtension(items(value).map(generalName), critical);
}

// SubjectInfoAccessSyntax has the same ASN.1 shape as AuthorityInfoAccessSyntax, so the library's AIA
// encoder produces the value and only the extension OID differs.
function subjectInfoAccess(value: string, critical: boolean) {
  const params: { caRepository: string[]; timeStamping: string[] } = { caRepository: [], timeStamping: [] };
  for (const item of items(value)) {
    const semi = item.indexOf(";");
    const method = semi < 0 ? "" : item.slice(0, semi);
    if (method !== "caRepository" && method !== "timeStamping") {
      throw new ExtensionSpecError(`unsupported access method in "${item}"`);
    }
    const name = generalName(item.slice(semi + 1));
    if (name.type !== "url") throw new ExtensionSpecError(`only URI locations are supported in "${item}"`);
    params[method].push(name.value);
  }
  const encoded = new x509.AuthorityInfoAccessExtension(params, critical);
  return new x509.Extension("1.3.6.1.5.5.7.1.11", critical, encoded.value);
}

export function buildExtension(
  name: ExtensionName,
  value: string,
  critical: boolean,
): InstanceType<typeof x509.Extension> {
  switch (name) {
    case "basicConstraints":
      return basicConstraints(value, critical);
    case "keyUsage":
      return keyUsage(value, critical);
    case "extendedKeyUsage":
      return extendedKeyUsage(value, critical);
    case "subjectAltName":
      return subjectAltName(value, critical);
    case "subjectInfoAccess":
      return subjectInfoAccess(value, critical);
  }
}
