import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as ops from "../../provider/axis/operations";
import type { AxisSoapFault } from "../../provider/axis/soap";
import { buildEnvelope, parseSoapResponse } from "../../provider/axis/soap";
import { parseXml } from "../../provider/axis/xml";
import { certificateFromDer, certificateFromPem } from "../../provider/pki/certificate";
import { fixturesDir } from "../support/paths";

const fixture = (name: string) => readFileSync(join(fixturesDir, name), "utf8");
const DEVICE = "http://192.0.2.10";

describe("SOAP against AXIS OS 12.11 captures", () => {
  it("has a test for every capture in the fixtures folder", () => {
    const covered = [
      "GetCertificates.response.xml",
      "GetCertificatesStatus.response.xml",
      "GetWebServerTlsConfiguration.response.xml",
      "acertificates-GetCACertificates.fault.xml",
      "GetDot1XConfigurations.fault.xml",
    ];
    assert.deepEqual(
      readdirSync(fixturesDir)
        .filter((f) => f.endsWith(".xml"))
        .sort(),
      covered.sort(),
    );
  });

  it("decodes GetCertificates: four IDs and parseable DER certificates", () => {
    const certs = ops.GetCertificates.decode(
      parseSoapResponse(DEVICE, "GetCertificates", 200, fixture("GetCertificates.response.xml")),
    );
    assert.deepEqual(
      certs.map((c) => c.id),
      [
        "Axis device ID ECC-P256 (802.1AR)",
        "Axis device ID RSA-2048 (802.1AR)",
        "Axis device ID RSA-4096 (802.1AR)",
        "Trustlix Device HTTPS lUZuIXuu",
      ],
    );
    const https = certificateFromDer(certs[3].der);
    const root = certificateFromPem(fixture("Trustlix-root-ca.pem"));
    assert.equal(https.issuer, root.subject);
    assert.match(https.fingerprintSha256, /^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
  });

  it("decodes GetCertificatesStatus: only the HTTPS certificate is true", () => {
    const status = ops.GetCertificatesStatus.decode(
      parseSoapResponse(DEVICE, "GetCertificatesStatus", 200, fixture("GetCertificatesStatus.response.xml")),
    );
    assert.deepEqual(
      status.filter((s) => s.status).map((s) => s.id),
      ["Trustlix Device HTTPS lUZuIXuu"],
    );
    assert.equal(status.length, 4);
  });

  it("decodes GetWebServerTlsConfiguration", () => {
    const config = ops.GetWebServerTlsConfiguration.decode(
      parseSoapResponse(
        DEVICE,
        "GetWebServerTlsConfiguration",
        200,
        fixture("GetWebServerTlsConfiguration.response.xml"),
      ),
    );
    assert.equal(config.tls, true);
    assert.equal(config.policies.admin, "HttpAndHttps");
    assert.equal(config.ciphers.length, 6);
    assert.equal(config.ciphers[0], "ECDHE-ECDSA-AES128-GCM-SHA256");
    assert.deepEqual(config.certificateIds, ["Trustlix Device HTTPS lUZuIXuu"]);
    assert.deepEqual(config.caCertificateIds, []);
  });

  it("turns the ActionNotSupported Receiver fault into a typed error", () => {
    assert.throws(
      () =>
        parseSoapResponse(
          DEVICE,
          "GetCACertificates",
          500,
          fixture("acertificates-GetCACertificates.fault.xml"),
        ),
      (err: AxisSoapFault) => {
        assert.equal(err.code, "AXIS_SOAP_FAULT");
        assert.equal(err.soapCode, "Receiver");
        assert.equal(err.subcode, "ActionNotSupported");
        assert.equal(err.subcodeNamespace, "http://www.onvif.org/ver10/error");
        assert.equal(err.reason, "Optional action not implemented");
        assert.equal(err.detail, "The requested action is optional and is not implemented");
        assert.match(
          err.message,
          /^http:\/\/192\.0\.2\.10 GetCACertificates: SOAP Receiver fault \(ActionNotSupported\)/,
        );
        return true;
      },
    );
  });

  it("turns the empty-reason Sender fault into a typed error, whatever the HTTP status", () => {
    for (const status of [400, 500, 200]) {
      assert.throws(
        () =>
          parseSoapResponse(
            DEVICE,
            "GetDot1XConfigurations",
            status,
            fixture("GetDot1XConfigurations.fault.xml"),
          ),
        (err: AxisSoapFault) =>
          err.soapCode === "Sender" && err.subcode === "" && err.reason === "" && err.status === status,
      );
    }
  });

  it("matches namespaces, not prefixes", () => {
    const renamed = fixture("GetWebServerTlsConfiguration.response.xml")
      .replace(/aweb:/g, "w:")
      .replace(/xmlns:aweb=/g, "xmlns:w=")
      .replace(/acert:/g, "c:")
      .replace(/xmlns:acert=/g, "xmlns:c=");
    const config = ops.GetWebServerTlsConfiguration.decode(
      parseSoapResponse(DEVICE, "GetWebServerTlsConfiguration", 200, renamed),
    );
    assert.deepEqual(config.certificateIds, ["Trustlix Device HTTPS lUZuIXuu"]);
    // The same local names in a foreign namespace are not ours.
    const foreign = renamed.replace(
      'xmlns:w="http://www.axis.com/vapix/ws/webserver"',
      'xmlns:w="urn:other"',
    );
    assert.deepEqual(
      ops.GetWebServerTlsConfiguration.decode(parseSoapResponse(DEVICE, "x", 200, foreign)).certificateIds,
      [],
    );
  });

  it("reports a non-SOAP answer with the device and operation", () => {
    assert.throws(
      () => parseSoapResponse(DEVICE, "GetCertificates", 404, "<html>Not found</html>"),
      /192\.0\.2\.10 GetCertificates: HTTP 404/,
    );
  });
});

describe("SOAP requests", () => {
  it("escapes markup in IDs so it stays text", () => {
    const xml = buildEnvelope(
      ops.DeleteCertificates.build(["x</tds:CertificateID><tds:CertificateID>victim"]),
    );
    const body = parseXml(xml).children[0].children[0];
    assert.equal(body.local, "DeleteCertificates");
    assert.equal(body.children.length, 1);
    assert.equal(body.children[0].text, "x</tds:CertificateID><tds:CertificateID>victim");
  });

  it("puts Configuration and Tls of SetWebServerTlsConfiguration in the webserver namespace", () => {
    const xml = buildEnvelope(
      ops.SetWebServerTlsConfiguration.build({
        tls: true,
        policies: { admin: "Https" },
        ciphers: ["ECDHE-RSA-AES128-GCM-SHA256"],
        certificateIds: ["a"],
        caCertificateIds: [],
        trustedCertificateIds: [],
      }),
    );
    const op = parseXml(xml).children[0].children[0];
    const configuration = op.children[0];
    assert.equal(configuration.ns, "http://www.axis.com/vapix/ws/webserver");
    assert.equal(configuration.local, "Configuration");
    assert.equal(configuration.children[0].local, "Tls");
    assert.equal(configuration.children[0].ns, "http://www.axis.com/vapix/ws/webserver");
  });
});
