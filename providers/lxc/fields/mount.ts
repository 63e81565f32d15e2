// The mount "NAME" and device "NAME" blocks (mpN and devN keys, pve-container's $mp_desc and
// $dev_desc) and the gpu block, which expands to devN entries (providers/mounts/gpu.ts).
import { bool, diskSize, enumOf, int, listOf, pattern, propValue } from "../../../src/provider/schema.js";
import { flag, number, semicolonSet, size, text, type Block } from "./types.js";
import { MOUNT_OPTIONS, idmapArg } from "./rootfs.js";

export const MOUNT: Block = {
  name: "mount",
  pve: "mp",
  maxIndex: 255,
  labelled: true,
  change: "add-live",
  doc: "A bind mount (`host_path`) or a new volume (`storage` + `size`); a new mount is hot-plugged, other changes wait for a restart.",
  fields: [
    {
      attr: "host_path",
      pve: "volume",
      type: "string",
      schema: propValue("A host path", { defaultKey: true }),
      change: "add-live",
      doc: "bind mount source on the host (absolute, normalised); exactly one of `host_path` or `storage`",
    },
    {
      attr: "storage",
      type: "string",
      schema: propValue("A storage name", { defaultKey: true }),
      change: "move",
      doc: "storage for a new volume (with `size`); a change moves it (`pct move-volume`)",
    },
    { attr: "size", pve: "size", type: "size", codec: size, schema: diskSize(), change: "resize", doc: "volume size with unit; growth: `pct resize`; shrink: error" },
    { attr: "path", pve: "mp", type: "string", codec: text, schema: propValue("A mount path"), required: true, change: "add-live", doc: "path inside the container" },
    { attr: "read_only", pve: "ro", type: "bool", codec: flag, schema: bool(), change: "add-live", doc: "mount read-only" },
    { attr: "backup", pve: "backup", type: "bool", codec: flag, schema: bool(), change: "add-live", doc: "include in backups" },
    { attr: "acl", pve: "acl", type: "bool", codec: flag, schema: bool(), change: "add-live", doc: "ACL support" },
    { attr: "quota", pve: "quota", type: "bool", codec: flag, schema: bool(), change: "add-live", doc: "user quotas (privileged containers only)" },
    { attr: "replicate", pve: "replicate", type: "bool", codec: flag, schema: bool(), change: "add-live", doc: "include in storage replication" },
    { attr: "shared", pve: "shared", type: "bool", codec: flag, schema: bool(), change: "add-live", doc: "a bind mount available on every node (lets the container migrate)" },
    {
      attr: "mount_options",
      pve: "mountoptions",
      type: "list(string)",
      codec: semicolonSet(),
      schema: listOf(enumOf(MOUNT_OPTIONS)),
      change: "add-live",
      doc: "any of `discard lazytime noatime nodev noexec nosuid`",
    },
    { attr: "keep_on_remove", type: "bool", schema: bool(), noImport: true, change: "apply", doc: "keep the volume (detached as `unusedN`) when the mount is removed" },
    { attr: "idmap", pve: "idmap", type: "string", codec: text, schema: idmapArg(), change: "add-live", doc: '`"passthrough"` or `"u:CT:HOST:COUNT;g:..."`' },
    {
      attr: "keep_attrs",
      pve: "keepattrs",
      type: "bool",
      codec: flag,
      schema: bool(),
      change: "add-live",
      doc: "inherit owner and mode from the mount point directory (pve-container 6.1.2 and later)",
    },
    { attr: "slot", type: "int", schema: int(0, 255), noImport: true, change: "add-live", doc: "pin the mpN slot; normally chosen once and kept for life" },
    { attr: "volume", pve: "volume", type: "string", change: "computed", doc: "the volume id Proxmox allocated" },
  ],
};

export const DEVICE: Block = {
  name: "device",
  pve: "dev",
  maxIndex: 255,
  labelled: true,
  change: "add-live",
  doc: "A device node passed through (devN); a new one is hot-plugged, a change or removal waits for a restart.",
  fields: [
    {
      attr: "path",
      pve: "path",
      type: "string",
      codec: text,
      schema: pattern(/^\/dev\/[^\s,=]+$/, 'a device path under /dev/ (no spaces, commas or "=") is required, e.g. "/dev/net/tun"'),
      required: true,
      change: "add-live",
      doc: "device under `/dev/`",
    },
    { attr: "mode", pve: "mode", type: "string", codec: text, schema: pattern(/^0[0-7]{3}$/, 'an octal mode such as "0660" is required'), change: "add-live", doc: 'octal mode such as `"0660"`' },
    { attr: "uid", pve: "uid", type: "int", codec: number, schema: int(0), change: "add-live", doc: "owner inside the container" },
    { attr: "gid", pve: "gid", type: "int", codec: number, schema: int(0), change: "add-live", doc: "group inside the container" },
    { attr: "deny_write", pve: "deny-write", type: "bool", codec: flag, schema: bool(), change: "add-live", doc: "read-only access" },
    { attr: "slot", type: "int", schema: int(0, 255), noImport: true, change: "add-live", doc: "pin the devN slot" },
  ],
};

export const GPU: Block = {
  name: "gpu",
  labelled: false,
  change: "add-live",
  doc: "Expands to the devN entries of a vendor's device nodes (or, with `legacy = true`, raw lxc lines).",
  fields: [
    { attr: "vendor", type: "string", schema: enumOf(["intel", "amd", "nvidia"] as const), required: true, change: "add-live", doc: "`intel`, `amd` or `nvidia`" },
    { attr: "index", type: "int", schema: int(0, 63), change: "add-live", doc: "card / render node number" },
    { attr: "render_only", type: "bool", schema: bool(), change: "add-live", doc: "intel/amd: only `renderD(128+index)`" },
    { attr: "gid", type: "int", schema: int(0), change: "add-live", doc: "group inside the container owning the nodes (then mode 0660, else 0666)" },
    { attr: "legacy", type: "bool", schema: bool(), change: "pending", doc: "pre-8.1 nodes: raw cgroup2 allow and bind-mount lines instead of devN" },
  ],
};
