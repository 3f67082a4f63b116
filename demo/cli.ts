import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../test/support/paths";
import type { DemoSite } from "./site";
import { siteConfig } from "./site";

/** Whether a Pulumi CLI can be run here. */
export function pulumiCliOnPath(): boolean {
  return spawnSync("pulumi", ["version"], { stdio: "ignore" }).status === 0;
}

/**
 * The demo journey with the real CLI: a local file backend and passphrase secrets in .pulumi-demo/, the
 * stack's config in a file of its own so the committed Pulumi.demo.yaml stays as it is.
 * (Our CI machines have no CLI; this path runs on users' machines.)
 */
export async function runWithPulumiCli(site: DemoSite): Promise<void> {
  const work = join(repoRoot, ".pulumi-demo");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, "backend"), { recursive: true });
  const configFile = join(work, "Pulumi.demo.yaml");
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${join(work, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: "demo passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  const pulumi = (args: string[], opts: { json?: boolean; allowFail?: boolean } = {}) => {
    console.log(`\n$ pulumi ${args.join(" ")}`);
    const r = spawnSync("pulumi", [...args, "--non-interactive"], {
      cwd: repoRoot,
      env,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (!opts.json) process.stdout.write(r.stdout ?? "");
    process.stderr.write(r.stderr ?? "");
    if (r.status !== 0 && !opts.allowFail) throw new Error(`pulumi ${args[0]} exited ${r.status}`);
    return r;
  };
  const withConfig = (args: string[]) => [...args, "--config-file", configFile];

  pulumi(["stack", "init", "demo"]);
  for (const [key, v] of Object.entries(siteConfig(site))) {
    const value = typeof v === "string" ? v : v.value;
    const secret = typeof v !== "string" && v.secret;
    // Flags first: everything after "--" is the value, which may start with "-----BEGIN".
    pulumi([
      "config",
      "set",
      "--config-file",
      configFile,
      secret ? "--secret" : "--plaintext",
      key,
      "--",
      value,
    ]);
  }
  pulumi(withConfig(["preview", "--diff"]));
  pulumi(withConfig(["up", "--yes", "--skip-preview"]));
  pulumi(withConfig(["preview", "--expect-no-changes"]));

  site.cameras[0].deleteCertificate("cam1-dot1x");
  const factory = site.cameras[1]
    .listCertificates()
    .find((c) => c.id.startsWith("Default self-signed HTTPS"));
  if (factory) site.cameras[1].rebindHttps(factory.id);
  await site.sps.replaceWebCertificate();
  console.log(
    "\nDrift made: cam1's 802.1X certificate deleted, cam2's HTTPS rebound, the SPS web certificate replaced.",
  );

  const drift = pulumi(withConfig(["preview", "--refresh", "--json"]), { json: true });
  const plan = JSON.parse(drift.stdout) as { steps?: Array<{ op: string; urn: string }> };
  const changedNames = (plan.steps ?? [])
    .filter((s) => s.op !== "same" && s.op !== "refresh" && !s.urn.includes("pulumi:pulumi:Stack"))
    .map((s) => s.urn.split("::").pop())
    .sort();
  const unique = [...new Set(changedNames)];
  console.log(`planned changes: ${unique.join(", ")}`);
  if (JSON.stringify(unique) !== JSON.stringify(["cam1-dot1x-cert", "cam2-https-binding", "sps-web"])) {
    throw new Error("the refreshed preview does not show exactly the three drifted resources");
  }
  pulumi(withConfig(["up", "--yes", "--skip-preview"]));
  pulumi(withConfig(["preview", "--refresh", "--expect-no-changes"]));
  pulumi(withConfig(["destroy", "--yes", "--skip-preview"]));
  pulumi(["stack", "rm", "demo", "--yes"]);
}
