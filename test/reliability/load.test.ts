import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AxisSimulator } from "../../simulators/axis";
import { SpsSimulator } from "../../simulators/sps";
import type { FaultMatch } from "../../simulators/sps";
import { Engine } from "../engine/engine";
import { repoRoot } from "../support/paths";
import { makeCa } from "../support/pki";
import { findings } from "./matrix";

const CAMERAS = 10;
const USERS = 50;

describe("load: one appliance with fifty resources and ten cameras with four each, in one plugin process", function () {
  this.timeout(240_000);

  // Every operation in flight at once (as `--parallel 128` would have it), not the CLI's default of four
  // per CPU: the point is the most contention one appliance can meet, and with all of them asking at the
  // same moment the commit count is the same on every run, so docs/reliability.md reproduces exactly.
  it("all succeed with every operation in flight at once, with transactions serialized per appliance", async () => {
    const cameras = await Promise.all(
      Array.from({ length: CAMERAS }, () => AxisSimulator.start({ password: "load-camera", latencyMs: 5 })),
    );
    const sps = await SpsSimulator.start({ latencyMs: 5, commitMs: 20 });
    const siteCa = await makeCa("Load site CA");
    // Watch transactions open at once on the appliance: open raises the count, commit and rollback lower it.
    let open = 0;
    let maxOpen = 0;
    const watch: FaultMatch = (req) => {
      if (req.method === "POST" && req.path === "/api/transaction") maxOpen = Math.max(maxOpen, ++open);
      if ((req.method === "PUT" || req.method === "DELETE") && req.path === "/api/transaction")
        open = Math.max(0, open - 1);
      return false;
    };
    sps.injectFault(watch, { kind: "delayMs", ms: 0, times: Infinity });
    const work = mkdtempSync(join(tmpdir(), "load-"));
    const engine = await Engine.open({
      program: join(repoRoot, "dist", "test", "reliability", "programs", "load.js"),
      project: "load",
      stack: "load",
      statePath: join(work, "state.json"),
      passphrase: "load",
      pluginCwd: repoRoot,
      kdfIterations: 10_000,
      parallel: 128,
      config: {
        cameras: JSON.stringify(
          cameras.map((c) => ({ url: c.httpsUrl, username: c.username, caCertificate: c.caCertificatePem })),
        ),
        cameraPassword: { value: "load-camera", secret: true },
        siteCa: siteCa.certPem,
        siteCaKey: { value: siteCa.keyPem, secret: true },
        sps: JSON.stringify({ url: sps.url, username: sps.username, caCertificate: sps.caCertificatePem }),
        spsPassword: { value: sps.password, secret: true },
        users: String(USERS),
      },
    });
    try {
      const up = await engine.up();
      const created = up.resources.filter((r) => r.custom && r.op === "create" && !r.error).length;
      const lockErrors = up.errors.filter((e) => /LOCK|409/i.test(e)).length;
      const counters = sps.counters();
      findings.load.push({
        description: `${CAMERAS} cameras × 4 + 1 appliance × ${USERS}, up`,
        resources: CAMERAS * 4 + USERS,
        succeeded: created,
        lockErrors,
        commits: counters.commits,
        maxOpenTransactions: maxOpen,
      });
      assert.equal(up.failed, 0, up.errors.join("\n"));
      assert.equal(created, CAMERAS * 4 + USERS);
      assert.equal(lockErrors, 0);
      assert.equal(maxOpen, 1, "one transaction at a time on the appliance");
      assert.equal(sps.getCommitted().users.filter((u) => /^user\d+$/.test(u.name)).length, USERS);
      const destroy = await engine.destroy();
      findings.load.push({
        description: `the same, destroy`,
        resources: CAMERAS * 4 + USERS,
        succeeded: destroy.resources.filter((r) => r.custom && r.op === "delete" && !r.error).length,
        lockErrors: destroy.errors.filter((e) => /LOCK|409/i.test(e)).length,
        commits: sps.counters().commits - counters.commits,
        maxOpenTransactions: maxOpen,
      });
      assert.equal(destroy.failed, 0, destroy.errors.join("\n"));
    } finally {
      await engine.close();
      await Promise.all([...cameras.map((c) => c.stop()), sps.stop()]);
      rmSync(work, { recursive: true, force: true });
    }
  });
});
