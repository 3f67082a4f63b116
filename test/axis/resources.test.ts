import assert from "node:assert/strict";
import { AxisCaCertificateProvider } from "../../provider/axis/caCertificate";
import { AxisCertificateProvider } from "../../provider/axis/certificate";
import type { AxisCertificateOutputs } from "../../provider/axis/certificate";
import { AxisDot1xProvider } from "../../provider/axis/dot1x";
import { AxisHttpsBindingProvider } from "../../provider/axis/httpsBinding";
import { UNKNOWN } from "../../provider/common/check";
import { DeviceHttp } from "../../provider/transport/http";
import { AxisSimulator } from "../../simulators/axis";
import { makeCa, makeLeaf, pkcs12 } from "../support/pki";
import type { Issued } from "../support/pki";

const DAY = 86_400_000;

describe("Axis resources against the camera simulator", function () {
  let camera: AxisSimulator;
  let device: { url: string; username: string; password: string; tls: { caCertificate: string } };
  let siteCa: Issued;
  let rsaCa: Issued;
  const certs = new AxisCertificateProvider();
  const cas = new AxisCaCertificateProvider();
  const bindings = new AxisHttpsBindingProvider();
  const dot1x = new AxisDot1xProvider();

  before(async () => {
    camera = await AxisSimulator.start();
    siteCa = await makeCa("Site CA");
    rsaCa = await makeCa("RSA CA", { rsa: true });
    device = {
      url: camera.httpsUrl,
      username: camera.username,
      password: camera.password,
      tls: { caCertificate: camera.caCertificatePem + "\n" + siteCa.certPem },
    };
  });
  after(async () => {
    await DeviceHttp.closeAll();
    await camera.stop();
  });
  beforeEach(() => {
    camera.resetCounters();
    DeviceHttp.forgetAnswers(); // each test is a command of its own
  });

  // Bad input is covered by the matrix in test/reliability/badInputs.test.ts.
  describe("check", () => {
    it("passes unknown values through during preview", async () => {
      const result = await certs.check(
        {},
        { device, idPrefix: "x", pem: { certificate: UNKNOWN, privateKey: UNKNOWN } },
      );
      assert.deepEqual(result.failures, []);
    });
  });

  describe("lifecycle", () => {
    it("creates a self-signed certificate, reads it, and deletes it idempotently", async () => {
      const inputs = {
        device,
        idPrefix: "lobby",
        selfSigned: { subject: { commonName: "lobby-cam" }, validityDays: 90 },
      };
      const { id, outs } = await certs.create(inputs);
      assert.match(id, /^lobby-[0-9a-f]{8}$/);
      assert.equal(outs.commonName, "lobby-cam");
      assert.ok(camera.listCertificates().some((c) => c.id === id && c.hasPrivateKey));
      const read = await certs.read(id, outs);
      assert.equal(read.id, id);
      assert.equal((read.props as AxisCertificateOutputs).fingerprintSha256, outs.fingerprintSha256);
      const again = await certs.diff(id, read.props as AxisCertificateOutputs, inputs);
      assert.deepEqual(again, { changes: false, replaces: [], deleteBeforeReplace: false });
      await certs.delete(id, outs);
      await certs.delete(id, outs);
      assert.ok(!camera.listCertificates().some((c) => c.id === id));
    });

    it("sees a certificate deleted by hand as gone, and one replaced under the same ID as drift", async () => {
      const leaf = await makeLeaf(siteCa, "drift-cam");
      const inputs = {
        device,
        idPrefix: "drift",
        pem: { certificate: leaf.certPem, privateKey: leaf.keyPem },
      };
      const { id, outs } = await certs.create(inputs);
      assert.ok(!JSON.stringify(outs).includes(leaf.keyPem.split("\n")[1]), "no private key in outputs");
      await camera.replaceCertificate(id);
      DeviceHttp.forgetAnswers(); // the refresh is a later command: a new plugin process
      const read = await certs.read(id, outs);
      const diff = await certs.diff(id, read.props as AxisCertificateOutputs, inputs);
      assert.deepEqual(diff.replaces, ["fingerprintSha256"]);
      camera.deleteCertificate(id);
      DeviceHttp.forgetAnswers();
      assert.deepEqual(await certs.read(id, outs), {});
    });

    it("replaces on an input change and shows renewal without a refresh", async () => {
      const inputs = {
        device,
        idPrefix: "renew",
        selfSigned: { subject: { commonName: "r" }, validityDays: 40 },
        renewBeforeDays: 30,
      };
      const { id, outs } = await certs.create(inputs);
      assert.deepEqual((await certs.diff(id, outs, inputs)).replaces, []);
      const changed = { ...inputs, selfSigned: { subject: { commonName: "r2" }, validityDays: 40 } };
      assert.deepEqual((await certs.diff(id, outs, changed)).replaces, ["selfSigned"]);
      process.env.PULUMI_AXIS_SPS_NOW = new Date(Date.now() + 15 * DAY).toISOString();
      try {
        const diff = await certs.diff(id, outs, inputs);
        assert.deepEqual(diff.replaces, ["notAfter"]);
      } finally {
        delete process.env.PULUMI_AXIS_SPS_NOW;
      }
      // Credentials never force a replacement.
      const rotated = await certs.diff(id, outs, { ...inputs, device: { ...device, password: "new" } });
      assert.deepEqual(rotated, { changes: true, replaces: [], deleteBeforeReplace: false });
      await certs.delete(id, outs);
    });

    it("makes the key on the camera and has the site CA sign its CSR (deviceCsr)", async () => {
      const inputs = {
        device,
        idPrefix: "ondevice",
        deviceCsr: {
          subject: { commonName: "cam-ondevice" },
          localCa: { certificate: siteCa.certPem, privateKey: siteCa.keyPem, validityDays: 90 },
        },
      };
      assert.deepEqual((await certs.check({}, inputs)).failures, []);
      const { id, outs } = await certs.create(inputs);
      assert.equal(outs.commonName, "cam-ondevice");
      assert.equal(outs.issuer, siteCa.cert.subject);
      const stored = camera.listCertificates().find((c) => c.id === id);
      assert.ok(stored?.hasPrivateKey, "the key stayed on the camera");
      assert.equal(stored?.fingerprintSha256, outs.fingerprintSha256.replace(/:/g, ""));
      assert.ok(!JSON.stringify(outs).includes(siteCa.keyPem.split("\n")[1]), "no CA key in outputs");
      assert.deepEqual((await certs.diff(id, outs, inputs)).replaces, []);
      await certs.delete(id, outs);
    });

    it("names a certificate after its ID with commonNameFromId, as 802.1X needs", async () => {
      const inputs = {
        device,
        idPrefix: "cam9-dot1x",
        commonNameFromId: true,
        selfSigned: { subject: { organization: "Site" } },
      };
      assert.deepEqual((await certs.check({}, inputs)).failures, []);
      assert.match(
        (await certs.check({}, { ...inputs, commonNameFromId: undefined })).failures?.[0]?.reason ?? "",
        /commonName is required/,
      );
      const { id, outs } = await certs.create(inputs);
      assert.equal(outs.commonName, id);
      assert.deepEqual(
        (
          await dot1x.check(
            {},
            {
              device,
              identity: "cam9",
              clientCertificateId: id,
              clientCertificatePem: outs.certificatePem,
              caCertificateIds: ["x"],
            },
          )
        ).failures,
        [],
      );
      await certs.delete(id, outs);
    });

    it("loads PKCS#12 with its fingerprint known before the upload", async () => {
      const leaf = await makeLeaf(rsaCa, "p12", { rsa: true });
      const inputs = { device, idPrefix: "p12", pkcs12: { data: pkcs12(leaf, "pw"), password: "pw" } };
      const { id, outs } = await certs.create(inputs);
      const stored = camera.listCertificates().find((c) => c.id === id);
      assert.equal(stored?.fingerprintSha256, outs.fingerprintSha256.replace(/:/g, ""));
      assert.ok(
        !JSON.stringify(outs).includes(inputs.pkcs12.data.slice(0, 40)),
        "no PKCS#12 data in outputs",
      );
      assert.ok(!JSON.stringify(outs).includes('"pw"'), "no PKCS#12 password in outputs");
      await certs.delete(id, outs);
    });

    it("adopts an upload whose answer was lost after the device applied it", async () => {
      const leaf = await makeLeaf(siteCa, "lost");
      camera.injectFault("LoadCertificateWithPrivateKey", { kind: "resetAfterApply" });
      const { id, outs } = await certs.create({
        device,
        idPrefix: "lost",
        pem: { certificate: leaf.certPem, privateKey: leaf.keyPem },
      });
      assert.equal(camera.listCertificates().filter((c) => c.id === id).length, 1);
      assert.equal(camera.counters().requestsByOperation.LoadCertificateWithPrivateKey, 1, "not sent twice");
      await certs.delete(id, outs);
    });

    it("binds HTTPS read-modify-write, sees a rebinding by hand, and restores what it found", async () => {
      const leaf = await makeLeaf(siteCa, "https-cam");
      const cert = await certs.create({
        device,
        idPrefix: "https",
        pem: { certificate: leaf.certPem, privateKey: leaf.keyPem },
      });
      const original = camera.getWebServerTls();
      const inputs = { device, certificateId: cert.id, policy: "Https" as const };
      const binding = await bindings.create(inputs);
      assert.equal(camera.getWebServerTls().certificateId, cert.id);
      assert.deepEqual(
        camera.getWebServerTls().ciphers,
        original.ciphers,
        "ciphers kept as the camera had them",
      );
      assert.equal(camera.servedHttpsFingerprint(), cert.outs.fingerprintSha256.replace(/:/g, ""));
      assert.equal((await bindings.diff(binding.id, binding.outs, inputs)).changes, false);
      // Drift: someone rebinds HTTPS by hand.
      camera.rebindHttps(original.certificateId);
      const read = await bindings.read(binding.id, binding.outs);
      const diff = await bindings.diff(binding.id, read.props, inputs);
      assert.deepEqual(diff, { changes: true, replaces: [] });
      await bindings.update(binding.id, read.props, inputs);
      assert.equal(camera.getWebServerTls().certificateId, cert.id);
      await bindings.delete(binding.id, binding.outs);
      assert.equal(camera.getWebServerTls().certificateId, original.certificateId);
      await certs.delete(cert.id, cert.outs);
    });

    it("replaces the certificate HTTPS serves with HTTPS served throughout", async () => {
      const first = await makeLeaf(siteCa, "gen1");
      const second = await makeLeaf(siteCa, "gen2");
      const old = await certs.create({
        device,
        idPrefix: "rot",
        pem: { certificate: first.certPem, privateKey: first.keyPem },
      });
      const binding = await bindings.create({ device, certificateId: old.id });
      // Deleting the bound certificate first is refused: HTTPS is never left without one.
      await assert.rejects(certs.delete(old.id, old.outs), /AXIS_SOAP_FAULT|SOAP/);
      const fresh = await certs.create({
        device,
        idPrefix: "rot",
        pem: { certificate: second.certPem, privateKey: second.keyPem },
      });
      await bindings.update(binding.id, binding.outs, { device, certificateId: fresh.id });
      await certs.delete(old.id, old.outs);
      assert.equal(camera.servedHttpsFingerprint(), fresh.outs.fingerprintSha256.replace(/:/g, ""));
      await bindings.delete(binding.id, { ...binding.outs, certificateId: fresh.id });
      await certs.delete(fresh.id, fresh.outs);
    });

    it("configures 802.1X, sees it changed by hand, and restores on delete", async () => {
      const ca = await cas.create({ device, idPrefix: "radius", certificate: siteCa.certPem });
      const client = await certs.create({
        device,
        idPrefix: "d",
        exactId: "cam-dot1x",
        selfSigned: { subject: { commonName: "cam-dot1x" } },
      });
      const inputs = {
        device,
        identity: "cam-dot1x",
        clientCertificateId: client.id,
        clientCertificatePem: client.outs.certificatePem,
        caCertificateIds: [ca.id],
      };
      assert.deepEqual((await dot1x.check({}, inputs)).failures, []);
      const made = await dot1x.create(inputs);
      assert.equal(camera.getDot1x().identity, "cam-dot1x");
      camera.setDot1x({ identity: "someone-else" });
      const read = await dot1x.read(made.id, made.outs);
      assert.deepEqual(await dot1x.diff(made.id, read.props, inputs), { changes: true, replaces: [] });
      await dot1x.update(made.id, read.props, inputs);
      assert.equal(camera.getDot1x().identity, "cam-dot1x");
      await dot1x.delete(made.id, made.outs);
      const caRead = await cas.read(ca.id, ca.outs);
      assert.equal(caRead.id, ca.id);
    });
  });
});
