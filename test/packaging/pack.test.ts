import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AxisSimulator } from "../../simulators/axis";
import { Engine } from "../engine/engine";
import { repoRoot } from "../support/paths";
import { makeCa, makeLeaf } from "../support/pki";

/** The consumer's program, as a user would write it against the installed package. */
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { AxisCertificate, AxisHttpsBinding } = require("pulumi-axis-sps");
module.exports = () => {
  const config = new pulumi.Config();
  const device = {
    url: config.require("url"),
    username: config.require("username"),
    password: config.requireSecret("password"),
    tls: { caCertificate: config.require("caCertificate") },
  };
  const cert = new AxisCertificate("lobby-https", {
    device,
    pem: { certificate: config.require("certificatePem"), privateKey: config.requireSecret("privateKeyPem") },
    renewBeforeDays: 30,
  });
  const binding = new AxisHttpsBinding("lobby-binding", { device, certificateId: cert.certificateId, policy: "Https" });
  return { certificateId: cert.certificateId, fingerprint: cert.fingerprintSha256, serves: binding.certificateId };
};
`;

describe("packaging: npm pack, installed into a fresh project, driven through the plugin from there", function () {
  this.timeout(300_000);
  let work: string;
  let tarball: string;
  let packed: string[];

  before(() => {
    work = mkdtempSync(join(tmpdir(), "pulumi-axis-sps-consumer-"));
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(work, info.filename.replace(/^@.*\//, ""));
    packed = info.files.map((f) => f.path);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("packs only what users need", () => {
    const files = packed;
    assert.ok(files.includes("package.json") && files.includes("README.md"));
    assert.ok(
      files.includes("dist/provider/index.js") && files.includes("dist/provider/axis/certificate.js"),
    );
    assert.ok(files.includes("dist/simulators/index.js"), "the simulators ship, for offline stack tests");
    const stray = files.filter(
      (f) => !/^(package\.json|README\.md|LICENSE|dist\/(provider|simulators)\/)/.test(f),
    );
    assert.deepEqual(stray, [], "nothing but the package itself");
    assert.ok(
      !files.some((f) => f.startsWith("dist/test/") || (f.endsWith(".ts") && !f.endsWith(".d.ts"))),
      "no tests, no sources",
    );
  });

  it("runs preview, up, a no-op up and destroy from the installed package", async () => {
    const project = join(work, "consumer");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, version: "1.0.0" }),
    );
    writeFileSync(join(project, "index.js"), PROGRAM);
    const pulumiVersion = (
      JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      }
    ).dependencies["@pulumi/pulumi"];
    execFileSync(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--loglevel=error",
        tarball,
        `@pulumi/pulumi@${pulumiVersion}`,
      ],
      {
        cwd: project,
        stdio: "inherit",
      },
    );

    const camera = await AxisSimulator.start();
    const siteCa = await makeCa("Packaging CA");
    const leaf = await makeLeaf(siteCa, "lobby");
    const engine = await Engine.open({
      program: join(project, "index.js"),
      project: "consumer",
      stack: "dev",
      statePath: join(work, "state.json"),
      passphrase: "packaging",
      pluginCwd: project,
      pulumiDir: join(project, "node_modules", "@pulumi", "pulumi"),
      selfLinkPackage: false,
      kdfIterations: 10_000,
      config: {
        url: camera.httpsUrl,
        username: camera.username,
        password: { value: camera.password, secret: true },
        caCertificate: `${camera.caCertificatePem}\n${siteCa.certPem}`,
        certificatePem: leaf.certPem,
        privateKeyPem: { value: leaf.keyPem, secret: true },
      },
    });
    try {
      const original = camera.getWebServerTls().certificateId;
      const preview = await engine.preview();
      assert.equal(preview.resources.filter((r) => r.custom && r.op === "create").length, 2);
      const up = await engine.up();
      assert.equal(up.failed, 0, up.errors.join("\n"));
      assert.equal(camera.getWebServerTls().certificateId, up.outputs.certificateId);
      // The serialized provider names the installed package, not a path in this repository.
      for (const [, size] of Object.entries(engine.providerSizes())) assert.ok(size < 64 * 1024);
      const state = readFileSync(join(work, "state.json"), "utf8");
      assert.ok(state.includes("pulumi-axis-sps/dist/provider/axis/certificate"));
      assert.ok(!state.includes(repoRoot), "no path of the source tree in state");
      assert.ok(
        !state.includes(camera.password) && !state.includes(leaf.keyPem.split("\n")[1]),
        "no plaintext secret in state",
      );
      const again = await engine.up();
      assert.equal(again.resources.filter((r) => r.custom && r.op !== "same").length, 0);
      const destroy = await engine.destroy();
      assert.equal(destroy.failed, 0, destroy.errors.join("\n"));
      assert.equal(camera.getWebServerTls().certificateId, original);
    } finally {
      await engine.close();
      await camera.stop();
    }
  });
});
