import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { AxisClient } from "../../provider/axis/client";
import type { AxisSoapFault } from "../../provider/axis/soap";
import { pkcs8Base64, parsePrivateKey } from "../../provider/pki/keys";
import { certificatesFromPem } from "../../provider/pki/certificate";
import type { DeviceConnection } from "../../provider/transport/connection";
import { DeviceHttp } from "../../provider/transport/http";
import { AxisSimulator } from "../../simulators/axis";
import { makeCa, makeLeaf, pkcs12 } from "../support/pki";
import type { Issued } from "../support/pki";

const der = (pem: string) => certificatesFromPem(pem)[0];

/** A full garbage collection now (V8's gc, reached without starting node with --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}
const keyDer = (pem: string) => Buffer.from(pkcs8Base64(parsePrivateKey(pem)), "base64");

describe("AxisClient against the camera simulator", function () {
  let camera: AxisSimulator;
  let http: DeviceConnection;
  let https: DeviceConnection;
  let ca: Issued;
  let rsaCa: Issued;

  before(async () => {
    camera = await AxisSimulator.start();
    http = { url: camera.httpUrl, username: camera.username, password: camera.password };
    https = { ...http, url: camera.httpsUrl, tls: { caCertificate: camera.caCertificatePem } };
    ca = await makeCa("Client test CA");
    rsaCa = await makeCa("Client test RSA CA", { rsa: true });
  });
  after(async () => {
    await DeviceHttp.closeAll();
    await camera.stop();
  });
  beforeEach(() => {
    camera.resetCounters();
    DeviceHttp.forgetAnswers();
  });

  it("lists certificates over HTTP with Digest, taking one 401 for many requests", async () => {
    const client = new AxisClient({ ...http, url: camera.httpUrl + "/" });
    const first = await client.getCertificates();
    assert.ok(first.some((c) => c.id === "Axis device ID ECC-P256 (802.1AR)"));
    await client.getCACertificates();
    await client.getCertificatesStatus();
    await client.getWebServerTlsConfiguration();
    await client.getDot1XConfiguration();
    const counters = camera.counters();
    assert.equal(counters.unauthorized, 1, "one challenge, then the nonce count advances");
    assert.equal(counters.requests, 6);
  });

  it("uses Basic over verified HTTPS with no 401 at all", async () => {
    const client = new AxisClient(https);
    await client.getCertificates();
    await client.getCACertificates();
    const counters = camera.counters();
    assert.equal(counters.unauthorized, 0);
    assert.equal(counters.tlsHandshakes, 1, "the connection is kept alive");
  });

  it("gives back an idle device's connections, and keeps what it learned of the device", async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const idle = new AxisClient({ ...http, timeouts: { idleMs: 200 } });
    await idle.getCertificates();
    await sleep(50);
    await idle.getCACertificates();
    assert.equal(camera.counters().connections, 1, "within idleMs the connection is reused");
    await sleep(500);
    await idle.getCertificatesStatus();
    const counters = camera.counters();
    assert.equal(counters.connections, 2, "after idleMs the next request opens a new connection");
    assert.equal(counters.unauthorized, 1, "the Digest nonce outlives the connections");
    assert.equal(counters.requests, 4);
  });

  it("resumes its TLS session when it connects again after an idle release, and keeps sessions per trust", async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const idle = new AxisClient({ ...https, timeouts: { idleMs: 100 } });
    await idle.getCertificates();
    await sleep(300);
    // A long gap on a real site sees the garbage collector run: the session must survive it.
    collectGarbage();
    await idle.getCACertificates();
    await sleep(300);
    collectGarbage();
    await idle.getCertificatesStatus();
    const counters = camera.counters();
    assert.equal(counters.tlsHandshakes, 3, "the pool was given back in between");
    assert.equal(counters.tlsResumed, 2, "each new connection resumed the session before it");
    // Sessions are kept per connection settings: the same camera under a trust that does not hold is refused.
    const stranger = new AxisClient({ ...https, tls: { caCertificate: ca.certPem } });
    await assert.rejects(stranger.getCertificates(), /not trusted/);
  });

  it("makes a device's TLS context again once other trust bundles pushed it out, and still verifies and resumes", async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // An endpoint of its own (the test before left one open with idleMs 100).
    const device = new AxisClient({ ...https, timeouts: { idleMs: 150 } });
    await device.getCertificates();
    // Bundles that differ only in their text are each a context of their own: 70 push out the 64 kept.
    for (let i = 1; i <= 70; i++) {
      const other = { ...https, tls: { caCertificate: camera.caCertificatePem + "\n".repeat(i) } };
      await new AxisClient(other).getCACertificates();
    }
    await sleep(300);
    collectGarbage();
    // The connector keeps the session but not the context: this connection verifies with a new one.
    await device.getCertificatesStatus();
    const counters = camera.counters();
    assert.equal(counters.tlsHandshakes, 72);
    assert.equal(counters.tlsResumed, 1, "only the device's own reconnect had a session to resume");
    assert.equal(counters.unauthorized, 0);
  });

  it("joins identical reads made at the same moment", async () => {
    const client = new AxisClient(https);
    await Promise.all([client.getCertificates(), client.getCertificates(), client.getCertificates()]);
    assert.equal(camera.counters().requestsByOperation.GetCertificates, 1);
  });

  it("answers a repeated read from memory until one of its writes changes what it reads", async () => {
    const client = new AxisClient(https);
    const before = await client.getCertificates();
    assert.deepEqual(await client.getCertificates(), before);
    const tls = await client.getWebServerTlsConfiguration();
    await client.setWebServerTlsConfiguration(tls);
    await client.getWebServerTlsConfiguration();
    await client.getCertificates();
    assert.deepEqual(camera.counters().requestsByOperation, {
      GetCertificates: 1,
      GetWebServerTlsConfiguration: 2,
      SetWebServerTlsConfiguration: 1,
    });
    await client.loadCACertificates([{ id: "answers-ca", der: der(ca.certPem) }]);
    const after = await client.getCACertificates();
    assert.ok(
      after.some((c) => c.id === "answers-ca"),
      "the write's own change is read back",
    );
    await client.getCertificates();
    assert.equal(
      camera.counters().requestsByOperation.GetCertificates,
      2,
      "adding a certificate forgets the lists",
    );
    await client.deleteCertificates(["answers-ca"]);
  });

  it("refuses wrong credentials with the device named and no password in the message", async () => {
    const client = new AxisClient({ ...http, password: "wrong-password-sentinel" });
    await assert.rejects(client.getCertificates(), (err: Error & { code: string }) => {
      assert.equal(err.code, "DEVICE_UNAUTHORIZED");
      assert.ok(err.message.includes(new URL(camera.httpUrl).origin));
      assert.ok(!err.message.includes("wrong-password-sentinel"));
      return true;
    });
  });

  it("refuses Basic over plain HTTP unless allowed", async () => {
    const basicCamera = await AxisSimulator.start({ httpAuth: "basic" });
    try {
      const conn = {
        url: basicCamera.httpUrl,
        username: basicCamera.username,
        password: basicCamera.password,
      };
      await assert.rejects(new AxisClient(conn).getCertificates(), { code: "DEVICE_INSECURE_AUTH_REFUSED" });
      const list = await new AxisClient({ ...conn, allowBasicOverHttp: true }).getCertificates();
      assert.ok(list.length > 0);
    } finally {
      await basicCamera.stop();
    }
  });

  it("answers a Digest challenge on HTTPS too, and SHA-256 when offered", async () => {
    const strict = await AxisSimulator.start({ httpsAuth: "digest", digestAlgorithms: ["SHA-256", "MD5"] });
    try {
      const conn = {
        url: strict.httpsUrl,
        username: strict.username,
        password: strict.password,
        tls: { caCertificate: strict.caCertificatePem },
      };
      await new AxisClient(conn).getCertificates();
      await new AxisClient(conn).getCertificatesStatus();
      assert.equal(strict.counters().unauthorized, 1);
    } finally {
      await strict.stop();
    }
  });

  it("takes a fresh nonce when the device says stale=true", async () => {
    const quick = await AxisSimulator.start({ nonceLifetimeMs: 150 });
    try {
      const client = new AxisClient({
        url: quick.httpUrl,
        username: quick.username,
        password: quick.password,
      });
      await client.getCertificates();
      await new Promise((r) => setTimeout(r, 300));
      await client.getCertificatesStatus();
      assert.equal(quick.counters().unauthorized, 2);
    } finally {
      await quick.stop();
    }
  });

  describe("TLS trust", () => {
    it("refuses an unknown CA", async () => {
      const client = new AxisClient({ ...https, tls: { caCertificate: ca.certPem } });
      await assert.rejects(client.getCertificates(), (err: Error & { code: string }) => {
        assert.equal(err.code, "DEVICE_TLS_UNTRUSTED");
        assert.match(err.message, /connect: TLS certificate not trusted/);
        return true;
      });
    });

    it("accepts a pin of the served certificate, with or without colons", async () => {
      const fp = camera.servedHttpsFingerprint();
      const colon = fp.match(/../g)!.join(":").toUpperCase();
      await new AxisClient({ ...https, tls: { fingerprintSha256: fp } }).getCertificates();
      await new AxisClient({ ...https, tls: { fingerprintSha256: [colon] } }).getCertificates();
    });

    it("refuses a pin that does not match", async () => {
      await assert.rejects(
        new AxisClient({ ...https, tls: { fingerprintSha256: "00".repeat(32) } }).getCertificates(),
        {
          code: "DEVICE_TLS_PIN_MISMATCH",
        },
      );
    });

    it("accepts anything with insecure: true", async () => {
      await new AxisClient({ ...https, tls: { insecure: true } }).getCertificates();
    });
  });

  describe("operations", () => {
    it("creates a self-signed certificate on the device and reads it back", async () => {
      const client = new AxisClient(https);
      const created = await client.createCertificate2({
        id: "cc-self",
        subject: { commonName: "lobby-cam", country: "SE", organization: "Example" },
        validNotBefore: new Date().toISOString(),
        validNotAfter: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      });
      assert.equal(created.id, "cc-self");
      const cert = new X509Certificate(created.der);
      assert.match(cert.subject, /CN=lobby-cam/);
      const listed = (await client.getCertificates()).find((c) => c.id === "cc-self");
      assert.deepEqual(listed?.der, created.der);
      const csr = await client.getPkcs10Request2({ id: "cc-self", subject: { commonName: "lobby-cam" } });
      assert.equal(csr[0], 0x30, "a DER SEQUENCE");
      await client.deleteCertificates(["cc-self"]);
      assert.ok(!(await client.getCertificates()).some((c) => c.id === "cc-self"));
    });

    it("loads a certificate with its PKCS#8 key, binds HTTPS to it, and the listener serves it", async () => {
      const client = new AxisClient(https);
      const leaf = await makeLeaf(ca, "cam-https");
      await client.loadCertificateWithPrivateKey([
        { id: "cc-pem", certificateDer: der(leaf.certPem), privateKeyPkcs8Der: keyDer(leaf.keyPem) },
      ]);
      const before = await client.getWebServerTlsConfiguration();
      await client.setWebServerTlsConfiguration({ ...before, certificateIds: ["cc-pem"] });
      // New connections now meet the new certificate: trust both CAs from here on.
      const fresh = new AxisClient({
        ...https,
        tls: { caCertificate: ca.certPem + camera.caCertificatePem },
      });
      const after = await fresh.getWebServerTlsConfiguration();
      assert.deepEqual(after.certificateIds, ["cc-pem"]);
      assert.deepEqual(after.ciphers, before.ciphers);
      assert.equal(
        camera.servedHttpsFingerprint(),
        new X509Certificate(der(leaf.certPem)).fingerprint256.replace(/:/g, "").toLowerCase(),
      );
      const status = await fresh.getCertificatesStatus();
      assert.deepEqual(
        status.filter((s) => s.status).map((s) => s.id),
        ["cc-pem"],
      );
      // The bound certificate cannot be deleted.
      await assert.rejects(
        fresh.deleteCertificates(["cc-pem"]),
        (err: AxisSoapFault) => err.code === "AXIS_SOAP_FAULT",
      );
      // Put HTTPS back on the original so the other tests keep trusting the camera.
      await fresh.setWebServerTlsConfiguration(before);
      await fresh.deleteCertificates(["cc-pem"]);
    });

    it("refuses a key that does not match its certificate", async () => {
      const a = await makeLeaf(ca, "a");
      const b = await makeLeaf(ca, "b");
      await assert.rejects(
        new AxisClient(https).loadCertificateWithPrivateKey([
          { id: "cc-mismatch", certificateDer: der(a.certPem), privateKeyPkcs8Der: keyDer(b.keyPem) },
        ]),
        (err: AxisSoapFault) =>
          err.code === "AXIS_SOAP_FAULT" && err.soapCode === "Sender" && err.status === 400,
      );
    });

    it("refuses a duplicate ID and an unknown ID with the device's own text", async () => {
      const client = new AxisClient(https);
      await client.loadCACertificates([{ id: "cc-ca", der: der(ca.certPem) }]);
      await assert.rejects(
        client.loadCACertificates([{ id: "cc-ca", der: der(ca.certPem) }]),
        (err: AxisSoapFault) => {
          assert.match(err.reason, /already exists/);
          return true;
        },
      );
      assert.ok((await client.getCACertificates()).some((c) => c.id === "cc-ca"));
      await client.deleteCertificates(["cc-ca"]);
      await assert.rejects(client.deleteCertificates(["cc-ca"]), (err: AxisSoapFault) => {
        assert.equal(err.reason, "The CertificateID does not exist");
        assert.equal(err.status, 400);
        return true;
      });
    });

    it("loads PKCS#12 and refuses a wrong password", async () => {
      const leaf = await makeLeaf(rsaCa, "p12-cam", { rsa: true });
      const client = new AxisClient(https);
      await assert.rejects(
        client.loadPkcs12({
          id: "cc-p12",
          pkcs12: Buffer.from(pkcs12(leaf, "right"), "base64"),
          password: "wrong",
        }),
        { code: "AXIS_SOAP_FAULT" },
      );
      await client.loadPkcs12({
        id: "cc-p12",
        pkcs12: Buffer.from(pkcs12(leaf, "right", [], true), "base64"),
        password: "right",
      });
      const stored = (await client.getCertificates()).find((c) => c.id === "cc-p12");
      assert.deepEqual(stored?.der, der(leaf.certPem));
      await client.deleteCertificates(["cc-p12"]);
    });

    it("sets and reads wired 802.1X", async () => {
      const client = new AxisClient(https);
      await client.createCertificate2({ id: "dot1x-client", subject: { commonName: "dot1x-client" } });
      await client.loadCACertificates([{ id: "radius-ca", der: der(ca.certPem) }]);
      await client.setDot1XConfiguration({
        token: "EAPTLS_WIRED",
        identity: "cam-17",
        eapMethod: 13,
        caCertificateIds: ["radius-ca"],
        certificateId: "dot1x-client",
      });
      const read = await client.getDot1XConfiguration();
      assert.equal(read.identity, "cam-17");
      assert.equal(read.eapMethod, 13);
      assert.deepEqual(read.caCertificateIds, ["radius-ca"]);
      assert.equal(read.certificateId, "dot1x-client");
    });

    it("reports an unknown operation as ActionNotSupported", async () => {
      const client = new AxisClient(https);
      await assert.rejects(
        client.call(
          {
            name: "GetCACertificates (acertificates)",
            readOnly: true,
            build: () => ({ "acertificates:GetCACertificates": "" }),
            decode: () => 0,
          },
          undefined,
        ),
        (err: AxisSoapFault) =>
          err.soapCode === "Receiver" && err.subcode === "ActionNotSupported" && err.status === 500,
      );
    });

    it("surfaces the capacity limit", async () => {
      const small = await AxisSimulator.start({ maxCertificates: 3 });
      try {
        const client = new AxisClient({
          url: small.httpUrl,
          username: small.username,
          password: small.password,
        });
        await assert.rejects(
          (async () => {
            for (let i = 0; i < 5; i++)
              await client.createCertificate2({ id: `cap-${i}`, subject: { commonName: `cap-${i}` } });
          })(),
          (err: AxisSoapFault) =>
            err.code === "AXIS_SOAP_FAULT" && /MaxNumberOfCertificates/.test(err.detail + err.reason),
        );
      } finally {
        await small.stop();
      }
    });
  });
});
