// Where a path a node tool was given lies in the simulated pmxcfs: a node's own `/etc/pve/...` or
// the simulator's `DIR/etc/pve/...` (the pve_root a runner sees for a simulated node) both name
// DIR/etc/pve. Only the private tree (priv/) is simulated for coreutils; everything else on the
// node is the system's own filesystem (init.ts's bin scripts pass such calls straight through).
import { resolve } from "node:path";
import type { Ctx } from "./ctx.js";

/** The bin scripts hand a call to the simulator only when an argument starts with one of these. */
export const SIM_PRIV_PREFIX = "/etc/pve/priv/";

/**
 * The path relative to etc/pve ("priv/lock/x") for a path inside the simulated /etc/pve, in either
 * spelling; undefined for anything else. `..` components are refused so a path never leaves DIR.
 */
export function pveRelative(ctx: Ctx, path: string): string | undefined {
  const roots = ["/etc/pve/", resolve(ctx.dir, "etc", "pve") + "/"];
  for (const root of roots) {
    if (!path.startsWith(root)) continue;
    const rel = path.slice(root.length).replace(/\/+$/, "");
    if (!rel || rel.split("/").some((c) => c === "" || c === "." || c === "..")) return undefined;
    return rel;
  }
  return undefined;
}

/** A lock directory is a direct child of priv/lock (pve-cluster src/pmxcfs/cfs-utils.c path_is_lockdir). */
export function lockNameOf(rel: string): string | undefined {
  const m = /^priv\/lock\/([^/]+)$/.exec(rel);
  return m ? m[1] : undefined;
}
