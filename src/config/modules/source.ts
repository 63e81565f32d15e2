// Where a module call's `source` points: a directory relative to the calling module, or an app
// of the catalog shipped with pmxform (`catalog/<app>`, version-checked against its app.json).
// Where the catalog is (PMXFORM_CATALOG_DIR or the package's own) is catalog-root.ts's one job.
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { catalogRoot } from "../../catalog/catalog-root.js";
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { ModuleCallDecl } from "../module.js";
import { versionAllowed } from "./version.js";

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const APP = /^catalog\/([a-z0-9][a-z0-9_-]*)$/;

/** The directory a call's source names, or the diagnostics saying why there is none. */
export function resolveSource(call: ModuleCallDecl, callerDir: string, env: NodeJS.ProcessEnv = process.env): { dir?: string; diagnostics: Diagnostic[] } {
  const src = call.source;
  if (src.startsWith("./") || src.startsWith("../")) {
    if (call.version !== undefined) {
      return {
        diagnostics: [
          error(
            "Invalid version constraint",
            `Module "${call.name}" has a local source (${src}), which has no versions: only catalog sources take a version. Remove the version argument.`,
            call.versionRange,
          ),
        ],
      };
    }
    const dir = resolve(callerDir, src);
    if (!isDir(dir))
      return {
        diagnostics: [
          error("Module not found", `The source of module "${call.name}" is ${src}, but ${dir} is not a directory. Fix the path (relative to the calling module's directory).`, call.sourceRange),
        ],
      };
    return { dir, diagnostics: [] };
  }
  const app = APP.exec(src);
  if (!app) {
    const hint = isAbsolute(src) ? ` Write it relative to the calling module, starting with ./ or ../.` : ` Use a local directory starting with ./ or ../, or catalog/<app>.`;
    return { diagnostics: [error("Unsupported module source", `pmxform cannot load module source "${src}": it is neither a local path nor a catalog app.${hint}`, call.sourceRange)] };
  }
  const root = catalogRoot(env);
  const dir = root === undefined ? undefined : join(root, app[1] as string);
  const manifestPath = dir === undefined ? undefined : join(dir, "app.json");
  if (dir === undefined || manifestPath === undefined || !existsSync(manifestPath)) {
    return {
      diagnostics: [
        error(
          "Catalog app not found",
          `The catalog has no app "${app[1]}"${root ? ` (looked in ${root})` : ""}. See pmxform catalog list for the apps, or set PMXFORM_CATALOG_DIR to another catalog.`,
          call.sourceRange,
        ),
      ],
    };
  }
  let available: string | undefined;
  try {
    const v = (JSON.parse(readFileSync(manifestPath, "utf8")) as { version?: unknown }).version;
    if (typeof v === "string") available = v;
  } catch {
    // reported below
  }
  if (available === undefined) return { diagnostics: [error("Invalid catalog app", `${manifestPath} has no "version" string. Fix the catalog entry.`, call.sourceRange)] };
  if (call.version === undefined) {
    return {
      diagnostics: [
        error(
          "Missing version constraint",
          `Module "${call.name}" comes from the catalog, so it needs a version. Add version = "${available}" (or a constraint such as "~> ${available}").`,
          call.declRange,
        ),
      ],
    };
  }
  const ok = versionAllowed(call.version, available);
  if (typeof ok !== "boolean")
    return { diagnostics: [error("Invalid version constraint", `${ok.error}. Write a constraint such as "${available}", ">= ${available}" or "~> ${available}".`, call.versionRange)] };
  if (!ok) {
    return {
      diagnostics: [
        error(
          "No matching catalog version",
          `The catalog's ${app[1]} is version ${available}, which does not satisfy "${call.version}". Change the constraint to allow ${available} (e.g. version = "${available}").`,
          call.versionRange,
        ),
      ],
    };
  }
  return { dir, diagnostics: [] };
}
