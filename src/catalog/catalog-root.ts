// Where the app catalog shipped with pmxform lives: the `catalog/` directory next to package.json,
// found from this module whether it runs from src/ (tests), dist/src/ or the bundled dist/cli/.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The absolute path of the catalog directory, or undefined when this installation has none. */
export function catalogRoot(): string | undefined {
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
