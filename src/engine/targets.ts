// How each Proxmox node is reached: the simulator, this machine (local = true), or (issue 8)
// SSH. Decided from the `proxmox { node "x" { ... } }` blocks; PMXFORM_SIM=DIR sends every node
// to the simulator at DIR, creating it when absent.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { attr } from "../config/body.js";
import { unmark } from "../config/value.js";
import type { Runner } from "../exec/runner.js";
import { LocalRunner } from "../exec/local.js";
import { SimRunner } from "../exec/sim.js";
import type { ConfigEvaluation } from "./evaluation.js";

export interface NodeTarget {
  name: string;
  kind: "sim" | "local" | "ssh";
  runner: Runner;
  /** Where the node's /etc/pve is as its runner sees it. */
  pveRoot: string;
  /** Most operations at once on this node. */
  maxParallel?: number;
  simDir?: string;
}

export class Targets {
  constructor(
    private readonly byName: Map<string, NodeTarget>,
    /** When set, undeclared nodes are reached through this simulator too. */
    private readonly fallbackSim?: string,
  ) {}

  get(node: string): NodeTarget | undefined {
    const t = this.byName.get(node);
    if (t || !this.fallbackSim) return t;
    const sim = simTarget(node, this.fallbackSim);
    this.byName.set(node, sim);
    return sim;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  runnerFor = (node: string): Runner => {
    const t = this.get(node);
    if (!t) throw new UnknownNodeError(node, this.names());
    return t.runner;
  };

  pveRootFor = (node: string): string => this.get(node)?.pveRoot ?? "/etc/pve";
}

export class UnknownNodeError extends Error {
  constructor(readonly node: string, readonly known: string[]) {
    super(`node "${node}" is not declared in the proxmox block (declared: ${known.join(", ") || "none"}); add proxmox { node "${node}" { ... } }`);
  }
}

function simTarget(name: string, dir: string): NodeTarget {
  return { name, kind: "sim", runner: new SimRunner(dir, name), pveRoot: resolve(dir, "etc/pve"), simDir: dir };
}

/** Builds the targets from the configuration; creates simulators that do not exist yet. */
export async function buildTargets(ev: ConfigEvaluation, env: NodeJS.ProcessEnv = process.env): Promise<{ targets: Targets; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, NodeTarget>();
  const envSim = env.PMXFORM_SIM ? resolve(process.cwd(), env.PMXFORM_SIM) : undefined;
  const simNodes = new Map<string, string[]>();
  for (const decl of ev.module.nodes.values()) {
    const get = (name: string): unknown => {
      const a = attr(decl.body, name);
      if (!a) return undefined;
      const r = ev.eval(a.expr, ev.scope());
      diagnostics.push(...r.diagnostics);
      return unmark(r.value);
    };
    const sim = get("sim");
    const ssh = get("ssh");
    const local = get("local");
    const maxParallel = get("max_parallel");
    const set = [sim !== undefined && sim !== null, ssh !== undefined && ssh !== null, local === true].filter(Boolean).length;
    let target: NodeTarget | undefined;
    if (envSim) {
      target = simTarget(decl.name, envSim);
    } else if (set !== 1) {
      diagnostics.push(error("Invalid node block", `Node "${decl.name}" must set exactly one of sim = DIR, ssh = "root@host" or local = true.`, decl.range));
      continue;
    } else if (typeof sim === "string") {
      const dir = isAbsolute(sim) ? sim : resolve(ev.baseDir, sim);
      target = simTarget(decl.name, dir);
    } else if (local === true) {
      target = { name: decl.name, kind: "local", runner: new LocalRunner(), pveRoot: "/etc/pve" };
    } else {
      diagnostics.push(error("SSH targets are not available yet", `Node "${decl.name}" uses ssh = ..., which this build of pmxform cannot reach yet. Run pmxform on the node with local = true, or use the simulator (sim = DIR).`, decl.range));
      continue;
    }
    if (typeof maxParallel === "number") target.maxParallel = maxParallel;
    byName.set(decl.name, target);
    if (target.simDir) simNodes.set(target.simDir, [...(simNodes.get(target.simDir) ?? []), decl.name]);
  }
  if (envSim && !simNodes.has(envSim)) simNodes.set(envSim, []);
  for (const [dir, nodes] of simNodes) {
    if (!existsSync(resolve(dir, "sim.json"))) {
      const { initSim } = await import("../sim/index.js");
      initSim(dir, { nodes: nodes.length ? nodes : ["pve1"] });
    }
  }
  if (envSim) {
    // Every node the simulator has is reachable, declared or not.
    const info = JSON.parse(readFileSync(resolve(envSim, "sim.json"), "utf8")) as { nodes?: string[] };
    for (const n of info.nodes ?? []) if (!byName.has(n)) byName.set(n, simTarget(n, envSim));
  }
  return { targets: new Targets(byName, envSim), diagnostics };
}
