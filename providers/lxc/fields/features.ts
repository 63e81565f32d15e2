// The features and startup blocks (pct keys `features` and `startup`).
import { bool, int, listOf, pattern } from "../../../src/provider/schema.js";
import { flag, number, semicolonSet, type Block } from "./types.js";

export const FEATURES: Block = {
  name: "features",
  pve: "features",
  labelled: false,
  change: "pending",
  doc: "Advanced container features; Proxmox keeps a change pending while the container runs.",
  fields: [
    { attr: "nesting", pve: "nesting", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "allow nesting (systemd, docker)" },
    { attr: "keyctl", pve: "keyctl", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "allow keyctl() (unprivileged containers)" },
    { attr: "fuse", pve: "fuse", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "allow fuse file systems" },
    { attr: "mknod", pve: "mknod", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "allow mknod() of some device nodes" },
    { attr: "force_rw_sys", pve: "force_rw_sys", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "mount /sys read-write" },
    {
      attr: "mount",
      pve: "mount",
      type: "list(string)",
      codec: semicolonSet(/[;\s]+/),
      schema: listOf(pattern(/^[a-zA-Z0-9_]+$/, "a filesystem type name is required")),
      change: "pending",
      doc: 'file system types the container may mount (`["nfs", "cifs"]`)',
    },
  ],
};

export const STARTUP: Block = {
  name: "startup",
  pve: "startup",
  labelled: false,
  change: "live",
  doc: "Start and shutdown order at boot; applied at once.",
  fields: [
    { attr: "order", pve: "order", type: "int", codec: number, schema: int(0), change: "live", doc: "start order (shutdown in reverse)" },
    { attr: "up", pve: "up", type: "int", codec: number, schema: int(0), change: "live", doc: "seconds to wait before starting the next guest" },
    { attr: "down", pve: "down", type: "int", codec: number, schema: int(0), change: "live", doc: "shutdown timeout in seconds" },
  ],
};
