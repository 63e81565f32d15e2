// Where the app catalog shipped with pmxform lives: the `catalog/` directory next to package.json,
// found from this module whether it runs from src/ (tests), dist/src/ or the bundled dist/cli/.
// PMXFORM_CATALOG_DIR replaces it (tests, a local catalog checkout). The one locator: catalog
// commands, init --app and `source = "catalog/<app>"` module calls (config/modules/source.ts) all ask here.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The absolute path of the catalog directory, or undefined when this installation has none. */
export function catalogRoot(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env["PMXFORM_CATALOG_DIR"]) return resolve(env["PMXFORM_CATALOG_DIR"]);
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "pmxform" && existsSync(join(dir, "catalog"))) return (cached = join(dir, "catalog"));
      } catch {
        // not our package.json: keep walking up
      }
    }
    dir = dirname(dir);
  }
  return undefined;
}
