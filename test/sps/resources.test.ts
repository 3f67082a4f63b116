import assert from "node:assert/strict";
import { SpsCsrProvider } from "../../provider/sps/csr";
import type { SpsCsrOutputs } from "../../provider/sps/csr";
import { SpsPasswordProvider } from "../../provider/sps/password";
import type { SpsPasswordOutputs } from "../../provider/sps/password";
import { SpsX509Provider } from "../../provider/sps/x509";
import type { SpsX509Outputs } from "../../provider/sps/x509";
import { DeviceHttp } from "../../provider/transport/http";
import { SpsSimulator } from "../../simulators/sps";
import { makeCa, makeLeaf } from "../support/pki";
import type { Issued } from "../support/pki";

const serverExtensions = [
  { name: "extendedKeyUsage" as const, value: "serverAuth", critical: false },
  { name: "subjectAltName" as const, value: "DNS:localhost,IP:127.0.0.1", critical: false },
];

describe("SPS resources against the appliance simulator", function () {
  let sps: SpsSimulator;
  let device: { url: string; username: string; password: string; tls: { caCertificate: string } };
  let siteCa: Issued;
  let rsaCa: Issued;
  const passwords = new SpsPasswordProvider();
  const x509s = new SpsX509Provider();
  const csrs = new SpsCsrProvider();

  before(async () => {
    sps = await SpsSimulator.start();
    siteCa = await makeCa("SPS site CA");
    rsaCa = await makeCa("SPS RSA CA", { rsa: true });
    device = {
      url: sps.url,
      username: sps.username,
      password: sps.password,
      tls: { caCertificate: sps.caCertificatePem + "\n" + siteCa.certPem + "\n" + rsaCa.certPem },
    };
  });
  after(async () => {
    await DeviceHttp.closeAll();
    await sps.stop();
  });
  beforeEach(() => sps.resetCounters());

  // Bad input is covered by the matrix in test/reliability/badInputs.test.ts.

  describe("SpsPassword", () => {
    it("creates a password and a local user in one transaction, sees the reference moved, and replaces", async () => {
      const inputs = { device, localUser: "operator1", plain: "first secret", removeUserOnDelete: true };
      const { id, outs } = await passwords.create(inputs);
      assert.equal(sps.counters().commits, 1);
      const user = sps.getCommitted().users.find((u) => u.name === "operator1");
      assert.equal(user?.password, id);
      assert.ok(!JSON.stringify(outs).includes("first secret"), "no password in outputs");
      assert.deepEqual(await passwords.diff(id, outs as SpsPasswordOutputs, inputs), {
        changes: false,
        replaces: [],
      });
      assert.deepEqual(
        (await passwords.diff(id, outs as SpsPasswordOutputs, { ...inputs, plain: "second" })).replaces,
        ["plain"],
      );
      // Drift: someone points the user at another password by hand.
      await sps.moveReference("user:operator1");
      const read = await passwords.read(id, outs as SpsPasswordOutputs);
      assert.deepEqual((await passwords.diff(id, read.props as SpsPasswordOutputs, inputs)).replaces, [
        "referencedKey",
      ]);
      // The replacement makes a new object and moves the reference back; deleting the old one changes nothing.
      const fresh = await passwords.create(inputs);
      await passwords.delete(id, outs as SpsPasswordOutputs);
      assert.equal(sps.getCommitted().users.find((u) => u.name === "operator1")?.password, fresh.id);
      // Deleting the current one removes the user, as removeUserOnDelete asks.
      await passwords.delete(fresh.id, fresh.outs as SpsPasswordOutputs);
      assert.equal(
        sps.getCommitted().users.find((u) => u.name === "operator1"),
        undefined,
      );
    });

    it("sets the root password", async () => {
      const { id } = await passwords.create({
        device,
        rootPassword: true as const,
        hash: "$6$rounds=5000$If20/EFyQ4dW3dg/$xrECLfXgZlC2Xr1s257E2aZen42fM7R.sOGG9pkPy1x5ORTx6j03oPWexVlB3f5wnaZOQCBF.NjlDgyg2WEe./",
      });
      assert.equal(sps.getCommitted().rootPassword, id);
    });

    it("leaves nothing behind when the commit fails", async () => {
      const before = sps.getCommitted();
      sps.injectFault("commit", { kind: "commitFailure" });
      await assert.rejects(
        passwords.create({ device, localUser: "ghost", plain: "x" }),
        /SemanticError|commit/,
      );
      const after = sps.getCommitted();
      assert.deepEqual(after.users, before.users);
      assert.deepEqual(after.passwords, before.passwords);
    });
  });

  describe("SpsX509", () => {
    it("uploads a certificate, makes it the web certificate, and sees it replaced by hand", async () => {
      const leaf = await makeLeaf(rsaCa, "sps-web", { rsa: true });
      const inputs = {
        device,
        certificate: leaf.certPem,
        privateKey: leaf.keyPem,
        issuerChain: rsaCa.certPem,
        usage: "server" as const,
      };
      const { id, outs } = await x509s.create(inputs);
      assert.equal(sps.getCommitted().certificates.server, id);
      assert.equal(sps.servedCertificateSha256, (outs as SpsX509Outputs).fingerprintSha256);
      assert.ok(!JSON.stringify(outs).includes(leaf.keyPem.split("\n")[1]), "no private key in outputs");
      const read = await x509s.read(id, outs as SpsX509Outputs);
      assert.deepEqual(await x509s.diff(id, read.props as SpsX509Outputs, inputs), {
        changes: false,
        replaces: [],
      });
      await sps.replaceWebCertificate();
      const drifted = await x509s.read(id, outs as SpsX509Outputs);
      assert.deepEqual((await x509s.diff(id, drifted.props as SpsX509Outputs, inputs)).replaces, [
        "referencedKey",
      ]);
    });
  });

  describe("SpsCsr", () => {
    it("makes the key on the appliance, signs with the example CA, and serves it as the web certificate", async () => {
      const inputs = {
        device,
        subject: [{ name: "commonName", value: "sps.site.example" }],
        extensions: serverExtensions,
        localCa: { certificate: siteCa.certPem, privateKey: siteCa.keyPem },
        usage: "server" as const,
      };
      const { id, outs } = await csrs.create(inputs);
      const o = outs as SpsCsrOutputs;
      assert.match(o.csrPem, /BEGIN CERTIFICATE REQUEST/);
      assert.ok(o.x509Key);
      assert.equal(sps.getCommitted().certificates.server, o.x509Key);
      assert.equal(sps.servedCertificateSha256, o.fingerprintSha256);
      assert.ok(!JSON.stringify(outs).includes(siteCa.keyPem.split("\n")[1]), "no CA key in outputs");
      // Drift: web certificate replaced by hand.
      await sps.replaceWebCertificate();
      const read = await csrs.read(id, o);
      assert.deepEqual((await csrs.diff(id, read.props as SpsCsrOutputs, inputs)).replaces, [
        "referencedKey",
      ]);
      // Drift: CSR deleted on the appliance.
      sps.deleteCsr(id);
      assert.deepEqual(await csrs.read(id, o), {});
      await csrs.delete(id, o);
    });

    it("supports the two-step flow: CSR first, the chain from a CA later as an update", async () => {
      const inputs = {
        device,
        subject: [{ name: "commonName", value: "tsa.site.example" }],
        extensions: serverExtensions,
      };
      const { id, outs } = await csrs.create(inputs);
      assert.equal((outs as SpsCsrOutputs).x509Key, undefined);
      const chain = (await sps.signCsr((outs as SpsCsrOutputs).csrPem)).join("");
      const withChain = { ...inputs, certificateChain: chain, trustStore: null, usage: "tsa" as const };
      assert.deepEqual(await csrs.diff(id, outs as SpsCsrOutputs, withChain), {
        changes: true,
        replaces: [],
      });
      const updated = await csrs.update(id, outs as SpsCsrOutputs, withChain);
      const key = (updated.outs as SpsCsrOutputs).x509Key;
      assert.ok(key);
      assert.equal(sps.getCommitted().certificates.tsa, key);
    });

    it("removes its CSR when the chain cannot be set (create is all or nothing)", async () => {
      const stranger = await makeLeaf(siteCa, "not-for-this-csr");
      const before = sps.getCommitted().csrs.length;
      await assert.rejects(
        csrs.create({
          device,
          subject: [{ name: "commonName", value: "x" }],
          certificateChain: stranger.certPem + siteCa.certPem,
          trustStore: null,
        }),
        /SemanticError|NoMatchingCsrFound|not/,
      );
      assert.equal(sps.getCommitted().csrs.length, before);
    });
  });
});
