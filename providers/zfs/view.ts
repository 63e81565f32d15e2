// Where zfs_dataset finds a node's datasets in the provider's shared snapshot.
import { asProxmoxSnapshot } from "../oci/snapshot.js";
import type { ZfsNodeView } from "./snapshot.js";

/** The node's datasets, or undefined when they were not read (the node has no zfs_dataset, or could not be asked). */
export function zfsViewOf(snapshot: unknown, node: string): ZfsNodeView | undefined {
  return asProxmoxSnapshot(snapshot).zfs?.get(node);
}
