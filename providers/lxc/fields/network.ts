// The network "NAME" block: one netN key per interface (pve-container's $netconf_desc). The label
// is the interface name inside the container; the slot N is chosen once and kept for life.
import { bool, int, num, pattern } from "../../../src/provider/schema.js";
import { flag, mac, number, text, type Block } from "./types.js";

const IPV4_CIDR = /^(dhcp|manual|(\d{1,3}\.){3}\d{1,3}\/([89]|[12]\d|3[0-2]))$/;
const IPV6_CIDR = /^(auto|dhcp|manual|[0-9a-fA-F:]+\/\d{1,3})$/;

export const NETWORK: Block = {
  name: "network",
  pve: "net",
  maxIndex: 31,
  labelled: true,
  change: "live",
  // pve-container's hot-unplug matches only /^net(\d)$/ (pve-lxc-schema.json, net[n].hotplug_note).
  liveDeleteMaxIndex: 9,
  doc: "One interface, keyed by its name inside the container; the netN slot is kept for life. Changes are live (removing net10 and above waits for a restart).",
  fields: [
    { attr: "bridge", pve: "bridge", type: "string", codec: text, schema: pattern(/^[-_.\w]+$/, "a bridge name such as vmbr0 is required"), change: "live", doc: "bridge such as `vmbr0`" },
    {
      attr: "ip",
      pve: "ip",
      type: "string",
      codec: text,
      schema: pattern(IPV4_CIDR, 'an IPv4 address with prefix ("10.0.0.5/24"), "dhcp" or "manual" is required'),
      change: "live",
      doc: '`"10.0.0.5/24"`, `"dhcp"` or `"manual"`',
    },
    { attr: "gw", pve: "gw", type: "string", codec: text, schema: pattern(/^(\d{1,3}\.){3}\d{1,3}$/, "an IPv4 address is required"), change: "live", doc: "IPv4 gateway" },
    {
      attr: "ip6",
      pve: "ip6",
      type: "string",
      codec: text,
      schema: pattern(IPV6_CIDR, 'an IPv6 address with prefix, "auto", "dhcp" or "manual" is required'),
      change: "live",
      doc: 'IPv6 address with prefix, `"auto"`, `"dhcp"` or `"manual"`',
    },
    { attr: "gw6", pve: "gw6", type: "string", codec: text, schema: pattern(/^[0-9a-fA-F:]+$/, "an IPv6 address is required"), change: "live", doc: "IPv6 gateway" },
    {
      attr: "hwaddr",
      pve: "hwaddr",
      type: "string",
      codec: mac,
      schema: pattern(/^[0-9a-fA-F][02468aceACE](:[0-9a-fA-F]{2}){5}$/, "a unicast MAC address such as BC:24:11:00:00:01 is required"),
      change: "live",
      doc: "MAC address; left out: the one Proxmox generated is kept (case-insensitive)",
    },
    { attr: "tag", pve: "tag", type: "int", codec: number, schema: int(1, 4094), change: "live", doc: "VLAN tag 1..4094" },
    { attr: "firewall", pve: "firewall", type: "bool", codec: flag, schema: bool(), change: "live", doc: "use the interface's firewall rules" },
    { attr: "mtu", pve: "mtu", type: "int", codec: number, schema: int(64, 65535), change: "live", doc: "64..65535" },
    { attr: "rate", pve: "rate", type: "number", codec: number, schema: num(0), change: "live", doc: "rate limit in MB/s" },
    { attr: "link_down", pve: "link_down", type: "bool", codec: flag, schema: bool(), change: "live", doc: "disconnect the interface" },
    {
      attr: "trunks",
      pve: "trunks",
      type: "string",
      codec: text,
      schema: pattern(/^\d+(;\d+)*$/, 'VLAN ids separated by ";" are required'),
      change: "live",
      doc: 'VLAN ids passed through, `"10;20"`',
    },
    // pct create sets it on application containers; lxc_container cannot ask for it, so the node's value stays.
    {
      attr: "host_managed",
      pve: "host-managed",
      type: "bool",
      codec: flag,
      keep: true,
      noImport: true,
      change: "computed",
      doc: "the host configures the interface (set by pct create for OCI application containers; kept as the node has it)",
    },
    { attr: "slot", type: "int", change: "computed", doc: "the N of netN" },
  ],
};

/** The block label is the interface's `name=`; every netN is `type=veth` (Proxmox writes it back). */
export const NETWORK_LABEL_KEY = "name";
export const NETWORK_FIXED: Record<string, string> = { type: "veth" };
