// `pmxform sim init DIR`: lays out the simulated cluster (an /etc/pve-like tree, per-node
// storages, a fake /dev, ready templates) and the pct/pvesh/pvesm/pveam executables.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { paths } from "./ctx.js";
import { DEFAULT_INTERFACES, interfacesPath } from "./network.js";
import { writeInitialStore } from "./zfs-store.js";
import { writeStockNodeFiles } from "./node-files-stock.js";

export interface InitOptions {
  nodes?: string[];
  latencyMs?: number;
  force?: boolean;
  /** ZFS pools besides the installer's rpool, on every node (`--zfs-pool tank`). */
  zfsPools?: string[];
}

/**
 * flock takes the simulator's CT config locks for providers that edit a conf file directly; stat
 * answers for the fake device nodes; mkdir/touch/rmdir take, renew and release pmxcfs cluster
 * locks under /etc/pve/priv/lock, and with dd/mv/rm make, write, swap and remove files in
 * /etc/pve/priv under pmxcfs's rules (cfs-tools.ts).
 */
export const TOOLS = ["pct", "pvesh", "pvesm", "pveam", "flock", "stat", "mkdir", "touch", "rmdir", "dd", "mv", "rm", "grep", "zfs", "chown", "testparm", "smbcontrol", "exportfs"] as const;
export type Tool = (typeof TOOLS)[number];

export const TEMPLATES = ["debian-12-standard_12.7-1_amd64.tar.zst", "alpine-3.22-default_20250617_amd64.tar.xz"];

/** Fake host devices: path below /dev -> char device numbers (for devN validation). */
export const DEVICES: Record<string, { type: "c" | "b"; major: number; minor: number }> = {
  "dri/card0": { type: "c", major: 226, minor: 0 },
  "dri/renderD128": { type: "c", major: 226, minor: 128 },
  nvidia0: { type: "c", major: 195, minor: 0 },
  nvidiactl: { type: "c", major: 195, minor: 255 },
  "nvidia-uvm": { type: "c", major: 508, minor: 0 },
  "nvidia-uvm-tools": { type: "c", major: 508, minor: 1 },
  "nvidia-caps/nvidia-cap1": { type: "c", major: 236, minor: 1 },
  "nvidia-caps/nvidia-cap2": { type: "c", major: 236, minor: 2 },
  "net/tun": { type: "c", major: 10, minor: 200 },
  fuse: { type: "c", major: 10, minor: 229 },
};

const STORAGE_CFG = `dir: local
\tpath /var/lib/vz
\tcontent backup,iso,rootdir,snippets,vztmpl

lvmthin: local-lvm
\tthinpool data
\tvgname pve
\tcontent images,rootdir

zfspool: local-zfs
\tpool rpool/data
\tsparse
\tcontent images,rootdir
`;

/** This checkout's dist/, whether this module runs compiled (dist/src/sim) or from src/sim (tests). */
function distDir(): string {
  const up2 = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  return basename(up2) === "dist" ? up2 : join(up2, "dist");
}

/** Absolute path of the compiled (tsc, one file per module) simulator entry point in this checkout. */
export function simMainPath(): string {
  return join(distDir(), "src", "sim", "main.js");
}

/** Absolute path of the single-file simulator bundle (scripts/bundle-sim.mjs); may not exist. */
export function simBundlePath(): string {
  return join(distDir(), "sim", "pmxsim.cjs");
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function simBin(dir: string, tool: Tool): string {
  return join(resolve(dir), "bin", tool);
}

/**
 * `mkdir -p DIR` one level at a time: Node's recursive mkdirSync never returns for some paths
 * (under /proc it spins at full CPU), where a plain mkdir fails at once with a clear code.
 */
function makeDirChain(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

export function initSim(dirArg: string, opts: InitOptions = {}): string {
  const dir = resolve(dirArg);
  const nodes = opts.nodes && opts.nodes.length ? opts.nodes : ["pve1"];
  if (existsSync(join(dir, "sim.json"))) {
    if (!opts.force) throw new Error(`${dir} already holds a simulated cluster; pass --force to recreate it`);
    for (const sub of ["etc", "nodes", "run", "log", "bin", "sim.json", "faults.json", "faults.state.json"]) {
      rmSync(join(dir, sub), { recursive: true, force: true });
    }
  }
  makeDirChain(dir);
  makeDirs(dir, nodes);
  writeFileSync(join(dir, "sim.json"), JSON.stringify({ nodes, latencyMs: opts.latencyMs ?? 0 }, null, 2) + "\n");
  const pve = paths.pveDir(dir);
  for (const node of nodes) {
    const tdir = paths.templateDir(dir, node);
    for (const t of TEMPLATES) writeFileSync(join(tdir, t), `pmxform simulated template ${t}\n`);
    const dev = paths.devDir(dir, node);
    for (const d of Object.keys(DEVICES)) writeFileSync(join(dev, d), "");
    writeFileSync(join(paths.nodeRoot(dir, node), "devices.json"), JSON.stringify(DEVICES, null, 1) + "\n");
    writeFileSync(interfacesPath(dir, node), DEFAULT_INTERFACES);
    writeInitialStore(dir, node, opts.zfsPools ?? []);
    writeStockNodeFiles(dir, node);
  }
  writeFileSync(join(pve, "storage.cfg"), STORAGE_CFG);
  writeFileSync(join(pve, "datacenter.cfg"), "keyboard: en-us\n");
  writeFileSync(paths.vmlist(dir), JSON.stringify({ version: 1, ids: {} }, null, 1) + "\n");
  for (const tool of TOOLS) {
    const file = join(dir, "bin", tool);
    writeFileSync(file, binScript(dir, tool), { mode: 0o755 });
  }
  return dir;
}

/**
 * Every directory of the layout, each made once, parents first: recursive mkdir per leaf cost
 * ~20 failed mkdir calls on existing parents, and metadata calls are most of init's file work.
 */
function makeDirs(dir: string, nodes: string[]): void {
  // etc/pve/priv exists on every real node (pmxcfs keeps authkey.key there); backends write below it.
  const leaves = [paths.lockDir(dir), paths.logDir(dir), join(dir, "bin"), join(paths.pveDir(dir), "priv")];
  for (const node of nodes) {
    leaves.push(
      dirname(interfacesPath(dir, node)),
      paths.nodeLxcDir(dir, node),
      paths.nodeQemuDir(dir, node),
      paths.templateDir(dir, node),
      paths.lvmDir(dir, node),
      paths.zfsDir(dir, node),
      paths.runDir(dir, node),
    );
    for (const sub of ["images", "template/iso", "dump", "snippets"]) leaves.push(join(paths.vzDir(dir, node), sub));
    for (const d of Object.keys(DEVICES)) leaves.push(dirname(join(paths.devDir(dir, node), d)));
  }
  const all = new Set<string>();
  for (let d of leaves) {
    while (d.length > dir.length && !all.has(d)) {
      all.add(d);
      d = dirname(d);
    }
  }
  for (const d of [...all].sort((a, b) => a.length - b.length)) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

/**
 * The executable's text. It runs the bundle (one module to load) unless the bundle is missing or
 * older than the tsc output (a `tsc`-only rebuild would otherwise run stale code); the choice is
 * made per call so a sim created before `npm run build` picks the bundle up afterwards.
 * NODE_EXTRA_CA_CERTS is dropped: Node parses that certificate bundle at every start-up (about
 * 55 ms of CPU, more than half of a simulated call), and the simulator never speaks TLS.
 */
/**
 * Tools a real node has as coreutils, simulated only for pmxcfs's private tree (its cluster locks
 * and a state backend's files), named /etc/pve/priv/... or DIR/etc/pve/priv/... (the pve_root a
 * runner sees): any other use (a script on the node creating its own directories) runs the
 * system's tool, as on a real node. Without this a session with the simulator's bin first in PATH
 * could not mkdir anywhere else.
 */
const PRIV_TREE_TOOLS: ReadonlySet<string> = new Set(["mkdir", "touch", "rmdir", "dd", "mv", "rm", "grep"]);

function systemToolFallback(dir: string, tool: string): string[] {
  if (!PRIV_TREE_TOOLS.has(tool)) return [];
  const simPriv = shQuote(join(resolve(dir), "etc", "pve", "priv") + "/");
  return [
    'case " $* " in',
    `  *" /etc/pve/priv/"*|*" of=/etc/pve/priv/"*|*" "${simPriv}*|*" of="${simPriv}*) ;;`,
    // A node's own Samba and NFS files (node-files.ts), kept per node in the simulator.
    `  *" /etc/samba/"*|*" of=/etc/samba/"*|*" /etc/exports"*|*" of=/etc/exports"*) ;;`,
    `  *) for d in /usr/bin /bin; do [ -x "$d/${tool}" ] && exec "$d/${tool}" "$@"; done ;;`,
    "esac",
  ];
}

export function binScript(dir: string, tool: string, entries = { bundle: simBundlePath(), main: simMainPath() }): string {
  return [
    "#!/bin/sh",
    ...systemToolFallback(dir, tool),
    `entry=${shQuote(entries.bundle)}`,
    `main=${shQuote(entries.main)}`,
    `[ -f "$entry" ] && [ ! "$entry" -ot "$main" ] || entry="$main"`,
    "unset NODE_EXTRA_CA_CERTS",
    `exec ${shQuote(process.execPath)} "$entry" ${shQuote(dir)} ${shQuote(tool)} "$@"`,
    "",
  ].join("\n");
}
