import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AxisSimulator } from "../../simulators/axis";
import { repoRoot } from "../support/paths";
import type { Issued } from "../support/pki";
import { makeCa } from "../support/pki";
import type { ConfigValue, EngineOptions } from "./engine";
import { Engine } from "./engine";

describe("engine harness: devices named in the stack config (pulumi-axis-sps:devices)", function () {
  this.timeout(60_000);
  let camera: AxisSimulator;
  let siteCa: Issued;
  let dir: string;
  let options: EngineOptions;
  let engine: Engine;

  const devicesConfig = (name: string): ConfigValue => ({
    value: JSON.stringify({
      [name]: {
        url: camera.httpsUrl,
        username: camera.username,
        password: camera.password,
        tls: { caCertificate: camera.caCertificatePem },
      },
    }),
    secret: true,
  });

  before(async () => {
    camera = await AxisSimulator.start();
    siteCa = await makeCa("Named device CA");
    dir = mkdtempSync(join(tmpdir(), "named-devices-"));
    options = {
      program: join(__dirname, "programs", "namedDevice.js"),
      project: "cameras",
      stack: "named",
      statePath: join(dir, "state.json"),
      passphrase: "named devices passphrase",
      pluginCwd: repoRoot,
      config: {
        "pulumi-axis-sps:devices": devicesConfig("lobby"),
        deviceName: "lobby",
        caCertificate: siteCa.certPem,
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

  it("up creates through the named connection; state keeps the name, not the credentials or the trust", async () => {
    const result = await engine.up();
    assert.deepEqual(
      result.resources
        .filter((r) => r.op === "create" && r.custom)
        .map((r) => r.urn.split("::").pop())
        .sort(),
      ["onboard", "site-ca"],
    );
    assert.ok(camera.listCertificates().some((c) => c.id === result.outputs.onboardId));
    assert.equal(result.outputs.deviceUrl, new URL(camera.httpsUrl).origin);
    const text = readFileSync(options.statePath, "utf8");
    assert.ok(!text.includes(camera.password), "device password in state");
    const caBody = camera.caCertificatePem.replace(/-----[^-]+-----|\s/g, "").slice(0, 64);
    assert.ok(!text.includes(caBody), "the device's trust bundle in state");
    const state = engine.readState()!;
    for (const r of state.checkpoint.latest.resources.filter((x) => x.custom))
      assert.equal(r.inputs.device, "lobby");
  });

  it("a second up sends nothing to the camera: the config is not state, so it makes no diff", async () => {
    const result = await engine.up();
    assert.deepEqual(
      result.resources.filter((r) => r.op !== "same"),
      [],
    );
    assert.equal(camera.counters().requests, 0);
  });

  it("a name missing from the config fails preview at check, naming device, with nothing sent", async () => {
    const wrong = await Engine.open({ ...options, config: { ...options.config, deviceName: "lobbby" } });
    try {
      await assert.rejects(wrong.preview(), (err: Error) => {
        assert.match(
          err.message,
          /device: no connection named "lobbby" in the stack config \(pulumi-axis-sps:devices\.lobbby\)/,
        );
        return true;
      });
    } finally {
      await wrong.close();
    }
    assert.equal(camera.counters().requests, 0);
  });

  it("an invalid named connection is reported at check with the config path and no secret", async () => {
    const broken = await Engine.open({
      ...options,
      config: {
        ...options.config,
        "pulumi-axis-sps:devices": {
          value: JSON.stringify({
            lobby: { url: "ftp://camera", username: "root", password: "sentinel-pw-1234" },
          }),
          secret: true,
        },
      },
    });
    try {
      await assert.rejects(broken.preview(), (err: Error) => {
        assert.match(err.message, /pulumi-axis-sps:devices\.lobby in the stack config is invalid: url: /);
        assert.ok(!err.message.includes("sentinel-pw-1234"));
        return true;
      });
    } finally {
      await broken.close();
    }
    assert.equal(camera.counters().requests, 0);
  });

  it("destroy reaches the camera through the config and removes what was made", async () => {
    const before = engine
      .readState()!
      .checkpoint.latest.resources.filter((r) => r.custom)
      .map((r) => r.id!);
    await engine.destroy();
    const left = [...camera.listCertificates(), ...camera.listCaCertificates()].map((c) => c.id);
    for (const id of before) assert.ok(!left.includes(id), `${id} left on the camera`);
  });
});
