// The Proxmox provider: every resource type that shares one cluster snapshot.
import type { Provider } from "../src/provider/types.js";
import { lxcContainer } from "./lxc/resource.js";
import { ociImage } from "./oci/image.js";
import { ociContainer } from "./oci/container.js";
import { takeProxmoxSnapshot } from "./oci/snapshot.js";
import { lxcTemplate } from "./template/resource.js";
import { zfsDataset } from "./zfs/resource.js";
import { nodeInventory } from "./lxc/snapshot-inventory.js";
import { smbShare } from "./shares/smb.js";
import { nfsShare } from "./shares/nfs.js";

export function proxmoxProvider(): Provider {
  return {
    name: "proxmox",
    resourceTypes: [lxcContainer, lxcTemplate, ociImage, ociContainer, zfsDataset, smbShare, nfsShare],
    snapshot: (node, ctx) => takeProxmoxSnapshot(node, ctx),
    inventory: nodeInventory,
  };
}
