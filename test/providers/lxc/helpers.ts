// Shared test helpers: recorded pct/pvesh outputs and a snapshot built from them.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSnapshot, type LxcSnapshot } from "../../../providers/lxc/snapshot.js";
import { parseClusterResources, parseConfDump, parseNodeLxcList } from "../../../providers/lxc/snapshot-parse.js";

export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/pct/${name}`, import.meta.url)), "utf8");
}

export function recordedSnapshot(): LxcSnapshot {
  return buildSnapshot(parseClusterResources(fixture("cluster-resources.json")), parseConfDump(fixture("conf-dump.txt")), [
    parseNodeLxcList(fixture("nodes-pve1-lxc.json")),
    parseNodeLxcList(fixture("nodes-pve2-lxc.json")),
  ]);
}
