// Cluster quorum as a simulator setting (`sim.json` "quorate", default true; `setQuorum`). Without
// quorum pmxcfs shows /etc/pve read-only (pve-cluster src/pmxcfs/cfs-plug-memdb.c tree_entry_stat:
// files 0444, directories 0555 when !cfs_is_quorate()), so every create, write, rename, unlink and
// mkdir below it fails with EACCES; reads keep working. This module owns that rule for the tools.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "./ctx.js";
import { SimError } from "./errors.js";

/** Turns the simulated cluster's quorum on or off (tests; a future pmxform backend's fault knob). */
export function setQuorum(dir: string, quorate: boolean): void {
  const file = join(dir, "sim.json");
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  raw["quorate"] = quorate;
  writeFileSync(file, JSON.stringify(raw, null, 2) + "\n");
}

/**
 * pve-common PVE/Tools.pm file_set_contents opens `FILE.tmp.PID` with O_CREAT|O_EXCL first; on a
 * read-only /etc/pve that open is what fails, so the write dies with its "unable to open file" text.
 */
export function assertWritable(ctx: Ctx, pvePath: string): void {
  if (ctx.cfg.quorate) return;
  throw new SimError(`unable to open file '${pvePath}.tmp.${process.pid}' - Permission denied`);
}

/** An unlink under /etc/pve without quorum (pve-container LXC.pm destroy_lxc_container: unlink $conffile). */
export function assertRemovable(ctx: Ctx, pvePath: string): void {
  if (ctx.cfg.quorate) return;
  throw new SimError(`unable to remove '${pvePath}' - Permission denied`);
}
