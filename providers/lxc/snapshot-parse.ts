// Pure parsers for the three batched reads a cluster snapshot is built from: pvesh's
// /cluster/resources JSON, `grep -a -r -H -e ''` over /etc/pve/nodes, and /nodes/<n>/lxc JSON.

export interface ClusterGuest {
  vmid: number;
  node: string;
  type: "lxc" | "qemu";
  status?: string;
  lock?: string;
  template?: boolean;
}

export interface ClusterStorage {
  storage: string;
  node: string;
  status?: string;
  content?: string[];
  plugintype?: string;
  shared?: boolean;
  /** Size and used space in bytes (the resource list's maxdisk and disk), when reported. */
  total?: number;
  used?: number;
}

export interface ClusterResources {
  guests: ClusterGuest[];
  /** Nodes named by "node" entries, or by any guest/storage when the list holds only guests. */
  nodes: string[];
  storages: ClusterStorage[];
}

function parseJsonArray(text: string, what: string): Record<string, unknown>[] {
  let data: unknown;
  try {
    data = JSON.parse(text.trim() === "" ? "[]" : text);
  } catch {
    throw new Error(`${what}: output is not JSON: ${text.slice(0, 120)}`);
  }
  if (!Array.isArray(data)) throw new Error(`${what}: expected a JSON array`);
  return data.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null);
}

const asNumber = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);
const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** `pvesh get /cluster/resources [--type vm] --output-format json`. */
export function parseClusterResources(text: string): ClusterResources {
  const guests: ClusterGuest[] = [];
  const storages: ClusterStorage[] = [];
  const nodes = new Set<string>();
  for (const item of parseJsonArray(text, "pvesh get /cluster/resources")) {
    const type = asString(item["type"]);
    const node = asString(item["node"]);
    if (type === "node" && node) nodes.add(node);
    if ((type === "lxc" || type === "qemu") && node) {
      const vmid = asNumber(item["vmid"]) ?? asNumber(asString(item["id"])?.split("/")[1]);
      if (vmid === undefined) continue;
      const g: ClusterGuest = { vmid, node, type };
      const status = asString(item["status"]);
      if (status) g.status = status;
      const lock = asString(item["lock"]);
      if (lock) g.lock = lock;
      if (asNumber(item["template"]) === 1) g.template = true;
      guests.push(g);
      nodes.add(node);
    }
    if (type === "storage" && node) {
      const storage = asString(item["storage"]);
      if (!storage) continue;
      const s: ClusterStorage = { storage, node };
      const status = asString(item["status"]);
      if (status) s.status = status;
      const content = asString(item["content"]);
      if (content) s.content = content.split(",").filter(Boolean);
      const plugin = asString(item["plugintype"]);
      if (plugin) s.plugintype = plugin;
      if (asNumber(item["shared"]) === 1) s.shared = true;
      const total = asNumber(item["maxdisk"]);
      const used = asNumber(item["disk"]);
      if (total !== undefined) s.total = total;
      if (used !== undefined) s.used = used;
      storages.push(s);
      nodes.add(node);
    }
  }
  return { guests, nodes: [...nodes].sort(), storages };
}

export interface NodeBridge {
  name: string;
  mtu: number;
}

/**
 * `pvesh get /nodes/<node>/network --type any_bridge --output-format json` (pve-manager
 * API2/Network.pm index): the node's Linux and OVS bridges from its network configuration. An
 * interface without an mtu option carries the kernel's default, 1500.
 */
export function parseNodeBridges(text: string): NodeBridge[] {
  const out: NodeBridge[] = [];
  for (const item of parseJsonArray(text, "pvesh get /nodes/<node>/network")) {
    const name = asString(item["iface"]);
    if (!name) continue;
    out.push({ name, mtu: asNumber(item["mtu"]) ?? 1500 });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface ConfFile {
  node: string;
  vmid: number;
  text: string;
}

const CONF_PATH = /^(.*?\/nodes\/([^/]+)\/lxc\/([1-9]\d{2,8})\.conf):(.*)$/s;

/**
 * `grep -a -r -H -e '' --include=*.conf ROOT/nodes` prints every line of every file as
 * `PATH:LINE`. Lines are regrouped per file in output order; anything outside nodes/*\/lxc/ (VM
 * configs, other .conf files) is ignored. Each file's text is its lines joined by "\n" plus a
 * trailing "\n", which is the file itself whenever it ends with a newline (pct always writes one).
 */
export function parseConfDump(output: string): ConfFile[] {
  const files = new Map<string, { node: string; vmid: number; lines: string[] }>();
  const lines = output.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    const m = CONF_PATH.exec(line);
    if (!m) continue;
    const path = m[1]!;
    let f = files.get(path);
    if (!f) {
      f = { node: m[2]!, vmid: Number(m[3]), lines: [] };
      files.set(path, f);
    }
    f.lines.push(m[4]!);
  }
  return [...files.values()].map((f) => ({ node: f.node, vmid: f.vmid, text: f.lines.join("\n") + "\n" }));
}

export interface NodeCtStatus {
  vmid: number;
  running: boolean;
  lock?: string;
}

/** `pvesh get /nodes/<node>/lxc --output-format json`: live run state per container. */
export function parseNodeLxcList(text: string): NodeCtStatus[] {
  const out: NodeCtStatus[] = [];
  for (const item of parseJsonArray(text, "pvesh get /nodes/<node>/lxc")) {
    const vmid = asNumber(item["vmid"]);
    if (vmid === undefined) continue;
    const s: NodeCtStatus = { vmid, running: item["status"] === "running" };
    const lock = asString(item["lock"]);
    if (lock) s.lock = lock;
    out.push(s);
  }
  return out;
}
