import type { KeyObject } from "node:crypto";
import type { JsonName } from "./pki";
import { createCertificate, extensions, generateEcKey, generateRsaKey } from "./pki";

/** Axis device-ID certificates are valid "to 9999" (Edge Vault devices). */
const FOREVER = new Date("9999-12-31T23:59:59Z");
const AXIS_ORG = "Axis Communications AB";

export interface CaMaterial {
  readonly id: string;
  readonly der: Buffer;
  readonly privateKey: KeyObject;
}

/** The simulated Axis device-ID PKI and public roots: made once per process, shared by every camera. */
export interface SharedPki {
  readonly axisRootEcc: CaMaterial;
  readonly axisIntermediateEcc: CaMaterial;
  readonly axisRootRsa?: CaMaterial;
  readonly axisIntermediateRsa?: CaMaterial;
  /** One RSA key per process, reused by every RSA device-ID certificate (RSA generation is slow). */
  readonly rsaDeviceKey?: KeyObject;
  readonly publicRoots: readonly CaMaterial[];
}

let eccPki: Promise<SharedPki> | undefined;
let rsaPki: Promise<SharedPki> | undefined;

async function makeCa(
  id: string,
  subject: JsonName,
  key: KeyObject,
  parent?: CaMaterial,
): Promise<CaMaterial> {
  const der = await createCertificate({
    subject,
    subjectKey: key,
    issuer: parent ? { certificateDer: parent.der, privateKey: parent.privateKey } : undefined,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: parent ? new Date(Date.UTC(2045, 0, 1)) : new Date(Date.UTC(2050, 0, 1)),
    extensions: extensions.ca(),
  });
  return { id, der, privateKey: key };
}

async function buildEccPki(): Promise<SharedPki> {
  const axisRootEcc = await makeCa(
    "Axis device ID Root CA ECC",
    [{ O: [AXIS_ORG] }, { CN: ["Axis device ID Root CA ECC"] }],
    generateEcKey(),
  );
  const axisIntermediateEcc = await makeCa(
    "Axis device ID Intermediate CA ECC 2",
    [{ O: [AXIS_ORG] }, { CN: ["Axis device ID Intermediate CA ECC 2"] }],
    generateEcKey(),
    axisRootEcc,
  );
  // Stand-ins for the ~33 public roots AXIS OS preinstalls: generated, never real CA names or keys.
  const publicRoots = await Promise.all(
    [
      ["Simulated Global Root CA", "Simulated Trust Services"],
      ["Simulated Root CA ECC 2", "Simulated PKI Ltd"],
      ["Simulated Public Root R1", "Simulated Certificate Authority Inc"],
    ].map(([cn, org]) => makeCa(cn, [{ C: ["US"] }, { O: [org] }, { CN: [cn] }], generateEcKey())),
  );
  return { axisRootEcc, axisIntermediateEcc, publicRoots };
}

async function buildRsaPki(base: SharedPki): Promise<SharedPki> {
  // One RSA key serves the RSA root, intermediate and every RSA device-ID leaf: only the structure matters.
  const key = await generateRsaKey(2048);
  const axisRootRsa = await makeCa(
    "Axis device ID Root CA RSA",
    [{ O: [AXIS_ORG] }, { CN: ["Axis device ID Root CA RSA"] }],
    key,
  );
  const axisIntermediateRsa = await makeCa(
    "Axis device ID Intermediate CA RSA 2",
    [{ O: [AXIS_ORG] }, { CN: ["Axis device ID Intermediate CA RSA 2"] }],
    key,
    axisRootRsa,
  );
  return { ...base, axisRootRsa, axisIntermediateRsa, rsaDeviceKey: key };
}

/** The process-wide PKI; with `rsa`, also the RSA device-ID branch (one RSA key generation per process). */
export function sharedPki(rsa: boolean): Promise<SharedPki> {
  eccPki ??= buildEccPki();
  if (!rsa) return eccPki;
  rsaPki ??= eccPki.then(buildRsaPki);
  return rsaPki;
}

export interface DeviceCertificate {
  readonly id: string;
  readonly der: Buffer;
  readonly privateKey: KeyObject;
}

/** Subject like the capture: C=SE, L=Lund, O=Axis Communications AB, CN=axis-<mac>-eccp256-1, serialNumber=<mac>. */
function deviceIdSubject(mac: string, keyTag: string): JsonName {
  const lower = mac.toLowerCase();
  return [
    { C: ["SE"] },
    { L: ["Lund"] },
    { O: [AXIS_ORG] },
    { CN: [`axis-${lower}-${keyTag}-1`] },
    { "2.5.4.5": [lower] },
  ];
}

export async function eccDeviceIdCertificate(pki: SharedPki, mac: string): Promise<DeviceCertificate> {
  const privateKey = generateEcKey();
  const der = await createCertificate({
    subject: deviceIdSubject(mac, "eccp256"),
    subjectKey: privateKey,
    issuer: { certificateDer: pki.axisIntermediateEcc.der, privateKey: pki.axisIntermediateEcc.privateKey },
    notBefore: new Date(),
    notAfter: FOREVER,
    extensions: extensions.clientAuth(),
  });
  return { id: "Axis device ID ECC-P256 (802.1AR)", der, privateKey };
}

export async function rsaDeviceIdCertificate(pki: SharedPki, mac: string): Promise<DeviceCertificate> {
  if (!pki.axisIntermediateRsa || !pki.rsaDeviceKey) throw new Error("RSA device-ID PKI not initialised");
  const der = await createCertificate({
    subject: deviceIdSubject(mac, "rsa2048"),
    subjectKey: pki.rsaDeviceKey,
    issuer: { certificateDer: pki.axisIntermediateRsa.der, privateKey: pki.axisIntermediateRsa.privateKey },
    notBefore: new Date(),
    notAfter: FOREVER,
    extensions: extensions.clientAuth(),
  });
  return { id: "Axis device ID RSA-2048 (802.1AR)", der, privateKey: pki.rsaDeviceKey };
}

/**
 * The self-signed HTTPS certificate a camera starts with (HTTPS is on by default since AXIS OS 10). Its ID on
 * real devices was never captured [NOT FOUND]; `Default self-signed HTTPS <serial>` is this simulator's choice.
 * SAN localhost/127.0.0.1 so TLS clients on loopback pass hostname checks with this certificate as their CA.
 */
export async function defaultHttpsCertificate(mac: string, name: string): Promise<DeviceCertificate> {
  const privateKey = generateEcKey();
  const now = Date.now();
  const der = await createCertificate({
    subject: [{ CN: [name] }],
    subjectKey: privateKey,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 5 * 365 * 24 * 3600_000),
    extensions: extensions.tlsServer(dnsNames(name), ["127.0.0.1"]),
  });
  return { id: `Default self-signed HTTPS ${mac}`, der, privateKey };
}

function dnsNames(name: string): string[] {
  const isHostname =
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
  return name !== "localhost" && isHostname.test(name) ? ["localhost", name] : ["localhost"];
}
