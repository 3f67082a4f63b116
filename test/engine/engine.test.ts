import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AxisSimulator } from "../../simulators/axis";
import { repoRoot } from "../support/paths";
import type { Issued } from "../support/pki";
import { makeCa, makeLeaf } from "../support/pki";
import type { EngineOptions, OperationResult, ResourceChange } from "./engine";
import { Engine, EngineRunError } from "./engine";
import { SECRET_SIG, SIG_KEY } from "./secrets";

const CERT = "pulumi-nodejs:dynamic/axis:Certificate";
const BINDING = "pulumi-nodejs:dynamic/axis:HttpsBinding";
const urnOf = (type: string, name: string) => `urn:pulumi:dev::cameras::${type}::${name}`;
const SITE = urnOf(CERT, "site");
const ONBOARD = urnOf(CERT, "onboard");
const HTTPS = urnOf(BINDING, "https");

function op(result: OperationResult, urn: string): ResourceChange {
  const change = result.resources.find((r) => r.urn === urn);
  assert.ok(change, `no step for ${urn} in\n${result.format()}`);
  return change;
}

/** Runs an operation; a failure shows the plan it got to. */
async function run(p: Promise<OperationResult>): Promise<OperationResult> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof EngineRunError) assert.fail(`${err.message}\n\n${err.result.format()}`);
    throw err;
  }
}

/** Device calls that change something (reads are allowed, e.g. refresh). */
function mutatingCalls(camera: AxisSimulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(camera.counters().requestsByOperation).filter(([name]) => !/^(Get|List)/.test(name)),
  );
}

describe("engine harness: a real program through the real dynamic-provider plugin", function () {
  this.timeout(60_000);
  let camera: AxisSimulator;
  let siteCa: Issued;
  let leaf: Issued;
  let dir: string;
  let options: EngineOptions;
  let engine: Engine;
  let defaultHttpsId: string;
  let initialCertificates: string[];

  before(async () => {
    camera = await AxisSimulator.start({ latencyMs: 40 });
    siteCa = await makeCa("Site CA");
    leaf = await makeLeaf(siteCa, "camera.site.test");
    defaultHttpsId = camera.getWebServerTls().certificateId;
    initialCertificates = camera
      .listCertificates()
      .map((c) => c.id)
      .sort();
    dir = mkdtempSync(join(tmpdir(), "engine-test-"));
    options = {
      program: join(__dirname, "programs", "axisHttps.js"),
      project: "cameras",
      stack: "dev",
      statePath: join(dir, "state.json"),
      passphrase: "correct horse battery staple",
      pluginCwd: repoRoot,
      config: {
        url: camera.httpsUrl,
        username: camera.username,
        password: { value: camera.password, secret: true },
        caCertificate: `${camera.caCertificatePem}\n${siteCa.certPem}`,
        certificatePem: leaf.certPem,
        privateKeyPem: { value: leaf.keyPem, secret: true },
        onboard: "true",
      },
    };
    engine = await Engine.open(options);
  });

  after(async () => {
    await engine?.close();
    await camera?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => camera.resetCounters());

  it("preview on empty state plans every create and changes nothing", async () => {
    const plan = await run(engine.preview());
    assert.deepEqual(plan.resources.map((r) => [r.name, r.op]).sort(), [
      ["cameras-dev", "create"],
      ["https", "create"],
      ["onboard", "create"],
      ["site", "create"],
    ]);
    assert.match(plan.format(), /Resources: 4 to create/);
    assert.match(plan.format(), / \+ {3}pulumi-nodejs:dynamic\/axis:HttpsBinding\s+https\s+create/);
    assert.deepEqual(mutatingCalls(camera), {});
    assert.deepEqual(
      camera
        .listCertificates()
        .map((c) => c.id)
        .sort(),
      initialCertificates,
    );
    assert.equal(engine.readState(), undefined, "a preview writes no state");
  });

  it("up creates the certificates, binds HTTPS, and steps independent resources concurrently", async () => {
    const result = await run(engine.up());
    for (const urn of [SITE, ONBOARD, HTTPS]) assert.equal(op(result, urn).op, "create");
    const siteId = result.outputs.siteCertificateId as string;
    assert.match(siteId, /^site-/);
    const onDevice = camera.listCertificates().map((c) => c.id);
    assert.ok(onDevice.includes(siteId) && onDevice.includes(result.outputs.onboardCertificateId as string));
    assert.equal(camera.getWebServerTls().certificateId, siteId);
    // site and onboard do not depend on each other: their creates overlap; https waits for site.
    const [site, onboard, https] = [op(result, SITE), op(result, ONBOARD), op(result, HTTPS)];
    assert.ok(
      site.startedAt! < onboard.endedAt! && onboard.startedAt! < site.endedAt!,
      "independent creates overlap",
    );
    assert.ok(https.startedAt! >= site.endedAt!, "the binding waits for its certificate");
    const saved = engine.readState()!.checkpoint.latest.resources.find((r) => r.urn === HTTPS)!;
    assert.deepEqual(saved.dependencies, [SITE]);
  });

  it("a second up is a no-op: no perpetual diff, nothing sent to the device", async () => {
    const result = await run(engine.up());
    assert.deepEqual(
      result.resources.filter((r) => r.op !== "same"),
      [],
    );
    assert.match(result.format(), /Resources: 4 unchanged/);
    assert.deepEqual(mutatingCalls(camera), {});
  });

  it("a changed __provider alone is an update (no replace), after which up is a no-op again", async () => {
    await engine.close();
    const file = JSON.parse(readFileSync(options.statePath, "utf8"));
    const site = file.checkpoint.latest.resources.find((r: { urn: string }) => r.urn === SITE);
    site.inputs.__provider += "\n// serialized by an older release\n";
    site.outputs.__provider = site.inputs.__provider;
    writeFileSync(options.statePath, JSON.stringify(file));
    engine = await Engine.open(options);

    const first = await run(engine.up());
    const change = op(first, SITE);
    assert.equal(change.op, "update");
    assert.deepEqual(change.changedKeys, ["__provider"]);
    assert.deepEqual(change.replaceKeys, []);
    assert.equal(change.reasons.__provider, "provider code change");
    assert.equal(op(first, HTTPS).op, "same");
    assert.deepEqual(mutatingCalls(camera), {});
    const second = await run(engine.up());
    assert.deepEqual(
      second.resources.filter((r) => r.op !== "same"),
      [],
    );
  });

  it("saved state holds no plaintext secret, and __provider stays small", () => {
    const text = readFileSync(options.statePath, "utf8");
    assert.ok(!text.includes(camera.password), "device password in state");
    // The private scalar in every encoding it could leak in (the PEM's last line is public key bytes,
    // which the certificate legitimately carries).
    const d = Buffer.from(createPrivateKey(leaf.keyPem).export({ format: "jwk" }).d!, "base64url");
    const body = leaf.keyPem.replace(/-----[^-]+-----|\s/g, "");
    for (const leak of [
      leaf.keyPem,
      body,
      body.slice(0, 64),
      d.toString("base64url"),
      d.toString("base64"),
      d.toString("hex"),
    ]) {
      assert.ok(!text.includes(leak), "private key material in state");
    }
    const state = engine.readState()!;
    const site = state.checkpoint.latest.resources.find((r) => r.urn === SITE)!;
    for (const secret of [site.inputs.pem, site.inputs.device, site.outputs.device]) {
      const envelope = secret as Record<string, unknown>;
      assert.equal(envelope[SIG_KEY], SECRET_SIG);
      assert.match(String(envelope.ciphertext), /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
      assert.equal(envelope.value, undefined);
    }
    assert.match(state.checkpoint.latest.secrets_providers.state.salt, /^v1:/);
    const sizes = engine.providerSizes();
    assert.equal(Object.keys(sizes).length, 3);
    for (const [urn, size] of Object.entries(sizes))
      assert.ok(size < 1024, `${urn}: __provider is ${size} bytes`);
    const { stdout, stderr } = engine.pluginOutput();
    assert.ok(!`${stdout}${stderr}`.includes(camera.password), "device password in plugin output");
  });

  it("refresh drops a certificate deleted by hand; the next preview plans its create", async () => {
    const siteId = engine.resources().find((r) => r.urn === SITE)!.id!;
    assert.ok(camera.deleteCertificate(siteId));
    const writesBefore = engine.checkpointWrites;
    const refreshed = await run(engine.refresh());
    // The engine elides a refresh step's checkpoint write and writes the refreshed state once, at the end.
    assert.equal(engine.checkpointWrites - writesBefore, 1);
    assert.equal(op(refreshed, SITE).op, "delete");
    const https = op(refreshed, HTTPS);
    assert.equal(https.op, "refresh-drift");
    assert.ok(https.changedKeys.includes("certificateId"));
    assert.equal(op(refreshed, ONBOARD).op, "same");
    assert.equal(
      engine.resources().find((r) => r.urn === SITE),
      undefined,
    );
    assert.deepEqual(mutatingCalls(camera), {});

    camera.resetCounters();
    const plan = await run(engine.preview());
    assert.equal(op(plan, SITE).op, "create");
    const binding = op(plan, HTTPS);
    assert.equal(binding.op, "update");
    assert.equal(binding.reasons.certificateId, "drift");
    assert.match(plan.format(), /~certificateId \(drift\)/);
    assert.deepEqual(mutatingCalls(camera), {});
  });

  it("up repairs it: a new certificate, and the binding updated to it", async () => {
    const result = await run(engine.up());
    assert.equal(op(result, SITE).op, "create");
    assert.equal(op(result, HTTPS).op, "update");
    assert.equal(camera.getWebServerTls().certificateId, result.outputs.siteCertificateId);
    assert.equal(engine.resources().find((r) => r.urn === HTTPS)!.driftKeys, undefined);
  });

  it("preview --refresh reads the devices into a copy and plans against it", async () => {
    camera.rebindHttps(defaultHttpsId);
    const plan = await run(engine.preview({ refresh: true }));
    assert.equal(plan.refreshed?.find((r) => r.urn === HTTPS)?.op, "refresh-drift");
    assert.equal(op(plan, HTTPS).op, "update");
    assert.equal(op(plan, HTTPS).reasons.certificateId, "drift");
    assert.equal(engine.resources().find((r) => r.urn === HTTPS)!.driftKeys, undefined, "state untouched");
    const repaired = await run(engine.up()); // without refresh, state still says it is bound: nothing to do
    assert.equal(op(repaired, HTTPS).op, "same");
    camera.rebindHttps(repaired.outputs.siteCertificateId as string);
  });

  it("destroy removes what was made, dependents first, and restores the HTTPS binding", async () => {
    const result = await run(engine.destroy());
    assert.ok(result.resources.every((r) => r.op === "delete"));
    assert.ok(
      op(result, HTTPS).endedAt! <= op(result, SITE).startedAt!,
      "the binding goes before its certificate",
    );
    assert.deepEqual(
      camera
        .listCertificates()
        .map((c) => c.id)
        .sort(),
      initialCertificates,
    );
    assert.equal(camera.getWebServerTls().certificateId, defaultHttpsId);
    assert.deepEqual(engine.readState()!.checkpoint.latest.resources, []);
  });
});

describe("engine harness: a create that fails with ErrorResourceInitFailed", function () {
  this.timeout(30_000);
  let dir: string;
  let engine: Engine | undefined;
  const THING = "urn:pulumi:dev::things::pulumi-nodejs:dynamic/test:Thing::thing";

  before(() => (dir = mkdtempSync(join(tmpdir(), "engine-init-"))));
  after(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is recorded as partially created (id, outputs, initErrors) and finished by an update on the next up", async () => {
    engine = await Engine.open({
      program: join(__dirname, "programs", "initFailure.js"),
      project: "things",
      stack: "dev",
      statePath: join(dir, "state.json"),
      passphrase: "pw",
      pluginCwd: repoRoot,
      kdfIterations: 1000,
      config: { failInit: "true" },
    });
    const failure = await engine.up().then(
      () => assert.fail("up should fail"),
      (err: unknown) => err,
    );
    assert.ok(failure instanceof EngineRunError, String(failure));
    assert.match(failure.message, /did not come up/);
    assert.equal(op(failure.result, THING).error !== undefined, true);
    const saved = engine.resources().find((r) => r.urn === THING)!;
    assert.equal(saved.id, "thing-1");
    assert.deepEqual(saved.initErrors, ["not ready yet"]);
    assert.equal(saved.outputs.status, "half");
    assert.deepEqual(engine.readState()!.checkpoint.latest.pending_operations, []);

    // Inputs unchanged, diff says no changes: the init errors alone make it an update (step_generator.go).
    const next = await run(engine.up());
    assert.equal(op(next, THING).op, "update");
    assert.equal(op(next, THING).reasons["(initErrors)"], "init errors");
    assert.equal(next.outputs.status, "ready");
    assert.equal(engine.resources().find((r) => r.urn === THING)!.initErrors, undefined);
    assert.equal(op(await run(engine.up()), THING).op, "same");
    assert.equal(op(await run(engine.destroy()), THING).op, "delete");
  });
});
