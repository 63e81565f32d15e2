// Locates /work/shared (env PMXFORM_SHARED, else ../shared from the repo root) for fixture tests.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const sharedDir = process.env["PMXFORM_SHARED"] ?? join(repoRoot, "..", "shared");
export const fixturesDir = join(sharedDir, "fixtures", "pve-conf");
export const hasFixtures = existsSync(fixturesDir);
