// Test knobs of the simulated pmxcfs kept in sim.json: how long an unrenewed cluster lock lives
// (cfs-lock.ts cfsLockTimeoutS). Real pmxcfs has CFS_LOCK_TIMEOUT = 120 s compiled in.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Sets the lock expiry of the simulated cluster at `dir` (seconds; undefined restores 120 s). */
export function setCfsLockTimeout(dir: string, seconds: number | undefined): void {
  const file = join(dir, "sim.json");
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  if (seconds === undefined) delete raw["cfsLockTimeoutS"];
  else raw["cfsLockTimeoutS"] = seconds;
  writeFileSync(file, JSON.stringify(raw, null, 2) + "\n");
}
