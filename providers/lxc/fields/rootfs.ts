// The rootfs block: the container's root volume (pct key `rootfs`, pve-container's $rootfs_desc).
import { bool, diskSize, enumOf, listOf, pattern, propValue } from "../../../src/provider/schema.js";
import { flag, semicolonSet, size, text, type Block } from "./types.js";

export const MOUNT_OPTIONS = ["discard", "lazytime", "noatime", "nodev", "noexec", "nosuid"] as const;
/** Proxmox's idmap sub-option: "passthrough" or "u:CT:HOST:COUNT;g:..." (Config.pm $mp_idmap pattern). */
export const IDMAP = /^(?:passthrough|[ug]:[0-9]+:[0-9]+:[1-9][0-9]*(?:;[ug]:[0-9]+:[0-9]+:[1-9][0-9]*)*)$/;
/** An idmap as Proxmox accepts it (pct refuses anything else at apply; checked at validate instead). */
export const idmapArg = () => pattern(IDMAP, 'an idmap such as "passthrough" or "u:0:100000:1000;g:0:100000:1000" (type:container:host:count, ";"-separated) is required');

export const ROOTFS: Block = {
  name: "rootfs",
  pve: "rootfs",
  labelled: false,
  change: "pending",
  doc: "The root volume. Its options wait for a restart while the container runs; size grows with `pct resize`, storage moves with `pct move-volume`; never reset when removed.",
  fields: [
    {
      attr: "storage",
      type: "string",
      schema: propValue("A storage name", { defaultKey: true }),
      required: true,
      change: "move",
      doc: "storage of the volume; a change moves it (`pct move-volume`, container stopped and started); replaces when the volume has no id",
    },
    {
      attr: "size",
      pve: "size",
      type: "size",
      codec: size,
      schema: diskSize(),
      required: true,
      change: "resize",
      doc: "with unit (`8G`, `8192M` are equal); growth: `pct resize`; shrink: **replace**",
    },
    { attr: "acl", pve: "acl", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "ACL support" },
    { attr: "quota", pve: "quota", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "user quotas (privileged containers only)" },
    { attr: "replicate", pve: "replicate", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "include in storage replication" },
    { attr: "read_only", pve: "ro", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "mount read-only" },
    { attr: "shared", pve: "shared", type: "bool", codec: flag, schema: bool(), change: "pending", doc: "the volume is available on every node (migration does not copy it)" },
    {
      attr: "mount_options",
      pve: "mountoptions",
      type: "list(string)",
      codec: semicolonSet(),
      schema: listOf(enumOf(MOUNT_OPTIONS)),
      change: "pending",
      doc: "any of `discard lazytime noatime nodev noexec nosuid`",
    },
    { attr: "idmap", pve: "idmap", type: "string", codec: text, schema: idmapArg(), change: "pending", doc: '`"passthrough"` or `"u:CT:HOST:COUNT;g:..."` (pve-container 6.1.6 and later)' },
    { attr: "volume", pve: "volume", type: "string", change: "computed", doc: "the volume id Proxmox allocated" },
  ],
};
