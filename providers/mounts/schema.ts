// Schemas of the blocks every container type shares: mount "NAME", device "NAME", gpu, and raw
// lxc lines. Semantic checks that span several blocks live in validate.ts.
import { z } from "zod";
import { bool, diskSize, enumOf, int, listOf, pattern, propValue } from "../../src/provider/schema.js";

const MOUNT_OPTIONS = ["discard", "lazytime", "noatime", "nodev", "noexec", "nosuid"] as const;

export const mountSchema = z.strictObject({
  /** Bind mount source on the host (absolute). Exactly one of host_path or storage. */
  host_path: propValue("A host path", { defaultKey: true }).optional(),
  /** Storage for a new volume (with size). */
  storage: propValue("A storage name", { defaultKey: true }).optional(),
  size: diskSize().optional(),
  /** Path inside the container. */
  path: propValue("A mount path"),
  read_only: bool().optional(),
  backup: bool().optional(),
  acl: bool().optional(),
  quota: bool().optional(),
  replicate: bool().optional(),
  shared: bool().optional(),
  mount_options: listOf(enumOf(MOUNT_OPTIONS)).optional(),
  /** Keep the volume (detached as unusedN) when the mount is removed from the configuration. */
  keep_on_remove: bool().optional(),
  /** Proxmox's mp idmap option: "passthrough" or "u:CT:HOST:COUNT;g:...". */
  idmap: propValue("An idmap").optional(),
  /** Pin the mpN slot; normally chosen automatically and kept for life. */
  slot: int(0, 255).optional(),
});

export const deviceSchema = z.strictObject({
  path: pattern(/^\/dev\/[^\s,=]+$/, 'a device path under /dev/ (no spaces, commas or "=") is required, e.g. "/dev/net/tun"'),
  mode: pattern(/^0[0-7]{3}$/, 'an octal mode such as "0660" is required').optional(),
  uid: int(0).optional(),
  gid: int(0).optional(),
  deny_write: bool().optional(),
  slot: int(0, 255).optional(),
});

export const gpuSchema = z.strictObject({
  vendor: enumOf(["intel", "amd", "nvidia"] as const),
  index: int(0, 63).optional(),
  render_only: bool().optional(),
  /** Group id inside the container that owns the render node (the distro's "render" group). */
  gid: int(0).optional(),
  /** Pre-8.1 nodes: write lxc.cgroup2.devices.allow + lxc.mount.entry lines instead of devN. */
  legacy: bool().optional(),
});

export const rawLxcSchema = listOf(
  pattern(/^lxc\.[a-z0-9_.-]+\s*[:=]\s*.*$/, 'a raw line such as "lxc.apparmor.profile: unconfined" is required'),
);

/** The container arguments contributed by this package. */
export const sharedContainerShape = {
  mount: z.record(z.string(), mountSchema).optional(),
  device: z.record(z.string(), deviceSchema).optional(),
  gpu: gpuSchema.optional(),
  raw_lxc: rawLxcSchema.optional(),
  /** Let an in-place update delete volumes with data (mounts removed from the configuration). */
  allow_volume_removal: bool().optional(),
};

export const sharedBlocks = {
  mount: { labelled: true },
  device: { labelled: true },
  gpu: { labelled: false },
} as const;
