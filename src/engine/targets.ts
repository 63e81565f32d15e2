// How each Proxmox node is reached: the simulator, this machine (local = true), or SSH. Decided
// from the `proxmox { node "x" { ... } }` blocks; PMXFORM_SIM=DIR sends every node to the
// simulator at DIR, creating it when absent. Every runner retries transient failures visibly.
import { LoggingRunner, commandLogWanted, logWriter } from "../exec/command-log.js";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { attr } from "../config/body.js";
import { unmark } from "../config/value.js";
import type { Runner } from "../exec/runner.js";
import { LocalRunner } from "../exec/local.js";
import { SimRunner } from "../exec/sim.js";
import { SshRunner } from "../exec/ssh.js";
import { RetryingRunner, type RetryPolicy } from "../exec/retry.js";
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
    /** Retry policy of nodes without a node block (they still get retries, visibly). */
    private readonly fallbackPolicy: RetryPolicy = {},
  ) {}

  get(node: string): NodeTarget | undefined {
    const t = this.byName.get(node);
    if (t || !this.fallbackSim) return t;
    const sim = retrying(simTarget(node, this.fallbackSim), this.fallbackPolicy);
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
  constructor(
    readonly node: string,
    readonly known: string[],
  ) {
    super(`node "${node}" is not declared in the proxmox block (declared: ${known.join(", ") || "none"}); add proxmox { node "${node}" { ... } }`);
  }
}

/** The ssh settings of a node block; undefined (after reporting) when they are unusable. */
function sshTarget(name: string, ssh: unknown, get: (attr: string) => unknown, baseDir: string, report: (summary: string, detail: string) => void): NodeTarget | undefined {
  if (typeof ssh !== "string" || !/^[^\s-][^\s]*$/.test(ssh)) {
    report("Invalid ssh destination", `ssh must be a destination such as "root@10.0.0.11" or a Host alias from ~/.ssh/config (no spaces, not starting with "-"); got ${JSON.stringify(ssh)}.`);
    return undefined;
  }
  const port = get("port");
  const identity = get("identity_file");
  const knownHosts = get("known_hosts_file");
  const timeout = get("connect_timeout");
  const sshOptions = get("ssh_options");
  const pveRoot = get("pve_root");
  if (port !== undefined && !(typeof port === "number" && Number.isInteger(port) && port > 0 && port < 65536)) {
    report("Invalid port", `port must be a whole number from 1 to 65535; got ${JSON.stringify(port)}.`);
    return undefined;
  }
  if (
    sshOptions !== undefined &&
    (typeof sshOptions !== "object" || sshOptions === null || Array.isArray(sshOptions) || Object.values(sshOptions).some((v) => typeof v !== "string" && typeof v !== "number"))
  ) {
    report("Invalid ssh_options", `ssh_options must be a map of ssh -o settings, e.g. { StrictHostKeyChecking = "accept-new" }.`);
    return undefined;
  }
  const path = (v: unknown): string | undefined => (typeof v === "string" && v ? (isAbsolute(v) || v.startsWith("~") ? v : resolve(baseDir, v)) : undefined);
  const identityFile = path(identity);
  const knownHostsFile = path(knownHosts);
  const runner = new SshRunner({
    destination: ssh,
    description: `${name} (${ssh}${typeof port === "number" ? `:${port}` : ""})`,
    ...(typeof port === "number" ? { port } : {}),
    ...(identityFile ? { identityFile } : {}),
    ...(knownHostsFile ? { knownHostsFile } : {}),
    ...(typeof timeout === "number" && timeout > 0 ? { connectTimeoutS: Math.ceil(timeout) } : {}),
    ...(sshOptions ? { options: Object.fromEntries(Object.entries(sshOptions as Record<string, unknown>).map(([k, v]) => [k, String(v)])) } : {}),
  });
  // pve_root exists for testing (a simulator behind sshd keeps its /etc/pve elsewhere).
  return { name, kind: "ssh", runner, pveRoot: typeof pveRoot === "string" && pveRoot ? pveRoot : "/etc/pve" };
}

function simTarget(name: string, dir: string): NodeTarget {
  return { name, kind: "sim", runner: new SimRunner(dir, name), pveRoot: resolve(dir, "etc/pve"), simDir: dir };
}

/** Every node's runner retries transient failures: a declared node with its own settings, others with the defaults. */
function retrying(target: NodeTarget, policy: RetryPolicy): NodeTarget {
  // PMXFORM_LOG=debug records each attempt, below the retries (docs/targets.md).
  const runner = commandLogWanted(process.env) ? new LoggingRunner(target.runner, target.name, logWriter(process.env)) : target.runner;
  return { ...target, runner: new RetryingRunner(runner, policy) };
}

export interface TargetOptions {
  /** Where retry notices go (one line each); without it retries happen silently. */
  log?: (message: string) => void;
}

/** Builds the targets from the configuration; creates simulators that do not exist yet. */
export async function buildTargets(ev: ConfigEvaluation, env: NodeJS.ProcessEnv = process.env, options: TargetOptions = {}): Promise<{ targets: Targets; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, NodeTarget>();
  const envSim = env.PMXFORM_SIM ? resolve(process.cwd(), env.PMXFORM_SIM) : undefined;
  const simNodes = new Map<string, string[]>();
  const defaultPolicy: RetryPolicy = options.log ? { log: options.log } : {};
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
      const problem = localNodeProblem(decl.name);
      if (problem) {
        diagnostics.push(error("Cannot use this machine as a Proxmox node", problem, decl.range));
        continue;
      }
      target = { name: decl.name, kind: "local", runner: new LocalRunner(), pveRoot: "/etc/pve" };
    } else {
      target = sshTarget(decl.name, ssh, get, ev.baseDir, (summary, detail) => diagnostics.push(error(summary, `Node "${decl.name}": ${detail}`, decl.range)));
      if (!target) continue;
    }
    if (typeof maxParallel === "number") target.maxParallel = maxParallel;
    const retries = get("retries");
    const retryDelay = get("retry_delay_ms");
    target = retrying(target, {
      ...defaultPolicy,
      attempts: 1 + (typeof retries === "number" && retries >= 0 ? Math.floor(retries) : 3),
      ...(typeof retryDelay === "number" && retryDelay >= 0 ? { baseDelayMs: retryDelay } : {}),
    });
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
    for (const n of info.nodes ?? []) if (!byName.has(n)) byName.set(n, retrying(simTarget(n, envSim), defaultPolicy));
  }
  return { targets: new Targets(byName, envSim, defaultPolicy), diagnostics };
}

/**
 * `local = true` means pmxform runs on the node itself: pct must be installed and, as pct
 * refuses otherwise ("please run as root"), pmxform must run as root.
 */
export function localNodeProblem(node: string, env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string | undefined {
  const dirs = (env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":").concat(["/usr/sbin"]);
  if (!dirs.some((d) => d && existsSync(resolve(d, "pct")))) {
    return `Node "${node}" is local = true, but pct was not found on this machine (PATH and /usr/sbin). Run pmxform on the Proxmox node itself, or reach the node with ssh = "root@HOST".`;
  }
  if (uid !== undefined && uid !== 0) {
    return `Node "${node}" is local = true, but pmxform runs as uid ${uid}; pct only works as root ("please run as root"). Run pmxform as root (e.g. with sudo).`;
  }
  return undefined;
}
