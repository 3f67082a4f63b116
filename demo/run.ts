/**
 * `npm run demo`: the site stack on embedded simulators, from an empty state through drift and repair to
 * destroy, with every step checked. Exits non-zero on the first step that is not as expected.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Engine } from "../test/engine/engine";
import { repoRoot } from "../test/support/paths";
import { pulumiCliOnPath, runWithPulumiCli } from "./cli";
import { DemoFailure, journey, startSite, stopSite } from "./journey";
import { siteConfig } from "./site";

async function main(): Promise<void> {
  const started = Date.now();
  const site = await startSite();
  try {
    if (pulumiCliOnPath()) {
      console.log(
        "A pulumi CLI is on PATH: running the site program with it (local file backend, passphrase secrets).",
      );
      await runWithPulumiCli(site);
    } else {
      console.log(
        "No pulumi CLI on PATH: running the site program through Pulumi's real dynamic-provider plugin with the engine harness (test/engine).",
      );
      const workDir = join(repoRoot, ".pulumi-demo");
      rmSync(workDir, { recursive: true, force: true });
      const engine = await Engine.open({
        program: join(repoRoot, "dist", "examples", "site", "index.js"),
        project: "site",
        stack: "demo",
        statePath: join(workDir, "demo.json"),
        passphrase: "demo passphrase",
        pluginCwd: repoRoot,
        config: siteConfig(site),
        kdfIterations: 10_000,
      });
      try {
        await journey(site, engine);
      } finally {
        await engine.close();
      }
    }
    console.log(
      `\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s: every step as expected.`,
    );
  } finally {
    await stopSite(site);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`\nDEMO FAILED: ${err instanceof DemoFailure ? err.message : (err.stack ?? err.message)}`);
    process.exit(1);
  },
);
