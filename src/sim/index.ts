// Programmatic API of the simulator for tests and `pmxform sim`: create a cluster, locate its
// executables, read the call log, inject faults, take quorum away, place a hand-written conf.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { paths } from "./ctx.js";
import { readSimConfig } from "./ctx.js";
import { listGuests } from "./cluster.js";

export { binScript, initSim, simBin, simBundlePath, simMainPath, TEMPLATES, TOOLS, type InitOptions, type Tool } from "./init.js";
export { readCalls, type CallRecord } from "./calllog.js";
export { setFaults, type Fault } from "./faults.js";
export { readPushes, type PushRecord } from "./pct-push.js";
export { setQuorum } from "./quorum.js";
export { setCfsLockTimeout } from "./cfs-settings.js";

/** Puts a config file into etc/pve/nodes/<node>/lxc as a test fixture would; refreshes .vmlist. */
export function loadSimContainer(dir: string, node: string, vmid: number, confText: string): string {
  const root = resolve(dir);
  const file = paths.confPath(root, node, vmid);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, confText);
  const cfg = readSimConfig(root);
  const ids: Record<string, { node: string; type: string; version: number }> = {};
  for (const g of listGuests(root, cfg.nodes)) ids[String(g.vmid)] = { node: g.node, type: g.type, version: 1 };
  writeFileSync(paths.vmlist(root), JSON.stringify({ version: 1, ids }, null, 1) + "\n");
  return file;
}
