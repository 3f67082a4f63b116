import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository root, whether running from dist/test or test. */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) dir = resolve(dir, "..");
  return dir;
})();

/** The recorded AXIS OS 12.11 responses, beside the repository (shared/) as the project lays them out. */
export const fixturesDir =
  [
    join(repoRoot, "test", "fixtures", "axis-os-12.11"),
    join(repoRoot, "..", "shared", "fixtures", "axis-os-12.11"),
  ].find(existsSync) ?? "";
