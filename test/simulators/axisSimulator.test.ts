import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import type { KeyObject } from "node:crypto";
import { createPublicKey, generateKeyPairSync, webcrypto } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import forge from "node-forge";
import { AxisSimulator } from "../../simulators/axis";
import type { RawResponse } from "./axisTestSupport";
import {
  acertEnvelope,
  awebEnvelope,
  bodyOf,
  defaultNsEnvelope,
  digestAuthorization,
  digestParams,
  faultOf,
  fingerprintColons,
  parseBody,
  rawRequest,
  soapCall,
  tdsEnvelope,
  wwwAuthenticate,
} from "./axisTestSupport";

const FIXTURES = resolve(__dirname, "../../../test/fixtures/axis-os-12.11");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

// --- Test PKI (the tests' own, independent of the simulator's) -------------------------------------

interface TestCert {
  der: Buffer;
  pem: string;
  key: KeyObject;
}

async function webKeyPair(key: KeyObject) {
  const alg = { name: "ECDSA", namedCurve: "P-256" };
  return {
    privateKey: await webcrypto.subtle.importKey(
      "pkcs8",
      key.export({ type: "pkcs8", format: "der" }),
      alg,
      false,
      ["sign"],
    ),
    publicKey: await webcrypto.subtle.importKey(
      "spki",
      createPublicKey(key).export({ type: "spki", format: "der" }),
      alg,
      true,
      ["verify"],
    ),
  };
}

async function testCa(cn: string): Promise<TestCert> {
  const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${cn}`,
    keys: await webKeyPair(key),
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { der: Buffer.from(cert.rawData), pem: cert.toString("pem"), key };
}

/** A leaf signed by `ca`, for `publicKey` (SPKI DER), with SAN 127.0.0.1 so TLS clients can verify it. */
async function testLeaf(
  ca: TestCert,
  cn: string,
  publicKeyOf: KeyObject,
): Promise<TestCert & { der: Buffer }> {
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${cn}`,
    issuer: new x509.X509Certificate(ca.der).subjectName,
    publicKey: (publicKeyOf.type === "public" ? publicKeyOf : createPublicKey(publicKeyOf)).export({
      type: "spki",
      format: "der",
    }),
    signingKey: (await webKeyPair(ca.key)).privateKey,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }])],
  });
  return { der: Buffer.from(cert.rawData), pem: cert.toString("pem"), key: publicKeyOf };
}

function newKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
}

const b64 = (der: Buffer) => der.toString("base64");
const pkcs8 = (key: KeyObject) => b64(key.export({ type: "pkcs8", format: "der" }));

// --- Request builders, verbatim from the seed document ---------------------------------------------

const loadWithKey = (id: string, certB64: string, keyB64: string) =>
  tdsEnvelope(
    `<tds:LoadCertificateWithPrivateKey xmlns="http://www.onvif.org/ver10/device/wsdl">            <CertificateWithPrivateKey>                <tt:CertificateID>${id}</tt:CertificateID>                <tt:Certificate>                    <tt:Data>${certB64}</tt:Data>                </tt:Certificate>                <tt:PrivateKey>                    <tt:Data>${keyB64}</tt:Data>                </tt:PrivateKey>            </CertificateWithPrivateKey>        </tds:LoadCertificateWithPrivateKey>`,
  );
const loadCa = (id: string, certB64: string) =>
  tdsEnvelope(
    `<tds:LoadCACertificates xmlns="http://www.onvif.org/ver10/device/wsdl">            <CACertificate>                <tt:CertificateID>${id}</tt:CertificateID>                <tt:Certificate>                    <tt:Data>${certB64}</tt:Data>                </tt:Certificate>            </CACertificate>        </tds:LoadCACertificates>`,
  );
const deleteCerts = (...ids: string[]) =>
  tdsEnvelope(
    `<tds:DeleteCertificates xmlns="http://www.onvif.org/ver10/device/wsdl">${ids.map((id) => `            <CertificateID>${id}</CertificateID>`).join("")}        </tds:DeleteCertificates>`,
  );
const getCertificates = tdsEnvelope(`<tds:GetCertificates xmlns="http://www.onvif.org/ver10/device/wsdl" />`);
const getCaCertificates = tdsEnvelope(
  `<tds:GetCACertificates xmlns="http://www.onvif.org/ver10/device/wsdl" />`,
);
const getStatus = tdsEnvelope(`<tds:GetCertificatesStatus xmlns="http://www.onvif.org/ver10/device/wsdl"/>`);
const createCertificate2 = (id: string) =>
  acertEnvelope(
    `<acertificates:CreateCertificate2 xmlns="http://www.axis.com/vapix/ws/certificates">            <acertificates:Id>${id}</acertificates:Id>            <acertificates:Subject>                <acert:C>SE</acert:C>                <acert:ST />                <acert:L />                <acert:O />                <acert:OU />                <acert:CN>172.25.154.47</acert:CN>            </acertificates:Subject>            <acertificates:ValidNotBefore>2020-10-16T04:08:32</acertificates:ValidNotBefore>            <acertificates:ValidNotAfter>2040-10-16T04:08:32</acertificates:ValidNotAfter>        </acertificates:CreateCertificate2>`,
  );
const setHttps = (
  id: string,
  configurationOpen = "<Configuration>",
  configurationClose = "</Configuration>",
) =>
  awebEnvelope(
    `<aweb:SetWebServerTlsConfiguration xmlns="http://www.axis.com/vapix/ws/webserver">            ${configurationOpen}                <Tls>true</Tls>                <aweb:ConnectionPolicies>                    <aweb:Admin>HttpAndHttps</aweb:Admin>                    <aweb:Operator>HttpAndHttps</aweb:Operator>                    <aweb:Viewer>HttpAndHttps</aweb:Viewer>                </aweb:ConnectionPolicies>                <aweb:Ciphers>                    <acert:Cipher>ECDHE-ECDSA-AES128-GCM-SHA256</acert:Cipher>                    <acert:Cipher>ECDHE-RSA-AES128-GCM-SHA256</acert:Cipher>                    <acert:Cipher>ECDHE-ECDSA-AES256-GCM-SHA384</acert:Cipher>                    <acert:Cipher>ECDHE-RSA-AES256-GCM-SHA384</acert:Cipher>                    <acert:Cipher>ECDHE-ECDSA-CHACHA20-POLY1305</acert:Cipher>                    <acert:Cipher>ECDHE-RSA-CHACHA20-POLY1305</acert:Cipher>                    <acert:Cipher>DHE-RSA-AES128-GCM-SHA256</acert:Cipher>                    <acert:Cipher>DHE-RSA-AES256-GCM-SHA384</acert:Cipher>                </aweb:Ciphers>                <aweb:CertificateSet>                    <acert:Certificates>                        <acert:Id>${id}</acert:Id>                    </acert:Certificates>                    <acert:CACertificates />                    <acert:TrustedCertificates />                </aweb:CertificateSet>            ${configurationClose}        </aweb:SetWebServerTlsConfiguration>`,
  );
const setDot1x = (certId: string, caId?: string) =>
  tdsEnvelope(
    `<tds:SetDot1XConfiguration xmlns="http://www.onvif.org/ver10/device/wsdl">            <Dot1XConfiguration>                <tt:Dot1XConfigurationToken>EAPTLS_WIRED</tt:Dot1XConfigurationToken>                <tt:Identity>identity</tt:Identity>                <tt:EAPMethod>13</tt:EAPMethod>                <tt:EAPMethodConfiguration>                    <tt:TLSConfiguration>                        <tt:CertificateID>${certId}</tt:CertificateID>                    </tt:TLSConfiguration>                </tt:EAPMethodConfiguration>${caId ? `<tt:CACertificateID>${caId}</tt:CACertificateID>` : ""}            </Dot1XConfiguration>        </tds:SetDot1XConfiguration>`,
  );
const getDot1xDefaultNs = defaultNsEnvelope(
  `<GetDot1XConfiguration xmlns="http://www.onvif.org/ver10/device/wsdl"><Dot1XConfigurationToken>EAPTLS_WIRED</Dot1XConfigurationToken></GetDot1XConfiguration>`,
);
const getWebServerTls = `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"><SOAP-ENV:Body><aweb:GetWebServerTlsConfiguration xmlns:aweb="http://www.axis.com/vapix/ws/webserver"/></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
const loadPkcs12 = (id: string, p12B64: string, password: string) =>
  acertEnvelope(
    `<acertificates:LoadPkcs12 xmlns="http://www.axis.com/vapix/ws/certificates">            <Pkcs12>                <acert:Id>${id}</acert:Id>                <acert:Certificate>${p12B64}</acert:Certificate>                <acert:Password>${password}</acert:Password>            </Pkcs12>        </acertificates:LoadPkcs12>`,
  );

function assertOk(res: RawResponse): void {
  assert.equal(res.status, 200, res.body.slice(0, 600));
  assert.equal(res.headers["content-type"], "application/soap+xml; charset=utf-8");
}

function assertFault(
  res: RawResponse,
  status: number,
  code: string,
  subcodes: string[],
  reason?: string | RegExp,
) {
  assert.equal(res.status, status, res.body.slice(0, 600));
  assert.equal(res.headers["content-type"], "application/soap+xml; charset=utf-8");
  const fault = faultOf(res);
  assert.equal(fault.code, `SOAP-ENV:${code}`);
  assert.deepEqual(fault.subcodes, subcodes);
  if (typeof reason === "string") assert.equal(fault.reason, reason);
  else if (reason) assert.match(fault.reason, reason);
  return fault;
}

function nvtIds(res: RawResponse): string[] {
  return [...res.body.matchAll(/<tt:CertificateID>([^<]*)<\/tt:CertificateID>/g)].map((m) => m[1]);
}

describe("Axis simulator", function () {
  this.timeout(20_000);
  let sim: AxisSimulator;

  before(async () => {
    sim = await AxisSimulator.start({ dot1xRequireCommonNameMatch: true });
  });
  after(async () => {
    await sim.stop();
  });

  describe("HTTP authentication", () => {
    it("challenges HTTP with Digest, realm AXIS_<MAC>, qop auth, MD5, in an iso-8859-1 HTML 401", async () => {
      const before = sim.counters().unauthorized;
      const res = await rawRequest({
        url: `${sim.httpUrl}/vapix/services`,
        headers: { "Content-Type": "application/soap+xml" },
        body: getCertificates,
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers["content-type"], "text/html; charset=iso-8859-1");
      const [challenge] = wwwAuthenticate(res);
      assert.match(sim.mac, /^ACCC8E[0-9A-F]{6}$/);
      assert.match(
        challenge,
        new RegExp(`^Digest realm="AXIS_${sim.mac}", nonce="[^"]+", algorithm=MD5, qop="auth"$`),
      );
      assert.equal(sim.counters().unauthorized, before + 1);
    });

    it("accepts a correct Digest response and refuses a wrong password with a fresh challenge", async () => {
      assertOk(await soapCall(sim, getCertificates));
      const url = `${sim.httpUrl}/vapix/services`;
      const first = await rawRequest({
        url,
        headers: { "Content-Type": "application/xml" },
        body: getCertificates,
      });
      const challenge = digestParams(wwwAuthenticate(first)[0]);
      const authorization = digestAuthorization({
        challenge,
        method: "POST",
        uri: "/vapix/services",
        username: "root",
        password: "wrong",
        nc: 1,
      });
      const res = await rawRequest({
        url,
        headers: { "Content-Type": "application/xml", Authorization: authorization },
        body: getCertificates,
      });
      assert.equal(res.status, 401);
      const fresh = digestParams(wwwAuthenticate(res)[0]);
      assert.notEqual(fresh.nonce, challenge.nonce);
      assert.equal(fresh.stale, undefined);
    });

    it("accepts increasing nonce counts and refuses a replayed nc", async () => {
      const url = `${sim.httpUrl}/vapix/services`;
      const headers = { "Content-Type": "text/xml;charset=UTF-8" };
      const challenge = digestParams(
        wwwAuthenticate(await rawRequest({ url, headers, body: getCertificates }))[0],
      );
      const auth = (nc: number) =>
        digestAuthorization({
          challenge,
          method: "POST",
          uri: "/vapix/services",
          username: sim.username,
          password: sim.password,
          nc,
        });
      assertOk(
        await rawRequest({ url, headers: { ...headers, Authorization: auth(1) }, body: getCertificates }),
      );
      assertOk(
        await rawRequest({ url, headers: { ...headers, Authorization: auth(2) }, body: getCertificates }),
      );
      const replay = await rawRequest({
        url,
        headers: { ...headers, Authorization: auth(2) },
        body: getCertificates,
      });
      assert.equal(replay.status, 401);
    });

    it("answers an expired nonce with stale=true, and offers SHA-256 and MD5 when configured", async () => {
      const s = await AxisSimulator.start({ nonceLifetimeMs: 50, digestAlgorithms: ["SHA-256", "MD5"] });
      try {
        const url = `${s.httpUrl}/vapix/services`;
        const headers = { "Content-Type": "application/soap+xml" };
        const first = await rawRequest({ url, headers, body: getCertificates });
        const challenges = wwwAuthenticate(first);
        assert.equal(challenges.length, 2);
        assert.match(challenges[0], /algorithm=SHA-256/);
        assert.match(challenges[1], /algorithm=MD5/);
        const challenge = digestParams(challenges[0]);
        const auth = (nc: number) =>
          digestAuthorization({
            challenge,
            method: "POST",
            uri: "/vapix/services",
            username: s.username,
            password: s.password,
            nc,
            algorithm: "SHA-256",
          });
        assertOk(
          await rawRequest({ url, headers: { ...headers, Authorization: auth(1) }, body: getCertificates }),
        );
        await new Promise((r) => setTimeout(r, 80));
        const stale = await rawRequest({
          url,
          headers: { ...headers, Authorization: auth(2) },
          body: getCertificates,
        });
        assert.equal(stale.status, 401);
        assert.match(wwwAuthenticate(stale)[0], /, stale=true, algorithm=SHA-256, qop="auth"$/);
      } finally {
        await s.stop();
      }
    });

    it("uses Basic on HTTPS, and 404s other paths", async () => {
      const res = await rawRequest({
        url: `${sim.httpsUrl}/vapix/services`,
        headers: { "Content-Type": "application/soap+xml" },
        body: getCertificates,
        ca: [sim.caCertificatePem],
      });
      assert.equal(res.status, 401);
      assert.deepEqual(wwwAuthenticate(res), [`Basic realm="AXIS_${sim.mac}"`]);
      assertOk(await soapCall(sim, getCertificates, { via: "https" }));
      const notFound = await rawRequest({
        url: `${sim.httpUrl}/onvif/device_service`,
        body: getCertificates,
      });
      assert.equal(notFound.status, 404);
    });
  });

  describe("response shape", () => {
    it("writes the capture's declaration, SOAP-ENV prefix, namespace list and no whitespace", async () => {
      const res = await soapCall(sim, getCertificates);
      assertOk(res);
      const capture = fixture("GetCertificates.response.xml");
      const head = (xml: string) => xml.slice(0, xml.indexOf("<SOAP-ENV:Body>"));
      assert.equal(head(res.body), head(capture));
      assert.doesNotMatch(bodyOf(res.body), />\s+</);
    });

    it("GetWebServerTlsConfiguration is the capture, but for the certificate ID", async () => {
      const res = await soapCall(sim, getWebServerTls);
      assertOk(res);
      const capture = fixture("GetWebServerTlsConfiguration.response.xml").replace(
        "Trustlix Device HTTPS lUZuIXuu",
        `Default self-signed HTTPS ${sim.mac}`,
      );
      assert.equal(res.body, capture);
    });

    it("acertificates:GetCACertificates is the captured ActionNotSupported fault, byte for byte", async () => {
      const res = await soapCall(
        sim,
        acertEnvelope(`<acertificates:GetCACertificates xmlns="http://www.axis.com/vapix/ws/certificates"/>`),
      );
      assert.equal(res.status, 500);
      assert.equal(res.body, fixture("acertificates-GetCACertificates.fault.xml"));
    });

    it("GetDot1XConfigurations is the captured empty Sender fault, byte for byte, HTTP 400", async () => {
      const res = await soapCall(
        sim,
        tdsEnvelope(`<tds:GetDot1XConfigurations xmlns="http://www.onvif.org/ver10/device/wsdl"/>`),
      );
      assert.equal(res.status, 400);
      assert.equal(res.body, fixture("GetDot1XConfigurations.fault.xml"));
    });

    it("answers unknown operations in any namespace with ActionNotSupported, malformed XML with WellFormed", async () => {
      assertFault(await soapCall(sim, tdsEnvelope(`<tds:GetNoSuchThing/>`)), 500, "Receiver", [
        "ter:ActionNotSupported",
      ]);
      assertFault(await soapCall(sim, defaultNsEnvelope(`<Foo xmlns="urn:example"/>`)), 500, "Receiver", [
        "ter:ActionNotSupported",
      ]);
      assertFault(
        await soapCall(
          sim,
          `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"><SOAP-ENV:Body><x>`,
        ),
        400,
        "Sender",
        ["ter:WellFormed"],
      );
      const wrongType = await soapCall(sim, getCertificates, { contentType: "text/plain" });
      assert.equal(wrongType.status, 415);
    });

    it("dispatches on namespace URI, not prefix (default-namespace and odd prefixes)", async () => {
      const odd = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><q:GetCertificatesStatus xmlns:q="http://www.onvif.org/ver10/device/wsdl"/></e:Body></e:Envelope>`;
      const res = await soapCall(sim, odd);
      assertOk(res);
      assert.match(
        res.body,
        /<tds:GetCertificatesStatusResponse><tds:CertificateStatus><tt:CertificateID>Default self-signed HTTPS [0-9A-F]{12}<\/tt:CertificateID><tt:Status>true<\/tt:Status>/,
      );
      assertOk(
        await soapCall(
          sim,
          defaultNsEnvelope(`<GetCertificates xmlns="http://www.onvif.org/ver10/device/wsdl"/>`),
        ),
      );
    });
  });

  describe("certificate store", () => {
    it("starts with a device-ID certificate issued by the Axis intermediate, and Axis plus public roots", async () => {
      const res = await soapCall(sim, getCertificates);
      assertOk(res);
      const ids = nvtIds(res);
      assert.deepEqual(ids, ["Axis device ID ECC-P256 (802.1AR)", `Default self-signed HTTPS ${sim.mac}`]);
      const data = /<tt:Data>([^<]+)<\/tt:Data>/.exec(res.body)?.[1] ?? "";
      assert.match(data, /^MII[A-Za-z0-9+/=]+$/);
      const deviceId = new x509.X509Certificate(Buffer.from(data, "base64"));
      assert.match(deviceId.issuer, /CN=Axis device ID Intermediate CA ECC 2/);
      assert.match(deviceId.subject, new RegExp(`CN=axis-${sim.mac.toLowerCase()}-eccp256-1`));
      const cas = nvtIds(await soapCall(sim, getCaCertificates));
      assert.ok(cas.includes("Axis device ID Root CA ECC"));
      assert.ok(cas.includes("Axis device ID Intermediate CA ECC 2"));
      assert.ok(cas.length >= 4);
    });

    it("loads a certificate with its PKCS#8 key, and refuses a duplicate ID and a key that does not match", async () => {
      const ca = await testCa("Test Root");
      const key = newKey();
      const leaf = await testLeaf(ca, "uploaded-1", key);
      assertOk(await soapCall(sim, loadWithKey("uploaded-1", b64(leaf.der), pkcs8(key))));
      assert.ok(sim.listCertificates().some((c) => c.id === "uploaded-1" && c.hasPrivateKey));
      assertFault(
        await soapCall(sim, loadWithKey("uploaded-1", b64(leaf.der), pkcs8(key))),
        400,
        "Sender",
        ["ter:InvalidArgVal", "ter:CertificateID"],
        "The CertificateID already exists",
      );
      assertFault(
        await soapCall(sim, loadWithKey("uploaded-2", b64(leaf.der), pkcs8(newKey()))),
        400,
        "Sender",
        ["ter:InvalidArgVal", "ter:BadCertificate"],
        "The private key does not match the certificate",
      );
      // SEC1 (what the lego sh hook sends) is accepted too.
      const key3 = newKey();
      const leaf3 = await testLeaf(ca, "uploaded-3", key3);
      assertOk(
        await soapCall(
          sim,
          loadWithKey("uploaded-3", b64(leaf3.der), b64(key3.export({ type: "sec1", format: "der" }))),
        ),
      );
      // PEM text inside tt:Data is not xs:base64Binary.
      assertFault(await soapCall(sim, loadWithKey("uploaded-4", leaf3.pem, pkcs8(key3))), 400, "Sender", [
        "ter:InvalidArgVal",
        "ter:BadCertificate",
      ]);
    });

    it("loads CA certificates as DER or PEM bytes and refuses a duplicate with the text clients match", async () => {
      const ca = await testCa("RADIUS CA");
      assertOk(await soapCall(sim, loadCa("RADIUS_CA", b64(ca.der))));
      assertOk(await soapCall(sim, loadCa("RADIUS_CA_PEM", Buffer.from(ca.pem).toString("base64"))));
      assertFault(
        await soapCall(sim, loadCa("RADIUS_CA", b64(ca.der))),
        400,
        "Sender",
        ["ter:InvalidArgVal", "ter:CertificateID"],
        "the CA certificate ID already exists",
      );
      assert.equal(
        sim
          .listCaCertificates()
          .find((c) => c.id === "RADIUS_CA_PEM")
          ?.der.equals(ca.der),
        true,
      );
    });

    it("deletes atomically: unknown ID and in-use certificates are faults that delete nothing", async () => {
      const ca = await testCa("Delete CA");
      assertOk(await soapCall(sim, loadCa("to-delete", b64(ca.der))));
      assertFault(
        await soapCall(sim, deleteCerts("to-delete", "no-such-id")),
        400,
        "Sender",
        ["ter:InvalidArgVal", "ter:CertificateID"],
        "The CertificateID does not exist",
      );
      assert.ok(sim.listCaCertificates().some((c) => c.id === "to-delete"));
      const inUse = assertFault(
        await soapCall(sim, deleteCerts("to-delete", `Default self-signed HTTPS ${sim.mac}`)),
        400,
        "Sender",
        [],
      );
      assert.equal(
        inUse.detail,
        "<acertificates:CertificateIdInUseFault></acertificates:CertificateIdInUseFault>",
      );
      assert.ok(sim.listCaCertificates().some((c) => c.id === "to-delete"));
      assertOk(await soapCall(sim, deleteCerts("to-delete")));
      assert.ok(!sim.listCaCertificates().some((c) => c.id === "to-delete"));
      assert.match(
        (await soapCall(sim, deleteCerts("uploaded-3"))).body,
        /<tds:DeleteCertificatesResponse><\/tds:DeleteCertificatesResponse>/,
      );
    });
  });

  describe("on-device keys", () => {
    it("CreateCertificate2 → GetPkcs10Request2 → LoadCertificates keeps the device key", async () => {
      const created = await soapCall(sim, createCertificate2("onboard-1"));
      assertOk(created);
      const m =
        /<acertificates:CreateCertificate2Response><acertificates:Id>onboard-1<\/acertificates:Id><acertificates:Certificate>([A-Za-z0-9+/=]+)<\/acertificates:Certificate><\/acertificates:CreateCertificate2Response>/.exec(
          created.body,
        );
      assert.ok(m, created.body);
      const selfSigned = new x509.X509Certificate(Buffer.from(m[1], "base64"));
      assert.equal(selfSigned.subject, "C=SE, CN=172.25.154.47");
      assert.equal(selfSigned.notBefore.toISOString(), "2020-10-16T04:08:32.000Z");
      assert.equal(selfSigned.notAfter.toISOString(), "2040-10-16T04:08:32.000Z");

      const csrRes = await soapCall(
        sim,
        acertEnvelope(
          `<acertificates:GetPkcs10Request2 xmlns="http://www.axis.com/vapix/ws/certificates"><acertificates:Id>onboard-1</acertificates:Id><acertificates:Subject><acert:C>SE</acert:C><acert:O>Example</acert:O><acert:CN>onboard-1</acert:CN></acertificates:Subject></acertificates:GetPkcs10Request2>`,
        ),
      );
      assertOk(csrRes);
      const csrB64 = parseBody(csrRes.body).GetPkcs10Request2Response.Pkcs10Request as string;
      const csr = new x509.Pkcs10CertificateRequest(Buffer.from(csrB64, "base64"));
      assert.equal(await csr.verify(), true);
      assert.equal(csr.subject, "C=SE, O=Example, CN=onboard-1");
      assert.deepEqual(Buffer.from(csr.publicKey.rawData), Buffer.from(selfSigned.publicKey.rawData));

      const ca = await testCa("Issuing CA");
      const signed = await testLeaf(
        ca,
        "onboard-1",
        createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: "der", type: "spki" }),
      );
      const load = (der: Buffer) =>
        tdsEnvelope(
          `<tds:LoadCertificates xmlns="http://www.onvif.org/ver10/device/wsdl"><NVTCertificate><tt:CertificateID>onboard-1</tt:CertificateID><tt:Certificate><tt:Data>${b64(der)}</tt:Data></tt:Certificate></NVTCertificate></tds:LoadCertificates>`,
        );
      const other = await testLeaf(ca, "onboard-1", newKey());
      assertFault(await soapCall(sim, load(other.der)), 400, "Sender", [
        "ter:InvalidArgVal",
        "ter:BadCertificate",
      ]);
      assertOk(await soapCall(sim, load(signed.der)));
      assert.ok(
        sim
          .listCertificates()
          .find((c) => c.id === "onboard-1")
          ?.der.equals(signed.der),
      );
    });
  });

  describe("HTTPS binding", () => {
    it("rebinding changes the certificate the HTTPS listener presents", async () => {
      const ca = await testCa("Web CA");
      const key = newKey();
      const leaf = await testLeaf(ca, "web-1", key);
      assertOk(await soapCall(sim, loadWithKey("web-1", b64(leaf.der), pkcs8(key))));
      const beforeRes = await soapCall(sim, getCertificates, { via: "https" });
      assert.equal(
        beforeRes.peerFingerprint256,
        fingerprintColons(
          sim.listCertificates().find((c) => c.id === `Default self-signed HTTPS ${sim.mac}`)
            ?.fingerprintSha256 ?? "",
        ),
      );
      assertOk(await soapCall(sim, setHttps("web-1")));
      const after = await soapCall(sim, getCertificatesStatusOnly(), { via: "https", ca: [ca.pem] });
      assertOk(after);
      assert.equal(
        after.peerFingerprint256,
        fingerprintColons(sim.listCertificates().find((c) => c.id === "web-1")?.fingerprintSha256 ?? ""),
      );
      assert.match(
        after.body,
        /<tds:CertificateStatus><tt:CertificateID>web-1<\/tt:CertificateID><tt:Status>true<\/tt:Status>/,
      );
      assert.equal(sim.getWebServerTls().ciphers.length, 8);
      assert.deepEqual(sim.getWebServerTls().connectionPolicies, {
        Admin: "HttpAndHttps",
        Operator: "HttpAndHttps",
        Viewer: "HttpAndHttps",
      });
      // Deleting the bound certificate behind the client's back falls back to the self-signed one.
      assert.equal(sim.deleteCertificate("web-1"), true);
      const fallback = await soapCall(sim, getCertificates, { via: "https" });
      assertOk(fallback);
      assert.equal(sim.getWebServerTls().certificateId, `Default self-signed HTTPS ${sim.mac}`);
    });

    it("a Configuration in no namespace is Sender ter:TagMismatch", async () => {
      const res = await soapCall(
        sim,
        setHttps(`Default self-signed HTTPS ${sim.mac}`, `<Configuration xmlns="">`, `</Configuration>`),
      );
      assertFault(res, 400, "Sender", ["ter:TagMismatch"], "Tag mismatch");
    });

    it("refuses to bind an unknown certificate", async () => {
      assertFault(
        await soapCall(sim, setHttps("nope")),
        400,
        "Sender",
        ["ter:InvalidArgVal", "ter:CertificateID"],
        "The CertificateID does not exist",
      );
    });
  });

  describe("IEEE 802.1X", () => {
    it("is unconfigured at first and is set with CACertificateID after EAPMethodConfiguration", async () => {
      const initial = await soapCall(sim, getDot1xDefaultNs);
      assertOk(initial);
      assert.equal(
        bodyOf(initial.body),
        "<tds:GetDot1XConfigurationResponse><tds:Dot1XConfiguration><tt:Dot1XConfigurationToken>EAPTLS_WIRED</tt:Dot1XConfigurationToken><tt:Identity/><tt:EAPMethod>13</tt:EAPMethod></tds:Dot1XConfiguration></tds:GetDot1XConfigurationResponse>",
      );
      // The doc's own example names a certificate this camera does not have.
      assertFault(
        await soapCall(sim, setDot1x("Default(self-signed)")),
        400,
        "Sender",
        ["ter:InvalidArgVal", "ter:CertificateID"],
        "The CertificateID does not exist",
      );
      const ca = await testCa("802.1X CA");
      const key = newKey();
      const leaf = await testLeaf(ca, "cam-8021x", key);
      assertOk(await soapCall(sim, loadWithKey("cam-8021x", b64(leaf.der), pkcs8(key))));
      assertOk(await soapCall(sim, loadCa("RADIUS_ROOT", b64(ca.der))));
      assertOk(await soapCall(sim, setDot1x("cam-8021x", "RADIUS_ROOT")));
      const got = await soapCall(sim, getDot1xDefaultNs);
      assert.equal(
        bodyOf(got.body),
        "<tds:GetDot1XConfigurationResponse><tds:Dot1XConfiguration><tt:Dot1XConfigurationToken>EAPTLS_WIRED</tt:Dot1XConfigurationToken><tt:Identity>identity</tt:Identity><tt:EAPMethod>13</tt:EAPMethod><tt:CACertificateID>RADIUS_ROOT</tt:CACertificateID><tt:EAPMethodConfiguration><tt:TLSConfiguration><tt:CertificateID>cam-8021x</tt:CertificateID></tt:TLSConfiguration></tt:EAPMethodConfiguration></tds:Dot1XConfiguration></tds:GetDot1XConfigurationResponse>",
      );
      // Referenced by 802.1X: not deletable.
      assertFault(await soapCall(sim, deleteCerts("RADIUS_ROOT")), 400, "Sender", []);
    });

    it("requires the CertificateID to be the certificate's common name", async () => {
      const ca = await testCa("CN CA");
      const key = newKey();
      const leaf = await testLeaf(ca, "some-other-cn", key);
      assertOk(await soapCall(sim, loadWithKey("cn-mismatch", b64(leaf.der), pkcs8(key))));
      assertFault(
        await soapCall(sim, setDot1x("cn-mismatch")),
        400,
        "Sender",
        ["ter:InvalidArgVal", "ter:CertificateID"],
        "The CertificateID needs to be the certificate common name",
      );
    });
  });

  describe("PKCS#12", () => {
    let rsaKey: forge.pki.rsa.KeyPair;
    let rsaCert: forge.pki.Certificate;
    before(() => {
      rsaKey = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 });
      rsaCert = forge.pki.createCertificate();
      rsaCert.publicKey = rsaKey.publicKey;
      rsaCert.serialNumber = "01";
      rsaCert.validity.notBefore = new Date(Date.now() - 60_000);
      rsaCert.validity.notAfter = new Date(Date.now() + 86_400_000);
      rsaCert.setSubject([{ name: "commonName", value: "p12-test" }]);
      rsaCert.setIssuer([{ name: "commonName", value: "p12-test" }]);
      rsaCert.sign(rsaKey.privateKey, forge.md.sha256.create());
    });
    const p12 = (password: string, algorithm: "3des" | "aes256") =>
      Buffer.from(
        forge.asn1
          .toDer(forge.pkcs12.toPkcs12Asn1(rsaKey.privateKey, [rsaCert], password, { algorithm }))
          .getBytes(),
        "binary",
      ).toString("base64");

    it("loads a PKCS#12 file and refuses a wrong password", async () => {
      assertOk(await soapCall(sim, loadPkcs12("PFX-Sample Certificate", p12("s3cret", "aes256"), "s3cret")));
      assert.ok(sim.listCertificates().some((c) => c.id === "PFX-Sample Certificate" && c.hasPrivateKey));
      const wrong = assertFault(
        await soapCall(sim, loadPkcs12("PFX-2", p12("s3cret", "3des"), "wrong")),
        400,
        "Sender",
        [],
      );
      assert.equal(
        wrong.detail,
        "<acertificates:CertificateFormatFault></acertificates:CertificateFormatFault>",
      );
      assertOk(await soapCall(sim, loadPkcs12("PFX-3des", p12("s3cret", "3des"), "s3cret")));
    });

    it("reads a legacy RC2-40 file made by openssl -legacy", async function () {
      let dir: string | undefined;
      try {
        dir = mkdtempSync(join(tmpdir(), "axis-p12-"));
        const keyPath = join(dir, "k.pem");
        const certPath = join(dir, "c.pem");
        const outPath = join(dir, "x.p12");
        const key = newKey();
        const leaf = await testLeaf(await testCa("Legacy CA"), "legacy", key);
        writeFileSync(keyPath, key.export({ type: "pkcs8", format: "pem" }));
        writeFileSync(certPath, leaf.pem);
        try {
          execFileSync(
            "openssl",
            [
              "pkcs12",
              "-export",
              "-legacy",
              "-inkey",
              keyPath,
              "-in",
              certPath,
              "-out",
              outPath,
              "-passout",
              "pass:pw",
            ],
            { stdio: "ignore" },
          );
        } catch {
          this.skip();
        }
        const data = readFileSync(outPath).toString("base64");
        assertOk(await soapCall(sim, loadPkcs12("PFX-legacy", data, "pw")));
        assert.ok(
          sim
            .listCertificates()
            .find((c) => c.id === "PFX-legacy")
            ?.der.equals(leaf.der),
        );
      } finally {
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("knobs and faults", () => {
    it("enforces maxCertificates with MaxNumberOfCertificatesFault", async () => {
      const s = await AxisSimulator.start({ maxCertificates: 3 });
      try {
        assertOk(await soapCall(s, createCertificate2("third")));
        const res = await soapCall(s, createCertificate2("fourth"));
        const fault = assertFault(res, 400, "Sender", []);
        assert.equal(
          fault.detail,
          "<acertificates:MaxNumberOfCertificatesFault></acertificates:MaxNumberOfCertificatesFault>",
        );
      } finally {
        await s.stop();
      }
    });

    it("injects 503, SOAP faults and connection resets before and after applying", async () => {
      const s = await AxisSimulator.start({ httpAuth: "basic" });
      try {
        const basic = (body: string) =>
          rawRequest({
            url: `${s.httpUrl}/vapix/services`,
            headers: {
              "Content-Type": "application/soap+xml",
              Authorization: `Basic ${Buffer.from(`${s.username}:${s.password}`).toString("base64")}`,
            },
            body,
          });
        s.injectFault("GetCertificates", { kind: "http503", retryAfterSeconds: 7 });
        const unavailable = await basic(getCertificates);
        assert.equal(unavailable.status, 503);
        assert.equal(unavailable.headers["retry-after"], "7");
        assertOk(await basic(getCertificates));

        s.injectFault("GetCertificates", {
          kind: "soapReceiver",
          subcode: "ter:CriticalError",
          reason: "busy",
        });
        assertFault(await basic(getCertificates), 500, "Receiver", ["ter:CriticalError"], "busy");

        s.injectFault("CreateCertificate2", { kind: "resetBeforeApply" });
        await assert.rejects(basic(createCertificate2("reset-before")));
        assert.ok(!s.listCertificates().some((c) => c.id === "reset-before"));

        s.injectFault("CreateCertificate2", { kind: "resetAfterApply" });
        await assert.rejects(basic(createCertificate2("reset-after")));
        assert.ok(s.listCertificates().some((c) => c.id === "reset-after"));
        assert.equal(s.counters().requestsByOperation.CreateCertificate2, 2);
      } finally {
        await s.stop();
      }
    });

    it("queues requests beyond maxConcurrentRequests", async () => {
      const s = await AxisSimulator.start({ httpAuth: "basic", maxConcurrentRequests: 1, latencyMs: 100 });
      try {
        const auth = `Basic ${Buffer.from(`${s.username}:${s.password}`).toString("base64")}`;
        const started = Date.now();
        const results = await Promise.all(
          [1, 2, 3].map(() =>
            rawRequest({
              url: `${s.httpUrl}/vapix/services`,
              headers: { "Content-Type": "application/xml", Authorization: auth },
              body: getCertificates,
            }),
          ),
        );
        for (const r of results) assertOk(r);
        assert.ok(Date.now() - started >= 290, `took ${Date.now() - started} ms`);
        const c = s.counters();
        assert.equal(c.requests, 3);
        assert.equal(c.connections, 3);
        s.resetCounters();
        assert.equal(s.counters().requests, 0);
      } finally {
        await s.stop();
      }
    });

    it("replaceCertificate re-keys under the same ID and the HTTPS listener follows", async () => {
      const id = `Default self-signed HTTPS ${sim.mac}`;
      sim.rebindHttps(id);
      const before = sim.listCertificates().find((c) => c.id === id)?.fingerprintSha256;
      const replaced = await sim.replaceCertificate(id);
      assert.notEqual(replaced.fingerprintSha256, before);
      const res = await rawRequest({ url: `${sim.httpsUrl}/vapix/services`, body: getCertificates });
      assert.equal(res.peerFingerprint256, fingerprintColons(replaced.fingerprintSha256));
    });
  });
});

function getCertificatesStatusOnly(): string {
  return getStatus;
}
