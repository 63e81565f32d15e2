// The lxc_container configuration schema: what users may write, with Proxmox's value rules.
// Which attributes force replacement or need a restart is decided in diff.ts, not here.
import { z } from "zod";
import { bool, checked, diskSize, enumOf, int, listOf, num, pattern, propValue, secretLine, str, text } from "../../src/provider/schema.js";
import { checkNamedFormat } from "../../src/pve/check.js";
import { sharedBlocks, sharedContainerShape } from "../mounts/schema.js";
import { KEYS } from "../../src/pve/schema.js";

const IPV4_CIDR = /^(dhcp|manual|(\d{1,3}\.){3}\d{1,3}\/([89]|[12]\d|3[0-2]))$/;
const IPV6_CIDR = /^(auto|dhcp|manual|[0-9a-fA-F:]+\/\d{1,3})$/;

export const networkSchema = z.strictObject({
  bridge: pattern(/^[-_.\w]+$/, "a bridge name such as vmbr0 is required").optional(),
  ip: pattern(IPV4_CIDR, 'an IPv4 address with prefix ("10.0.0.5/24"), "dhcp" or "manual" is required').optional(),
  gw: pattern(/^(\d{1,3}\.){3}\d{1,3}$/, "an IPv4 address is required").optional(),
  ip6: pattern(IPV6_CIDR, 'an IPv6 address with prefix, "auto", "dhcp" or "manual" is required').optional(),
  gw6: pattern(/^[0-9a-fA-F:]+$/, "an IPv6 address is required").optional(),
  hwaddr: pattern(/^[0-9a-fA-F][02468aceACE](:[0-9a-fA-F]{2}){5}$/, "a unicast MAC address such as BC:24:11:00:00:01 is required").optional(),
  tag: int(1, 4094).optional(),
  firewall: bool().optional(),
  mtu: int(64, 65535).optional(),
  rate: num(0).optional(),
  link_down: bool().optional(),
  trunks: pattern(/^\d+(;\d+)*$/, 'VLAN ids separated by ";" are required').optional(),
});

export const rootfsSchema = z.strictObject({
  storage: propValue("A storage name", { defaultKey: true }),
  size: diskSize(),
  acl: bool().optional(),
  quota: bool().optional(),
  replicate: bool().optional(),
  mount_options: listOf(enumOf(["discard", "lazytime", "noatime", "nodev", "noexec", "nosuid"] as const)).optional(),
});

export const featuresSchema = z.strictObject({
  nesting: bool().optional(),
  keyctl: bool().optional(),
  fuse: bool().optional(),
  mknod: bool().optional(),
  force_rw_sys: bool().optional(),
  mount: listOf(pattern(/^[a-zA-Z0-9_]+$/, "a filesystem type name is required")).optional(),
});

const startupSchema = z.strictObject({
  order: int(0).optional(),
  up: int(0).optional(),
  down: int(0).optional(),
});

/** Arguments lxc_container and oci_container share. */
export const containerShape = {
  node: str(),
  vmid: int(100, 999999999).optional(),
  hostname: pattern(/^(?=.{1,255}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/, "a DNS name is required").optional(),
  description: text(KEYS["description"]!.maxLength!).optional(),
  tags: listOf(pattern(/^[a-zA-Z0-9_][a-zA-Z0-9_\-+.]*$/, "tags may contain letters, digits and _ - + . only")).optional(),
  cores: int(1, 8192).optional(),
  cpulimit: num(0, 8192).optional(),
  cpuunits: int(0, 500000).optional(),
  memory: int(16).optional(),
  swap: int(0).optional(),
  rootfs: rootfsSchema.optional(),
  network: z.record(z.string(), networkSchema).optional(),
  nameserver: listOf(
    checked((v) => checkNamedFormat("lxc-ip-with-ll-iface-list", v) === undefined && !/[,; ]/.test(v), 'an IP address is required ("%interface" only after an fe80: address)'),
  ).optional(),
  searchdomain: listOf(str()).optional(),
  features: featuresSchema.optional(),
  unprivileged: bool().optional(),
  onboot: bool().optional(),
  startup: startupSchema.optional(),
  protection: bool().optional(),
  timezone: checked(
    (v) => checkNamedFormat("pve-ct-timezone", v) === undefined,
    'a time zone from zone.tab ("Europe/Berlin"), "UTC" or "host" is required; Proxmox refuses other names, such as old links like "Asia/Calcutta"',
  ).optional(),
  arch: enumOf(["amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"] as const).optional(),
  ostype: enumOf(["debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux", "alpine", "gentoo", "nixos", "unmanaged"] as const).optional(),
  console: bool().optional(),
  tty: int(0, 6).optional(),
  hookscript: pattern(/^[^:\s]+:snippets\/\S+$/, 'a snippet volume id such as "local:snippets/hook.sh" is required').optional(),
  /** Desired run state; absent means "leave it as it is". */
  started: bool().optional(),
  /** Allow apply to restart a running container so that pending changes take effect. */
  restart_on_change: bool().optional(),
  password: secretLine("A password").optional(),
  ssh_public_keys: listOf(str()).optional(),
  ...sharedContainerShape,
};

export const lxcContainerSchema = z.strictObject({
  template: pattern(/^[^:\s]+:vztmpl\/\S+$/, 'a template volume id such as "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" is required'),
  cmode: enumOf(["shell", "console", "tty"] as const).optional(),
  ...containerShape,
});

export const containerBlocks = {
  rootfs: { labelled: false },
  network: { labelled: true },
  features: { labelled: false },
  startup: { labelled: false },
  ...sharedBlocks,
} as const;
