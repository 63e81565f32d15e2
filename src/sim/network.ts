// A simulated node's network: nodes/<node>/etc/network/interfaces, read as pve-common's
// Network/Interfaces.pm __read_etc_network_interfaces does (the subset of stanzas and options a
// Proxmox node has), and the bridge facts pct needs from it. The file is taken as what the kernel
// runs (the real read_bridge_mtu reads /sys/class/net/<bridge>/mtu after ifreload).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { paths, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import type { ConfSection } from "../pve/conf.js";
import { parsePropertyString } from "../pve/propstring.js";

export type IfaceValue = string | number | string[];
export type Iface = Record<string, IfaceValue>;

/** What `sim init` writes: a management bridge on the first NIC and a VLAN-aware jumbo-frame bridge. */
export const DEFAULT_INTERFACES = `auto lo
iface lo inet loopback

iface eno1 inet manual

iface eno2 inet manual

auto vmbr0
iface vmbr0 inet static
\taddress 192.168.100.2/24
\tgateway 192.168.100.1
\tbridge-ports eno1
\tbridge-stp off
\tbridge-fd 0

auto vmbr1
iface vmbr1 inet manual
\tbridge-ports eno2
\tbridge-stp off
\tbridge-fd 0
\tbridge-vlan-aware yes
\tbridge-vids 2-4094
\tmtu 9000

source /etc/network/interfaces.d/*
`;

export function interfacesPath(dir: string, node: string): string {
  return join(paths.nodeRoot(dir, node), "etc", "network", "interfaces");
}

// Interfaces.pm $options_alternatives: the ifupdown2 spellings of the keys the API reports
const ALIASES: Record<string, string> = {
  "bridge-vlan-aware": "bridge_vlan_aware",
  "bridge-fd": "bridge_fd",
  "bridge-stp": "bridge_stp",
  "bridge-ports": "bridge_ports",
  "bridge-vids": "bridge_vids",
  "bond-slaves": "slaves",
  "bond-mode": "bond_mode",
  ovs_mtu: "mtu",
};
const SIMPLE = new Set(["mtu", "bridge_fd", "bridge_vids", "ovs_type", "ovs_bridge", "ovs_ports", "vlan-raw-device", "vlan-id", "bond_mode"]);
// Interfaces.pm $PHYSICAL_NIC_RE
const PHYSICAL_NIC = /^(?:eth\d+|en[^:.]+|ib[^:.]+|(?:nic|if)\d+)$/;

/** Interfaces.pm __read_etc_network_interfaces, for the stanzas and options above. */
export function parseInterfaces(text: string): Map<string, Iface> {
  const ifaces = new Map<string, Iface>();
  const get = (name: string): Iface => {
    let d = ifaces.get(name);
    if (!d) ifaces.set(name, (d = {}));
    return d;
  };
  let priority = 2; // 1 is lo's
  let current: { d: Iface; suffix: string } | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+$/, "");
    if (/^\s*#/.test(line) || line === "") continue;
    const auto = /^\s*(?:allow-auto|auto|allow-ovs|allow-hotplug)\s+(.*)$/.exec(line);
    const stanza = /^\s*iface\s+(\S+)(?:\s+(inet6?)\s+(\S+))?\s*$/.exec(line);
    if (auto) {
      current = undefined;
      for (const n of auto[1]!.split(/\s+/)) get(n)["autostart"] = 1;
    } else if (stanza) {
      const d = get(stanza[1]!);
      if (d["priority"] === undefined) d["priority"] = priority++;
      const family = stanza[2];
      d["families"] = [...((d["families"] as string[] | undefined) ?? []), ...(family ? [family] : [])];
      const suffix = family === "inet6" ? "6" : "";
      if (stanza[3]) d[`method${suffix}`] = stanza[3];
      current = { d, suffix };
    } else if (current && /^\s+\S+\s+.+$/.test(line)) {
      const m = /^\s*(\S+)\s+(.+)$/.exec(line)!;
      const id = ALIASES[m[1]!] ?? m[1]!;
      const value = m[2]!;
      const d = current.d;
      if (["address", "netmask", "gateway"].includes(id)) d[id + (current.suffix || (id !== "netmask" && value.includes(":") ? "6" : ""))] = value;
      else if (SIMPLE.has(id)) d[id] = value;
      else if (id === "bridge_ports" || id === "slaves") {
        const ports = value.split(/\s+/).filter((p) => p !== "none");
        if (id === "bridge_ports" && value.split(/\s+/).includes("none")) d["is_empty_bridge"] = 1;
        d[id] = [...new Set(ports)].sort().join(" ");
      } else if (id === "bridge_stp") d[id] = /^(?:on|yes)$/i.test(value) ? "on" : "off";
      // the option's presence is what counts, whatever its value
      else if (id === "bridge_vlan_aware") d[id] = 1;
    } else current = undefined;
  }
  if (!ifaces.has("lo")) ifaces.set("lo", { priority: 1, method: "loopback", autostart: 1 });
  for (const [name, d] of ifaces) {
    d["type"] = typeOf(name, d);
    if (d["type"] === "eth") d["exists"] = 1;
    delete d["is_empty_bridge"];
    const addr = d["address"];
    if (typeof addr === "string") {
      const cidr = /^(.+)\/(\d+)$/.exec(addr);
      if (cidr) Object.assign(d, { cidr: addr, address: cidr[1]!, netmask: cidr[2]! });
    }
    d["method"] ??= "manual";
    d["method6"] ??= "manual";
    if (!(d["families"] as string[] | undefined)?.length) d["families"] = ["inet"];
    // the simulated kernel runs what the file says
    d["active"] = 1;
  }
  return ifaces;
}

function typeOf(name: string, d: Iface): string {
  if (d["bridge_ports"] !== undefined || d["is_empty_bridge"]) return d["ovs_type"] === "OVSBridge" ? "OVSBridge" : "bridge";
  if (/^bond\d+$/.test(name)) return "bond";
  if (/^\S+\.\d+$/.test(name) || d["vlan-raw-device"] !== undefined) return "vlan";
  if (PHYSICAL_NIC.test(name)) return "eth";
  if (name === "lo") return "loopback";
  return "unknown";
}

/** The node's interfaces; a node without the file has only lo (as a node whose file was emptied). */
export function nodeInterfaces(ctx: Ctx, node = ctx.node): Map<string, Iface> {
  let text = "";
  try {
    text = readFileSync(interfacesPath(ctx.dir, node), "utf8");
  } catch {
    // no file: nothing but the loopback device
  }
  return parseInterfaces(text);
}

export interface Bridge {
  name: string;
  mtu: number;
  vlanAware: boolean;
}

/** Linux and OVS bridges of a node. */
export function nodeBridges(ctx: Ctx, node = ctx.node): Bridge[] {
  const out: Bridge[] = [];
  for (const [name, d] of nodeInterfaces(ctx, node)) {
    if (d["type"] !== "bridge" && d["type"] !== "OVSBridge") continue;
    out.push({ name, mtu: Number(d["mtu"] ?? 1500), vlanAware: d["bridge_vlan_aware"] === 1 });
  }
  return out;
}

/**
 * pve-common Network.pm read_bridge_mtu: /sys/class/net/<name>/mtu, so any interface of the node
 * answers (1500 unless the file sets mtu); a name the node lacks is its "does not exist" error.
 */
export function readBridgeMtu(ctx: Ctx, bridge: string | undefined, node = ctx.node): number {
  const d = bridge === undefined ? undefined : nodeInterfaces(ctx, node).get(bridge);
  if (!d) throw new SimError(`bridge '${bridge ?? ""}' does not exist`);
  return Number(d["mtu"] ?? (bridge === "lo" ? 65536 : 1500));
}

/**
 * The network part of pve-container LXC.pm update_lxc_config, run after `pct set` writes the
 * config and by `pct start` (vm_start): every netN's bridge must exist, its MTU fit the bridge's,
 * and a host-managed NIC that is up cannot use SLAAC (this message has no final period).
 */
export function checkLxcNetworks(ctx: Ctx, section: ConfSection): void {
  if (section.keys.get("template") === "1") return; // update_lxc_config only removes a template's lxc config
  const keys = [...section.keys.keys()].filter((k) => /^net\d+$/.test(k)).sort();
  for (const k of keys) {
    const net = parsePropertyString("net", section.keys.get(k)!).value;
    const bridgeMtu = readBridgeMtu(ctx, net["bridge"]);
    const mtu = Number(net["mtu"] || bridgeMtu);
    if (mtu > bridgeMtu) throw new SimError(`${k}: MTU size '${mtu}' is bigger than bridge MTU '${bridgeMtu}'`);
    if (net["link_down"] !== "1" && net["host-managed"] === "1" && net["ip6"] === "auto") {
      throw new SimError(`${k}: SLAAC is not supported for host-managed network configuration`);
    }
  }
}
