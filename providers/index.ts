// The Proxmox provider: every resource type that shares one cluster snapshot.
import type { Provider } from "../src/provider/types.js";
import { lxcContainer } from "./lxc/resource.js";
import { takeSnapshot } from "./lxc/snapshot.js";

export function proxmoxProvider(): Provider {
  return {
    name: "proxmox",
    resourceTypes: [lxcContainer],
    snapshot: (node, ctx) => takeSnapshot(node, ctx),
  };
}
