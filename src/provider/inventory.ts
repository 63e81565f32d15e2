// What a node holds, as `pmxform nodes` shows it: a provider turns its snapshot into this, the
// command adds which state entry manages each container. The JSON shape is documented in
// docs/json-output.md ("pmxform nodes --json").

export interface InventoryStorage {
  name: string;
  /** The storage plugin: dir, lvmthin, zfspool, nfs, ... */
  type?: string;
  /** Content types: rootdir, images, vztmpl, iso, backup, snippets, ... */
  content: string[];
  shared: boolean;
  /** "available" unless the node reports otherwise. */
  status: string;
  /** Bytes, when the node reports them. */
  total?: number;
  used?: number;
  free?: number;
}

export interface InventoryBridge {
  name: string;
  mtu: number;
}

export interface InventoryTemplate {
  volid: string;
  /** The cluster object id state entries name (lxc_template's objectId), e.g. "pve1/local:vztmpl/x.tar.zst". */
  id: string;
  storage: string;
  size: number;
}

export interface InventoryContainer {
  vmid: number;
  /** The cluster object id state entries name (ResourceType.objectId), e.g. "pve1/105". */
  id: string;
  hostname?: string;
  status: "running" | "stopped";
  /** "lxc" or "oci" (an application container). */
  kind: string;
  lock?: string;
}

export interface NodeInventory {
  storages: InventoryStorage[];
  /** Absent: the node's network configuration could not be read. */
  bridges?: InventoryBridge[];
  templates: InventoryTemplate[];
  containers: InventoryContainer[];
}
