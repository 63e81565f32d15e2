// `pvesh get` for the API paths pmxform reads: cluster resources and next id, per-node CT lists,
// CT config/status/pending/snapshots, storage content. Any node's path is answered (auto-proxy).
import { sectionToJson } from "../pve/json.js";
import { parseArgs, type VerbSpec } from "./args.js";
import { listGuests, loadConfOn } from "./cluster.js";
import type { Ctx } from "./ctx.js";
import { ParamError, SimError } from "./errors.js";
import { formatOutput } from "./format.js";
import { mergedSection } from "./ct.js";
import { pendingItems } from "./pct.js";
import { vmStatus } from "./status.js";
import { listVolumes } from "./storage.js";
import { nodeStorages } from "./storage-status.js";
import { nodeInterfaces } from "./network.js";

const FORMAT_OPTS: VerbSpec["options"] = {
  "output-format": "string",
  noproxy: "boolean",
  noheader: "boolean",
  noborder: "boolean",
  quiet: "boolean",
  "human-readable": "boolean",
};

const GET_USAGE = "USAGE: pvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]";

export function runPvesh(ctx: Ctx, argv: string[]): number {
  const [verb, path, ...rest] = argv;
  if (verb !== "get") {
    if (verb && ["set", "create", "delete", "ls", "usage"].includes(verb)) throw new SimError(`pvesh ${verb}: not simulated (only 'get' is)`);
    throw new SimError(`ERROR: unknown command 'pvesh ${verb ?? ""}'\nUSAGE: pvesh <COMMAND> [ARGS] [OPTIONS]`);
  }
  if (!path) throw new SimError(`400 not enough arguments\n${GET_USAGE}`);
  const norm = "/" + path.replace(/^\/+|\/+$/g, "");
  const route = resolve(ctx, norm);
  if (!route) throw new SimError(`No 'get' handler defined for '${norm}'`);
  const a = parseArgs({ usage: GET_USAGE, positional: [], options: { ...FORMAT_OPTS, ...route.options } }, rest);
  const format = a.opts.get("output-format") ?? "text";
  if (!["json", "json-pretty", "text", "yaml"].includes(format)) {
    throw new ParamError([["output-format", `value '${format}' does not have a value in the enumeration 'text, json, json-pretty, yaml'`]], GET_USAGE);
  }
  const data = route.run(a.opts);
  ctx.out(formatOutput(data, format === "yaml" ? "json-pretty" : format));
  return 0;
}

interface Route {
  options: VerbSpec["options"];
  run(opts: Map<string, string>): unknown;
}

function checkNode(ctx: Ctx, node: string): void {
  if (!ctx.cfg.nodes.includes(node)) {
    throw new SimError(`hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known`);
  }
}

function resolve(ctx: Ctx, path: string): Route | undefined {
  if (path === "/cluster/resources") return { options: { type: "string" }, run: (o) => clusterResources(ctx, o.get("type")) };
  if (path === "/cluster/nextid") return { options: { vmid: "string" }, run: (o) => nextId(ctx, o.get("vmid")) };
  if (path === "/nodes") return { options: {}, run: () => ctx.cfg.nodes.map((n) => ({ node: n, status: "online", type: "node", id: `node/${n}` })) };
  let m = /^\/nodes\/([^/]+)\/network$/.exec(path);
  if (m) {
    const node = m[1]!;
    return { options: { type: "string" }, run: (o) => networkIndex(ctx, node, o.get("type")) };
  }
  m = /^\/nodes\/([^/]+)\/lxc$/.exec(path);
  if (m) {
    const node = m[1]!;
    return {
      options: {},
      run: () => {
        checkNode(ctx, node);
        return listGuests(ctx.dir, ctx.cfg.nodes)
          .filter((g) => g.node === node && g.type === "lxc")
          .map((g) => vmStatus(ctx, node, g.vmid, loadConfOn(ctx, node, g.vmid).conf));
      },
    };
  }
  m = /^\/nodes\/([^/]+)\/lxc\/(\d+)\/(config|status\/current|pending|snapshot)$/.exec(path);
  if (m) {
    const node = m[1]!;
    const vmid = Number(m[2]);
    const what = m[3]!;
    const load = () => {
      checkNode(ctx, node);
      return loadConfOn(ctx, node, vmid);
    };
    if (what === "config") {
      return {
        options: { current: "boolean", snapshot: "string" },
        run: (o) => {
          const { conf, digest } = load();
          const snap = o.get("snapshot");
          if (snap !== undefined && o.get("current") === "1") throw new ParamError([["snapshot", "cannot use 'snapshot' parameter with 'current'"]], GET_USAGE);
          let section = o.get("current") === "1" ? conf.main : mergedSection(conf);
          if (snap !== undefined) {
            const s = conf.snapshots.get(snap);
            if (!s) throw new SimError(`snapshot '${snap}' does not exist`);
            section = s;
          }
          return { ...sectionToJson(section), digest };
        },
      };
    }
    if (what === "status/current") {
      return { options: {}, run: () => ({ ...vmStatus(ctx, node, vmid, load().conf), ha: { managed: 0 } }) };
    }
    if (what === "pending") {
      return {
        options: {},
        run: () => {
          const { conf, digest } = load();
          return [...pendingItems(conf.main, conf.pending), { key: "digest", value: digest }];
        },
      };
    }
    return {
      options: {},
      run: () => {
        const { conf, digest } = load();
        const out: Record<string, unknown>[] = [...conf.snapshots].map(([name, s]) => {
          const item: Record<string, unknown> = { name, description: s.description ?? "" };
          const t = s.keys.get("snaptime");
          if (t) item["snaptime"] = Number(t);
          const p = s.keys.get("parent");
          if (p) item["parent"] = p;
          return item;
        });
        const cur: Record<string, unknown> = { name: "current", description: "You are here!", digest, running: 0 };
        const p = conf.main.keys.get("parent");
        if (p) cur["parent"] = p;
        out.push(cur);
        return out;
      },
    };
  }
  m = /^\/nodes\/([^/]+)\/storage$/.exec(path);
  if (m) {
    const node = m[1]!;
    return {
      options: { content: "string", enabled: "boolean", format: "boolean", storage: "string", target: "string" },
      run: (o) => {
        checkNode(ctx, node);
        const only = o.get("storage");
        return nodeStorages(ctx, node, o.get("content")).filter((s) => !only || s.storage === only);
      },
    };
  }
  m = /^\/nodes\/([^/]+)\/storage\/([^/]+)\/content$/.exec(path);
  if (m) {
    const node = m[1]!;
    const storage = m[2]!;
    return {
      options: { content: "string", vmid: "string" },
      run: (o) => {
        checkNode(ctx, node);
        return listVolumes(ctx, storage, node)
          .filter((v) => !o.get("content") || (v.kind === "vztmpl" ? "vztmpl" : "images") === o.get("content"))
          .filter((v) => !o.get("vmid") || String(v.vmid) === o.get("vmid"))
          .map((v) => ({ volid: v.volid, size: v.size, content: v.kind === "vztmpl" ? "vztmpl" : "images", format: formatOf(v.volname), ...(v.vmid !== undefined ? { vmid: v.vmid } : {}) }));
      },
    };
  }
  return undefined;
}

export function formatOf(volname: string): string {
  if (volname.endsWith(".tar.zst")) return "tzst";
  if (volname.endsWith(".tar.xz")) return "txz";
  if (volname.endsWith(".tar.gz")) return "tgz";
  if (volname.endsWith(".tar.bz2")) return "tbz2";
  if (volname.endsWith(".tar")) return "tar";
  // pve-storage ZFSPoolPlugin.pm parse_volname: subvol-/basevol- names are format subvol
  if (volname.endsWith(".subvol") || /^(?:subvol|basevol)-/.test(volname)) return "subvol";
  return "raw";
}

function clusterResources(ctx: Ctx, type: string | undefined): unknown[] {
  if (type !== undefined && !["vm", "storage", "node", "sdn"].includes(type)) {
    throw new ParamError([["type", `value '${type}' does not have a value in the enumeration 'vm, storage, node, sdn'`]], GET_USAGE);
  }
  const out: Record<string, unknown>[] = [];
  if (!type || type === "vm") {
    for (const g of listGuests(ctx.dir, ctx.cfg.nodes)) {
      if (g.type === "qemu") {
        out.push({ id: `qemu/${g.vmid}`, type: "qemu", vmid: g.vmid, node: g.node, status: "stopped", template: 0 });
        continue;
      }
      let conf;
      try {
        conf = loadConfOn(ctx, g.node, g.vmid).conf;
      } catch {
        continue;
      }
      const st = vmStatus(ctx, g.node, g.vmid, conf);
      const item: Record<string, unknown> = {
        id: `lxc/${g.vmid}`,
        type: "lxc",
        vmid: g.vmid,
        node: g.node,
        status: st["status"],
        name: st["name"],
        uptime: st["uptime"],
        template: st["template"] ?? 0,
        maxcpu: st["cpus"],
        cpu: 0,
        maxmem: st["maxmem"],
        mem: st["mem"],
        maxdisk: st["maxdisk"],
        disk: st["disk"],
        netin: 0,
        netout: 0,
        diskread: 0,
        diskwrite: 0,
      };
      if (st["lock"]) item["lock"] = st["lock"];
      if (st["tags"]) item["tags"] = st["tags"];
      out.push(item);
    }
  }
  if (!type || type === "node") {
    for (const n of ctx.cfg.nodes)
      out.push({
        id: `node/${n}`,
        type: "node",
        node: n,
        status: "online",
        level: "",
        maxcpu: 4,
        cpu: 0,
        maxmem: 16 * 1024 ** 3,
        mem: 2 * 1024 ** 3,
        maxdisk: 100 * 1024 ** 3,
        disk: 10 * 1024 ** 3,
        uptime: 86400,
      });
  }
  if (!type || type === "storage") {
    for (const n of ctx.cfg.nodes) {
      for (const s of nodeStorages(ctx, n)) {
        out.push({
          id: `storage/${n}/${s.storage}`,
          type: "storage",
          storage: s.storage,
          node: n,
          status: "available",
          plugintype: s.type,
          content: s.content,
          shared: 0,
          maxdisk: s.total,
          disk: s.used,
        });
      }
    }
  }
  return out;
}

// pve-manager PVE/API2/Network.pm $network_type_enum plus the index's own filters
const NETWORK_TYPES = [
  "bridge",
  "bond",
  "eth",
  "alias",
  "vlan",
  "fabric",
  "OVSBridge",
  "OVSBond",
  "OVSPort",
  "OVSIntPort",
  "VPPBridge",
  "VPPVlan",
  "vnet",
  "any_bridge",
  "any_local_bridge",
  "include_sdn",
];

/** pve-manager API2/Network.pm index: every interface but lo, optionally of one type. */
function networkIndex(ctx: Ctx, node: string, type: string | undefined): unknown[] {
  if (type !== undefined && !NETWORK_TYPES.includes(type)) {
    throw new ParamError([["type", `value '${type}' does not have a value in the enumeration '${NETWORK_TYPES.join(", ")}'`]], GET_USAGE);
  }
  checkNode(ctx, node);
  const out: Record<string, unknown>[] = [];
  for (const [iface, d] of nodeInterfaces(ctx, node)) {
    if (iface === "lo") continue;
    const t = d["type"];
    const bridge = t === "bridge" || t === "OVSBridge";
    if (type && type !== "include_sdn" && !(type === t || ((type === "any_bridge" || type === "any_local_bridge") && bridge))) continue;
    out.push({ iface, ...d });
  }
  return out;
}

function nextId(ctx: Ctx, vmid: string | undefined): string {
  const used = new Set(listGuests(ctx.dir, ctx.cfg.nodes).map((g) => g.vmid));
  if (vmid !== undefined) {
    if (!/^[1-9][0-9]{2,8}$/.test(vmid)) throw new ParamError([["vmid", "invalid format - value does not look like a valid VM ID"]], GET_USAGE);
    if (used.has(Number(vmid))) throw new ParamError([["vmid", `VM ${vmid} already exists`]], GET_USAGE);
    return vmid;
  }
  for (let id = 100; ; id++) if (!used.has(id)) return String(id);
}
