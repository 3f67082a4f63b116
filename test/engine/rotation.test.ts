import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setLog, startSite, stopSite } from "../../demo/journey";
import type { DemoSite } from "../../demo/site";
import { siteConfig } from "../../demo/site";
import { probeTls } from "../reliability/support";
import { repoRoot } from "../support/paths";
import { Engine } from "./engine";
import type { EngineOptions } from "./engine";

describe("engine: replacing the certificates HTTPS serves, with HTTPS served throughout", function () {
  this.timeout(240_000);
  let site: DemoSite;
  let work: string;

  before(async () => {
    setLog(() => undefined);
    site = await startSite();
    work = mkdtempSync(join(tmpdir(), "rotation-"));
  });
  after(async () => {
    setLog((line) => console.log(line));
    await stopSite(site);
    rmSync(work, { recursive: true, force: true });
  });

  it("replaces every camera's HTTPS and 802.1X certificates in one up while a prober sees no failed handshake", async () => {
    const options = (validityDays: string): EngineOptions => ({
      program: join(repoRoot, "dist", "examples", "site", "index.js"),
      project: "site",
      stack: "rotation",
      statePath: join(work, "state.json"),
      passphrase: "rotation",
      pluginCwd: repoRoot,
      kdfIterations: 10_000,
      config: { ...siteConfig(site), certificateValidityDays: validityDays },
    });
    const first = await Engine.open(options("397"));
    try {
      assert.equal((await first.up()).failed, 0);
    } finally {
      await first.close();
    }
    const before = site.cameras.map((c) => c.getWebServerTls().certificateId);

    // Probe every camera's HTTPS every 25 ms against the trust the stack configured.
    const trust = site.cameras.map((c) => `${c.caCertificatePem}\n${site.siteCa.certPem}`);
    let probes = 0;
    const failures: string[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const results = await Promise.all(site.cameras.map((c, i) => probeTls(c.httpsUrl, trust[i])));
        probes += results.length;
        results.forEach((r, i) => r.ok || failures.push(`camera ${i}: ${r.error}`));
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    const second = await Engine.open(options("200"));
    try {
      const up = await second.up();
      assert.equal(up.failed, 0, up.errors.join("\n"));
      const replaced = up.resources
        .filter((r) => r.op === "replace")
        .map((r) => r.name)
        .sort();
      assert.deepEqual(replaced, [
        "cam1-dot1x-cert",
        "cam1-https",
        "cam2-dot1x-cert",
        "cam2-https",
        "cam3-dot1x-cert",
        "cam3-https",
      ]);
      assert.ok(up.resources.some((r) => r.name === "cam1-https-binding" && r.op === "update"));
    } finally {
      probing = false;
      await prober;
      await second.close();
    }
    assert.ok(probes > 20, `the prober ran (${probes} handshakes)`);
    assert.deepEqual(failures, [], "no handshake failed or presented an untrusted certificate");
    site.cameras.forEach((c, i) => {
      const now = c.getWebServerTls().certificateId;
      assert.notEqual(now, before[i], "HTTPS moved to the new certificate");
      assert.ok(!c.listCertificates().some((x) => x.id === before[i]), "the old certificate is gone");
    });
  });
});
