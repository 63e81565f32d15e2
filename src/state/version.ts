// The running pmxform's version, recorded in state files, plan files and lock info.

import { readFileSync } from "node:fs";

let cached: string | undefined;

/** Reads package.json once; works from src/ (tsx, vitest) and from dist/src/ (built). */
export function pmxformVersion(): string {
  if (cached) return cached;
  for (const rel of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pmxform" && pkg.version) return (cached = pkg.version);
    } catch {
      // try the next candidate
    }
  }
  return (cached = "0.0.0-unknown");
}
