import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { journey, setLog, startSite, stopSite } from "../../demo/journey";
import type { DemoSite } from "../../demo/site";
import { siteConfig } from "../../demo/site";
import { Engine } from "./engine";
import { repoRoot } from "../support/paths";

/** Distinctive secrets, so finding one anywhere is a leak and nothing else. */
const CAMERA_PASSWORD = "sentinel-camera-password-7f3a91e0";
const OPERATOR_PASSWORD = "sentinel-operator-password-c2d8e4b5";

describe("the site stack through the real plugin: the demo journey with sentinel secrets", function () {
  this.timeout(240_000);
  let site: DemoSite;
  let engine: Engine;
  let work: string;
  const log: string[] = [];
  const states: Record<string, string> = {};

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "site-journey-"));
    site = await startSite({ cameraPassword: CAMERA_PASSWORD, operatorPassword: OPERATOR_PASSWORD });
    engine = await Engine.open({
      program: join(repoRoot, "dist", "examples", "site", "index.js"),
      project: "site",
      stack: "journey",
      statePath: join(work, "state.json"),
      passphrase: "journey passphrase",
      pluginCwd: repoRoot,
      config: siteConfig(site),
      kdfIterations: 10_000,
    });
    setLog((line) => log.push(line));
  });
  after(async () => {
    setLog((line) => console.log(line));
    await engine.close();
    await stopSite(site);
    rmSync(work, { recursive: true, force: true });
  });

  it("goes preview → up → no-op up → drift → preview --refresh → repair → destroy, as the demo does", async () => {
    await journey(site, engine, (step) => {
      try {
        states[step] = readFileSync(join(work, "state.json"), "utf8");
      } catch {
        states[step] = "";
      }
    });
    assert.ok(log.some((l) => l.includes("exactly the three drifted resources")));
  });

  it("keeps every serialized provider small", () => {
    const sizes = Object.values(engine.providerSizes());
    // After destroy the state is empty; the sizes were recorded from the last saved state that had resources.
    const upState = JSON.parse(states["up"]) as {
      checkpoint: { latest: { resources: Array<{ inputs: Record<string, unknown> }> } };
    };
    const providers = upState.checkpoint.latest.resources
      .map((r) => r.inputs.__provider)
      .filter((p): p is string => typeof p === "string");
    assert.ok(providers.length >= 17);
    for (const text of providers) assert.ok(text.length < 1024, `__provider is ${text.length} bytes`);
    assert.ok(
      Math.max(...providers.map((p) => p.length)) < 8 * 1024,
      "a few KB: the provider loads the package by name",
    );
    assert.ok(sizes.every((n) => n < 64 * 1024));
  });

  it("never shows a secret in plaintext: state at every step, plugin output, plans and outputs", () => {
    const secrets = [
      CAMERA_PASSWORD,
      OPERATOR_PASSWORD,
      site.sps.password,
      ...site.siteCa.keyPem.split("\n").filter((l) => l.length > 40),
    ];
    const states_ = Object.entries(states).filter(([, text]) => text);
    assert.ok(
      states_.length >= 5,
      `state was saved along the way (${Object.entries(states)
        .map(([k, v]) => `${k}:${v.length}`)
        .join(", ")})`,
    );
    const places: Array<[string, string]> = [
      ...states_.map(([step, text]): [string, string] => [`state after ${step}`, text]),
      ["plugin stdout", engine.pluginOutput().stdout],
      ["plugin stderr", engine.pluginOutput().stderr],
      ["plans", log.join("\n")],
    ];
    for (const [where, text] of places) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret appears in ${where}`);
    }
    // Secrets are there, but only as ciphertext envelopes.
    assert.match(
      states["up"],
      /"4dabf18193072939515e22adb298388d":\s*"1b47061264138c4ac30d75fd1eb44270",\s*"ciphertext"/,
    );
  });
});
