// Attribute names as OpenSSL spells them: the appliance is OpenSSL underneath, so CSR subjects use the long
// names ("countryName") and x509 subject strings the short ones ("C", "emailAddress").
interface AttributeName {
  oid: string;
  long: string;
  short: string;
}

const ATTRIBUTES: readonly AttributeName[] = [
  { oid: "2.5.4.6", long: "countryName", short: "C" },
  { oid: "2.5.4.8", long: "stateOrProvinceName", short: "ST" },
  { oid: "2.5.4.7", long: "localityName", short: "L" },
  { oid: "2.5.4.9", long: "streetAddress", short: "street" },
  { oid: "2.5.4.17", long: "postalCode", short: "postalCode" },
  { oid: "2.5.4.10", long: "organizationName", short: "O" },
  { oid: "2.5.4.11", long: "organizationalUnitName", short: "OU" },
  { oid: "2.5.4.3", long: "commonName", short: "CN" },
  { oid: "2.5.4.5", long: "serialNumber", short: "serialNumber" },
  { oid: "2.5.4.12", long: "title", short: "title" },
  { oid: "2.5.4.4", long: "surname", short: "SN" },
  { oid: "2.5.4.42", long: "givenName", short: "GN" },
  { oid: "2.5.4.43", long: "initials", short: "initials" },
  { oid: "2.5.4.46", long: "dnQualifier", short: "dnQualifier" },
  { oid: "1.2.840.113549.1.9.1", long: "emailAddress", short: "emailAddress" },
  { oid: "0.9.2342.19200300.100.1.25", long: "domainComponent", short: "DC" },
  { oid: "0.9.2342.19200300.100.1.1", long: "userId", short: "UID" },
];

const OID_PATTERN = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** The OID for a long name, short name or dotted OID; undefined when the name cannot be translated. */
export function attributeOid(name: string): string | undefined {
  if (OID_PATTERN.test(name)) return name;
  return ATTRIBUTES.find((a) => a.long === name || a.short === name)?.oid;
}

/** Registries in the shape @peculiar/x509's Name takes as "extra names", so toJSON() speaks OpenSSL. */
export const LONG_NAMES: Record<string, string> = Object.fromEntries(ATTRIBUTES.map((a) => [a.long, a.oid]));
export const SHORT_NAMES: Record<string, string> = Object.fromEntries(
  ATTRIBUTES.map((a) => [a.short, a.oid]),
);

/** ASN.1 string type an attribute is encoded with, the way OpenSSL's default string mask does it. */
export function attributeStringType(oid: string): "printableString" | "ia5String" | "utf8String" {
  if (oid === "2.5.4.6") return "printableString";
  if (oid === "1.2.840.113549.1.9.1" || oid === "0.9.2342.19200300.100.1.25") return "ia5String";
  return "utf8String";
}
