// The top-level arguments of lxc_container (and, without the lxcOnly ones, of oci_container), in
// the order generated configuration writes them; a block argument points at its own table.
import { bool, checked, enumOf, int, listOf, num, pattern, secretLine, str, text as textArg } from "../../../src/provider/schema.js";
import { checkNamedFormat } from "../../../src/pve/check.js";
import { KEYS } from "../../../src/pve/schema.js";
import { boolean, number, spaces, text, type Block, type Field } from "./types.js";
import { ROOTFS } from "./rootfs.js";
import { FEATURES, STARTUP } from "./features.js";
import { NETWORK } from "./network.js";
import { DEVICE, GPU, MOUNT } from "./mount.js";

/** A top-level argument; a block argument carries its block's table. */
export interface TopField extends Field {
  block?: Block;
  /** For `replace` fields: the value a container without the key has (compared with the configured one). */
  absentMeans?: unknown;
  /** For `replace` fields that pct set still writes when the value stays (e.g. an explicit default): Proxmox's class for that. */
  pctSet?: "live" | "pending";
  /** Read and written by hand in attrs.ts / conf-map.ts (description: a comment block; tags: with the marker). */
  manual?: boolean;
}

const bumpCpuunits = (v: unknown) => (typeof v === "number" && v > 10000 ? 10000 : v); // stored clamped (cgroup v2)

export const TOP: TopField[] = [
  { attr: "node", type: "string", schema: str(), required: true, change: "migrate", noReset: true, doc: "Proxmox node; a change migrates the container (`pct migrate`)" },
  {
    attr: "vmid",
    type: "int",
    schema: int(100, 999999999),
    change: "replace",
    noReset: true,
    doc: "100..999999999; when absent, the plan picks the lowest id free of containers, VMs and other planned resources and records it",
  },
  {
    attr: "template",
    type: "string",
    schema: pattern(/^[^:\s]+:vztmpl\/\S+$/, 'a template volume id such as "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" is required'),
    required: true,
    lxcOnly: true,
    change: "replace",
    noReset: true,
    doc: "`STORAGE:vztmpl/FILE`; Proxmox does not store it, so state remembers it. An imported container adopts the configured template without replacement",
  },
  {
    attr: "hostname",
    pve: "hostname",
    type: "string",
    codec: text,
    schema: pattern(/^(?=.{1,255}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/, "a DNS name is required"),
    change: "live",
    noReset: true,
    doc: "DNS name",
  },
  {
    attr: "description",
    pve: "description",
    type: "string",
    schema: textArg(KEYS["description"]!.maxLength!),
    manual: true,
    change: "live",
    doc: "free text (Proxmox's trailing newline is ignored), at most 8192 characters",
  },
  { attr: "cores", pve: "cores", type: "int", codec: number, schema: int(1, 8192), change: "live", doc: "1..8192" },
  { attr: "cpulimit", pve: "cpulimit", type: "number", codec: number, schema: num(0, 8192), change: "live", doc: "0..8192 (0: no limit)" },
  { attr: "cpuunits", pve: "cpuunits", type: "int", codec: { ...number, canon: bumpCpuunits }, schema: int(0, 500000), change: "live", doc: "CPU weight; stored clamped to 10000 (cgroup v2)" },
  { attr: "memory", pve: "memory", type: "int", codec: number, schema: int(16), change: "live", resetTo: 512, doc: "MiB, at least 16; removing it sets 512 (`pct set --delete memory` is refused)" },
  { attr: "swap", pve: "swap", type: "int", codec: number, schema: int(0), change: "live", importDefault: 512, doc: "MiB" },
  { attr: "onboot", pve: "onboot", type: "bool", codec: boolean, schema: bool(), change: "live", importDefault: false, doc: "start at boot" },
  { attr: "protection", pve: "protection", type: "bool", codec: boolean, schema: bool(), change: "live", importDefault: false, doc: "Proxmox refuses removal and disk changes while set" },
  {
    attr: "timezone",
    pve: "timezone",
    type: "string",
    codec: text,
    schema: checked(
      (v) => checkNamedFormat("pve-ct-timezone", v) === undefined,
      'a time zone from zone.tab ("Europe/Berlin"), "UTC" or "host" is required; Proxmox refuses other names, such as old links like "Asia/Calcutta"',
    ),
    change: "pending",
    doc: 'a zone.tab name, `"UTC"` or `"host"`',
  },
  {
    attr: "arch",
    pve: "arch",
    type: "string",
    codec: text,
    schema: enumOf(["amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"] as const),
    change: "replace",
    absentMeans: "amd64",
    pctSet: "pending",
    noReset: true,
    importDefault: "amd64",
    doc: "`amd64` `i386` `arm64` `armhf` `riscv32` `riscv64`",
  },
  {
    attr: "ostype",
    pve: "ostype",
    type: "string",
    codec: text,
    schema: enumOf(["debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux", "alpine", "gentoo", "nixos", "unmanaged"] as const),
    change: "pending",
    noReset: true,
    doc: "the setup scripts Proxmox runs inside",
  },
  { attr: "console", pve: "console", type: "bool", codec: boolean, schema: bool(), change: "pending", importDefault: true, doc: "attach /dev/console" },
  { attr: "tty", pve: "tty", type: "int", codec: number, schema: int(0, 6), change: "pending", importDefault: 2, doc: "0..6 ttys" },
  {
    attr: "cmode",
    pve: "cmode",
    type: "string",
    codec: text,
    schema: enumOf(["shell", "console", "tty"] as const),
    lxcOnly: true,
    change: "pending",
    importDefault: "tty",
    doc: "`shell`, `console` or `tty`",
  },
  {
    attr: "hookscript",
    pve: "hookscript",
    type: "string",
    codec: text,
    schema: pattern(/^[^:\s]+:snippets\/\S+$/, 'a snippet volume id such as "local:snippets/hook.sh" is required'),
    change: "live",
    doc: '`"local:snippets/hook.sh"`',
  },
  { attr: "unprivileged", pve: "unprivileged", type: "bool", codec: boolean, schema: bool(), change: "replace", absentMeans: false, pctSet: "live", noReset: true, doc: "create default true" },
  {
    attr: "nameserver",
    pve: "nameserver",
    type: "list(string)",
    codec: spaces,
    schema: listOf(checked((v) => checkNamedFormat("lxc-ip-with-ll-iface-list", v) === undefined && !/[,; ]/.test(v), 'an IP address is required ("%interface" only after an fe80: address)')),
    change: "pending",
    doc: "IP addresses (`%iface` only after `fe80:`)",
  },
  { attr: "searchdomain", pve: "searchdomain", type: "list(string)", codec: spaces, schema: listOf(str()), change: "pending", doc: "DNS search domains" },
  {
    attr: "tags",
    pve: "tags",
    type: "list(string)",
    schema: listOf(pattern(/^[a-zA-Z0-9_][a-zA-Z0-9_\-+.]*$/, "tags may contain letters, digits and _ - + . only")),
    manual: true,
    change: "live",
    doc: "compared lower-cased, sorted, without duplicates",
  },
  { attr: "rootfs", pve: "rootfs", type: "block", block: ROOTFS, change: "pending", noReset: true, doc: ROOTFS.doc },
  { attr: "features", pve: "features", type: "block", block: FEATURES, change: "pending", doc: FEATURES.doc },
  { attr: "startup", pve: "startup", type: "block", block: STARTUP, change: "live", doc: STARTUP.doc },
  { attr: "network", pve: "net", type: "block", block: NETWORK, change: "live", doc: NETWORK.doc },
  { attr: "mount", pve: "mp", type: "block", block: MOUNT, change: "add-live", doc: MOUNT.doc },
  { attr: "device", pve: "dev", type: "block", block: DEVICE, change: "add-live", doc: DEVICE.doc },
  { attr: "gpu", type: "block", block: GPU, change: "add-live", doc: GPU.doc },
  {
    attr: "raw_lxc",
    type: "list(string)",
    schema: listOf(pattern(/^lxc\.[a-z0-9_.-]+\s*[:=]\s*.*$/, 'a raw line such as "lxc.apparmor.profile: unconfined" is required')),
    change: "pending",
    doc: "raw `lxc.*` lines pct cannot set, written into the conf file under the container's lock",
  },
  { attr: "started", type: "bool", schema: bool(), change: "apply", noReset: true, doc: "desired run state; absent = leave as it is" },
  {
    attr: "restart_on_change",
    type: "bool",
    schema: bool(),
    noImport: true,
    change: "apply",
    noReset: true,
    doc: "let apply restart a running container: `pct reboot` when changes are pending, `pct migrate --restart` for a node change",
  },
  {
    attr: "password",
    type: "string",
    schema: secretLine("A password"),
    sensitive: true,
    hashedAs: "password_sha256",
    noImport: true,
    change: "apply",
    noReset: true,
    doc: "root password, set with `chpasswd` inside the container (it must run); state keeps only its hash",
  },
  { attr: "ssh_public_keys", type: "list(string)", schema: listOf(str()), noImport: true, change: "apply", noReset: true, doc: "root's authorized_keys (`pct push`; the container must run)" },
  { attr: "allow_volume_removal", type: "bool", schema: bool(), noImport: true, change: "apply", doc: "let an in-place update delete volumes with data (a mount removed from the configuration)" },
];

/** Top-level arguments stored as one pct key each, read and printed by their codec (not blocks, description or tags). */
export const SCALAR_FIELDS: readonly TopField[] = TOP.filter((f) => f.pve && f.codec && !f.block && !f.manual);
