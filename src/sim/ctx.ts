// The invocation context: which simulated cluster (DIR) and node, where its files live, and
// buffered-free output helpers. Every path the simulator touches is derived here, inside DIR.
import { readFileSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface SimConfig {
  nodes: string[];
  latencyMs: number;
  /** pmxcfs quorum (src/sim/quorum.ts); false makes /etc/pve read-only */
  quorate: boolean;
}

export interface Ctx {
  dir: string;
  node: string;
  cfg: SimConfig;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** hang injected by a fault, spent while holding the CT config lock (or at once) */
  pendingHangMs: number;
}

export function readSimConfig(dir: string): SimConfig {
  const raw = JSON.parse(readFileSync(join(dir, "sim.json"), "utf8")) as Partial<SimConfig>;
  return { nodes: raw.nodes ?? ["pve1"], latencyMs: raw.latencyMs ?? 0, quorate: raw.quorate ?? true };
}

export function makeCtx(dir: string, env: NodeJS.ProcessEnv): Ctx {
  const cfg = readSimConfig(dir);
  const node = env["PMXSIM_NODE"] || cfg.nodes[0] || "pve1";
  return {
    dir,
    node,
    cfg,
    env,
    out: (t) => void writeSync(1, t),
    err: (t) => void writeSync(2, t),
    pendingHangMs: 0,
  };
}

export const paths = {
  pveDir: (dir: string) => join(dir, "etc", "pve"),
  nodeLxcDir: (dir: string, node: string) => join(dir, "etc", "pve", "nodes", node, "lxc"),
  nodeQemuDir: (dir: string, node: string) => join(dir, "etc", "pve", "nodes", node, "qemu-server"),
  confPath: (dir: string, node: string, vmid: number | string) => join(dir, "etc", "pve", "nodes", node, "lxc", `${vmid}.conf`),
  vmlist: (dir: string) => join(dir, "etc", "pve", ".vmlist"),
  nodeRoot: (dir: string, node: string) => join(dir, "nodes", node),
  vzDir: (dir: string, node: string) => join(dir, "nodes", node, "var", "lib", "vz"),
  templateDir: (dir: string, node: string) => join(dir, "nodes", node, "var", "lib", "vz", "template", "cache"),
  lvmDir: (dir: string, node: string) => join(dir, "nodes", node, "lvm"),
  /** the datasets of the node's rpool/data (local-zfs) */
  zfsDir: (dir: string, node: string) => join(dir, "nodes", node, "zfs"),
  devDir: (dir: string, node: string) => join(dir, "nodes", node, "dev"),
  runDir: (dir: string, node: string) => join(dir, "run", node),
  running: (dir: string, node: string, vmid: number | string) => join(dir, "run", node, `${vmid}.running`),
  lockDir: (dir: string) => join(dir, "run", "lock", "lxc"),
  logDir: (dir: string) => join(dir, "log"),
  calls: (dir: string) => join(dir, "log", "calls.jsonl"),
  execLog: (dir: string) => join(dir, "log", "exec.jsonl"),
  faults: (dir: string) => join(dir, "faults.json"),
  faultsState: (dir: string) => join(dir, "faults.state.json"),
};

export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
