import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { AxisCaCertificateProvider } from "../../provider/axis/caCertificate";
import { AxisCertificateProvider } from "../../provider/axis/certificate";
import { AxisDot1xProvider } from "../../provider/axis/dot1x";
import { AxisHttpsBindingProvider } from "../../provider/axis/httpsBinding";
import { SpsCsrProvider } from "../../provider/sps/csr";
import { SpsPasswordProvider } from "../../provider/sps/password";
import { SpsX509Provider } from "../../provider/sps/x509";
import { DeviceHttp } from "../../provider/transport/http";
import { AxisSimulator } from "../../simulators/axis";
import { SpsSimulator } from "../../simulators/sps";
import { encrypted, makeCa, makeLeaf, pkcs12 } from "../support/pki";
import type { Issued } from "../support/pki";
import { findings } from "./matrix";

const DAY = 86_400_000;

interface Fixtures {
  camera: { url: string; username: string; password: string; tls: { caCertificate: string } };
  appliance: { url: string; username: string; password: string; tls: { caCertificate: string } };
  ec: Issued;
  rsa: Issued;
  leaf: Issued;
  other: Issued;
  rsaLeaf: Issued;
}

type Case = [
  resource: string,
  label: string,
  provider: pulumi.dynamic.ResourceProvider,
  inputs: (f: Fixtures) => Promise<Record<string, unknown>> | Record<string, unknown>,
  property: string,
  reason: RegExp,
];

const cert = new AxisCertificateProvider();
const ca = new AxisCaCertificateProvider();
const binding = new AxisHttpsBindingProvider();
const dot1x = new AxisDot1xProvider();
const password = new SpsPasswordProvider();
const x509 = new SpsX509Provider();
const csr = new SpsCsrProvider();

const pem = (f: Fixtures, over: Record<string, unknown> = {}) => ({
  device: f.camera,
  idPrefix: "bad",
  pem: { certificate: f.leaf.certPem, privateKey: f.leaf.keyPem, ...over },
});
const self =
  (subject: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  (f: Fixtures) => ({ device: f.camera, idPrefix: "bad", selfSigned: { subject }, ...extra });
const x509In = (f: Fixtures, over: Record<string, unknown> = {}) => ({
  device: f.appliance,
  certificate: f.rsaLeaf.certPem,
  privateKey: f.rsaLeaf.keyPem,
  usage: "server",
  ...over,
});
const truncate = (text: string) => text.slice(0, Math.floor(text.length / 2));

const CASES: Case[] = [
  // AxisCertificate
  [
    "AxisCertificate",
    "malformed PEM (not base64 inside)",
    cert,
    (f) => pem(f, { certificate: "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----" }),
    "pem.certificate",
    /malformed|not a valid/,
  ],
  [
    "AxisCertificate",
    "truncated PEM",
    cert,
    (f) => pem(f, { certificate: truncate(f.leaf.certPem) }),
    "pem.certificate",
    /truncated/,
  ],
  [
    "AxisCertificate",
    "DER (base64) where PEM is expected",
    cert,
    (f) => pem(f, { certificate: Buffer.from(f.leaf.cert.rawData).toString("base64") }),
    "pem.certificate",
    /not PEM/,
  ],
  [
    "AxisCertificate",
    "a private key where the certificate goes",
    cert,
    (f) => pem(f, { certificate: f.leaf.keyPem }),
    "pem.certificate",
    /PRIVATE KEY block/,
  ],
  [
    "AxisCertificate",
    "encrypted private key",
    cert,
    (f) => pem(f, { privateKey: encrypted(f.leaf.keyPem) }),
    "pem.privateKey",
    /encrypted/,
  ],
  [
    "AxisCertificate",
    "truncated private key",
    cert,
    (f) => pem(f, { privateKey: truncate(f.leaf.keyPem) }),
    "pem.privateKey",
    /truncated/,
  ],
  [
    "AxisCertificate",
    "key and certificate that do not match",
    cert,
    (f) => pem(f, { privateKey: f.other.keyPem }),
    "pem.privateKey",
    /does not match/,
  ],
  [
    "AxisCertificate",
    "expired certificate",
    cert,
    async (f) => {
      const l = await makeLeaf(f.ec, "old", {
        notBefore: new Date(Date.now() - 60 * DAY),
        notAfter: new Date(Date.now() - DAY),
      });
      return pem(f, { certificate: l.certPem, privateKey: l.keyPem });
    },
    "pem.certificate",
    /expired/,
  ],
  [
    "AxisCertificate",
    "certificate not valid yet",
    cert,
    async (f) => {
      const l = await makeLeaf(f.ec, "future", {
        notBefore: new Date(Date.now() + DAY),
        notAfter: new Date(Date.now() + 90 * DAY),
      });
      return pem(f, { certificate: l.certPem, privateKey: l.keyPem });
    },
    "pem.certificate",
    /not valid until/,
  ],
  [
    "AxisCertificate",
    "broken chain (wrong issuer)",
    cert,
    (f) => pem(f, { chain: f.rsa.certPem }),
    "pem.chain",
    /not signed by/,
  ],
  [
    "AxisCertificate",
    "looping chain (a certificate twice)",
    cert,
    (f) => pem(f, { chain: f.ec.certPem + f.ec.certPem }),
    "pem.chain",
    /twice|loops/,
  ],
  [
    "AxisCertificate",
    "wrong PKCS#12 password",
    cert,
    (f) => ({
      device: f.camera,
      idPrefix: "bad",
      pkcs12: { data: pkcs12(f.rsaLeaf, "right"), password: "wrong" },
    }),
    "pkcs12.data",
    /password/,
  ],
  [
    "AxisCertificate",
    "PKCS#12 data that is not base64",
    cert,
    (f) => ({ device: f.camera, idPrefix: "bad", pkcs12: { data: "not base64 !!", password: "x" } }),
    "pkcs12.data",
    /base64/,
  ],
  [
    "AxisCertificate",
    "oversized certificate input",
    cert,
    (f) => pem(f, { certificate: "A".repeat(70_000) }),
    "pem.certificate",
    /at most/,
  ],
  [
    "AxisCertificate",
    "two sources at once",
    cert,
    (f) => ({ ...pem(f), selfSigned: { subject: { commonName: "x" } } }),
    "selfSigned",
    /exactly one/,
  ],
  [
    "AxisCertificate",
    "no source",
    cert,
    (f) => ({ device: f.camera, idPrefix: "bad" }),
    "selfSigned",
    /exactly one/,
  ],
  [
    "AxisCertificate",
    "XML metacharacters in the ID",
    cert,
    self({ commonName: "x" }, { idPrefix: "a</tt:CertificateID>" }),
    "idPrefix",
    /letters, digits/,
  ],
  [
    "AxisCertificate",
    "control characters in the ID",
    cert,
    self({ commonName: "x" }, { idPrefix: "a\u0007b" }),
    "idPrefix",
    /letters, digits/,
  ],
  [
    "AxisCertificate",
    "over-long ID",
    cert,
    self({ commonName: "x" }, { idPrefix: "a".repeat(130) }),
    "idPrefix",
    /at most/,
  ],
  ["AxisCertificate", "empty ID", cert, self({ commonName: "x" }, { idPrefix: "" }), "idPrefix", /empty/],
  [
    "AxisCertificate",
    "markup in the subject",
    cert,
    self({ commonName: "<x>&" }),
    "selfSigned.subject.commonName",
    /must not contain/,
  ],
  [
    "AxisCertificate",
    "empty common name",
    cert,
    self({ commonName: "" }),
    "selfSigned.subject.commonName",
    /empty/,
  ],
  [
    "AxisCertificate",
    "unknown country code",
    cert,
    self({ commonName: "x", country: "Sweden" }),
    "selfSigned.subject.country",
    /two-letter/,
  ],
  [
    "AxisCertificate",
    "unknown property",
    cert,
    self({ commonName: "x" }, { colour: "blue" }),
    "(inputs)",
    /colour|Unrecognized/,
  ],
  [
    "AxisCertificate",
    "device URL with credentials in it",
    cert,
    (f) => ({ ...self({ commonName: "x" })(f), device: { ...f.camera, url: "https://root:pw@192.0.2.1" } }),
    "device.url",
    /credentials/,
  ],
  [
    "AxisCertificate",
    "device URL of another scheme",
    cert,
    (f) => ({ ...self({ commonName: "x" })(f), device: { ...f.camera, url: "ftp://192.0.2.1" } }),
    "device.url",
    /http/,
  ],
  [
    "AxisCertificate",
    "validity inside the renewal window",
    cert,
    self({ commonName: "x" }, { renewBeforeDays: 400 }),
    "selfSigned.validityDays",
    /must exceed/,
  ],
  // AxisCaCertificate
  [
    "AxisCaCertificate",
    "a leaf where a CA is expected",
    ca,
    (f) => ({ device: f.camera, idPrefix: "bad", certificate: f.leaf.certPem }),
    "certificate",
    /neither a CA/,
  ],
  [
    "AxisCaCertificate",
    "empty certificate",
    ca,
    (f) => ({ device: f.camera, idPrefix: "bad", certificate: "" }),
    "certificate",
    /empty/,
  ],
  // AxisHttpsBinding
  [
    "AxisHttpsBinding",
    "unknown connection policy",
    binding,
    (f) => ({ device: f.camera, certificateId: "x", policy: "Sometimes" }),
    "policy",
    /Invalid option|expected one of/,
  ],
  [
    "AxisHttpsBinding",
    "illegal certificate ID",
    binding,
    (f) => ({ device: f.camera, certificateId: 'x"><y' }),
    "certificateId",
    /legal/,
  ],
  [
    "AxisHttpsBinding",
    "a cipher that is not a cipher name",
    binding,
    (f) => ({ device: f.camera, certificateId: "x", ciphers: ["AES; rm -rf"] }),
    "ciphers[0]",
    /cipher/,
  ],
  // AxisDot1x
  [
    "AxisDot1x",
    "client certificate with the wrong common name",
    dot1x,
    (f) => ({
      device: f.camera,
      identity: "cam",
      clientCertificateId: "dot1x-cam",
      clientCertificatePem: f.leaf.certPem,
      caCertificateIds: ["ca"],
    }),
    "clientCertificatePem",
    /common name/,
  ],
  [
    "AxisDot1x",
    "no CA to validate the RADIUS server",
    dot1x,
    (f) => ({ device: f.camera, identity: "cam", clientCertificateId: "c", caCertificateIds: [] }),
    "caCertificateIds",
    /at least one/,
  ],
  [
    "AxisDot1x",
    "markup in the identity",
    dot1x,
    (f) => ({ device: f.camera, identity: "<cam>", clientCertificateId: "c", caCertificateIds: ["ca"] }),
    "identity",
    /must not contain/,
  ],
  // SpsPassword
  [
    "SpsPassword",
    "no password format",
    password,
    (f) => ({ device: f.appliance, localUser: "bob" }),
    "plain",
    /one password format/,
  ],
  [
    "SpsPassword",
    "two formats that conflict",
    password,
    (f) => ({ device: f.appliance, localUser: "bob", plain: "x", nthash: "0".repeat(32) }),
    "nthash",
    /conflicts/,
  ],
  [
    "SpsPassword",
    "a hash that is not crypt(5)",
    password,
    (f) => ({ device: f.appliance, localUser: "bob", hash: "plaintext" }),
    "hash",
    /crypt/,
  ],
  [
    "SpsPassword",
    "no place to use it",
    password,
    (f) => ({ device: f.appliance, plain: "x" }),
    "localUser",
    /exactly one/,
  ],
  [
    "SpsPassword",
    "an illegal user name",
    password,
    (f) => ({ device: f.appliance, localUser: "bob smith;", plain: "x" }),
    "localUser",
    /legal/,
  ],
  [
    "SpsPassword",
    "an empty password",
    password,
    (f) => ({ device: f.appliance, localUser: "bob", plain: "" }),
    "plain",
    /empty/,
  ],
  // SpsX509
  [
    "SpsX509",
    "an EC key (SPS takes RSA only)",
    x509,
    (f) => x509In(f, { certificate: f.leaf.certPem, privateKey: f.leaf.keyPem }),
    "privateKey",
    /only RSA/,
  ],
  [
    "SpsX509",
    "encrypted key",
    x509,
    (f) => x509In(f, { privateKey: encrypted(f.rsaLeaf.keyPem) }),
    "privateKey",
    /encrypted/,
  ],
  [
    "SpsX509",
    "key of another certificate",
    x509,
    async (f) => x509In(f, { privateKey: (await makeLeaf(f.rsa, "x", { rsa: true })).keyPem }),
    "privateKey",
    /does not match/,
  ],
  [
    "SpsX509",
    "broken issuer chain",
    x509,
    (f) => x509In(f, { issuerChain: f.ec.certPem }),
    "issuerChain",
    /not signed by/,
  ],
  [
    "SpsX509",
    "unknown reference target",
    x509,
    (f) => x509In(f, { usage: "webserver" }),
    "usage",
    /Invalid option|expected one of/,
  ],
  // SpsCsr
  [
    "SpsCsr",
    "unknown extension",
    csr,
    (f) => ({
      device: f.appliance,
      subject: [{ name: "commonName", value: "x" }],
      extensions: [{ name: "nameConstraints", value: "x", critical: false }],
    }),
    "extensions[0].name",
    /Invalid option|expected one of/,
  ],
  ["SpsCsr", "empty subject", csr, (f) => ({ device: f.appliance, subject: [] }), "subject", /at least one/],
  [
    "SpsCsr",
    "control characters in the subject",
    csr,
    (f) => ({ device: f.appliance, subject: [{ name: "commonName", value: "a\nb" }] }),
    "subject[0].value",
    /control characters/,
  ],
  [
    "SpsCsr",
    "a signed chain that does not link",
    csr,
    (f) => ({
      device: f.appliance,
      subject: [{ name: "commonName", value: "x" }],
      certificateChain: f.leaf.certPem + f.rsa.certPem,
    }),
    "certificateChain",
    /does not link/,
  ],
  [
    "SpsCsr",
    "an example CA that is not a CA",
    csr,
    (f) => ({
      device: f.appliance,
      subject: [{ name: "commonName", value: "x" }],
      localCa: { certificate: f.leaf.certPem, privateKey: f.leaf.keyPem },
    }),
    "localCa.certificate",
    /not a CA/,
  ],
];

describe("bad-input matrix: every bad input is refused by check, naming the property, before any request", function () {
  this.timeout(120_000);
  let camera: AxisSimulator;
  let appliance: SpsSimulator;
  let f: Fixtures;

  before(async () => {
    camera = await AxisSimulator.start();
    appliance = await SpsSimulator.start();
    const ec = await makeCa("Bad input CA");
    const rsa = await makeCa("Bad input RSA CA", { rsa: true });
    f = {
      camera: {
        url: camera.httpsUrl,
        username: camera.username,
        password: camera.password,
        tls: { caCertificate: camera.caCertificatePem },
      },
      appliance: {
        url: appliance.url,
        username: appliance.username,
        password: appliance.password,
        tls: { caCertificate: appliance.caCertificatePem },
      },
      ec,
      rsa,
      leaf: await makeLeaf(ec, "leaf"),
      other: await makeLeaf(ec, "other"),
      rsaLeaf: await makeLeaf(rsa, "rsa-leaf", { rsa: true }),
    };
    camera.resetCounters();
    appliance.resetCounters();
  });
  after(async () => {
    await DeviceHttp.closeAll();
    await camera.stop();
    await appliance.stop();
  });

  it(`has at least thirty bad inputs across all seven resources (${CASES.length})`, () => {
    assert.ok(CASES.length >= 30);
    assert.equal(new Set(CASES.map((c) => c[0])).size, 7);
  });

  for (const [resource, label, provider, make, property, reason] of CASES) {
    it(`${resource}: ${label}`, async () => {
      const before = camera.counters().requests + appliance.counters().requests;
      const result = await provider.check!({}, await make(f));
      const requests = camera.counters().requests + appliance.counters().requests - before;
      const match = (result.failures ?? []).find((x) => x.property === property);
      findings.badInputs.push({
        resource,
        input: label,
        property,
        rejected: !!match && reason.test(match.reason),
        requests,
      });
      assert.ok(match, `expected a failure on ${property}, got ${JSON.stringify(result.failures)}`);
      assert.match(match.reason, reason);
      assert.ok(
        !match.reason.includes(f.leaf.keyPem.split("\n")[1]),
        "the reason does not quote key material",
      );
      assert.equal(requests, 0, "check sent nothing to a device");
    });
  }
});
