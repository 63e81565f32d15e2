// What the web view reads about the project besides plans: the configuration's resources (loaded
// in process, as `pmxform graph` loads them: no state, no node), the state (`show -json`) and
// each node's live inventory (`nodes -json`), both through the CLI so backends, locks and
// encryption behave exactly as on the command line.
import { buildRegistry } from "../registry-wiring.js";
import { openSession, type CommonOptions } from "../engine/session.js";
import { configurationJson } from "../commands/plan-json.js";
import { resourceGraph, type ResourceGraph } from "../report/graph-data.js";
import type { ConfigResourceDoc } from "../report/plan-doc.js";
import { runCli } from "./cli-process.js";
import { ENV_PREFIX } from "../config/vars.js";

export interface ConfiguredResource {
  address: string;
  type: string;
  /** The node when the configuration names it literally. */
  node?: string;
}

export interface ConfigurationView {
  resources: ConfiguredResource[];
  graph: ResourceGraph;
  problems: string[];
}

export async function readConfiguration(opts: CommonOptions): Promise<ConfigurationView> {
  const registry = await buildRegistry();
  const { session, diagnostics } = await openSession(opts, registry, { variables: "unknown" });
  const problems = diagnostics.filter((d) => d.severity === "error").map((d) => `${d.summary}${d.detail ? `: ${d.detail}` : ""}`);
  if (!session) return { resources: [], graph: { nodes: [], edges: [] }, problems };
  const config = configurationJson(session.module);
  const declared = config.root_module.resources as ConfigResourceDoc[];
  const resources = declared.map((r) => {
    const node = (r.expressions?.["node"] as { constant_value?: unknown } | undefined)?.constant_value;
    return { address: r.address, type: r.type, ...(typeof node === "string" ? { node } : {}) };
  });
  return { resources, graph: resourceGraph({ resource_changes: [], configuration: config }), problems };
}

export interface StateResourceView {
  address: string;
  type: string;
  vmid?: number;
  node?: string;
}

/** The CLI's global flags the web view was started with (-f, --state), passed on to every child. */
export function globalArgs(opts: CommonOptions): string[] {
  return [...(opts.file ?? []).flatMap((f) => ["--file", f]), ...(opts.state ? ["--state", opts.state] : [])];
}

/** What `plan` gets besides the globals: the --var and --var-file flags `pmxform ui` was given (a saved plan carries them to apply). */
export function variableArgs(opts: CommonOptions): string[] {
  return [...(opts.var ?? []).flatMap((v) => ["--var", v]), ...(opts.varFile ?? []).flatMap((f) => ["--var-file", f])];
}

/**
 * The --var values for `apply PLANFILE`: a saved plan holds every value but the sensitive ones,
 * and refuses a --var or var file for a variable it holds, so they go as PMXFORM_VAR_ environment
 * values, which the plan's own values override and which supply the secrets (digest-checked).
 */
export function variableEnv(opts: CommonOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of opts.var ?? []) {
    const eq = v.indexOf("=");
    if (eq > 0) env[`${ENV_PREFIX}${v.slice(0, eq)}`] = v.slice(eq + 1);
  }
  return env;
}

function lastProblem(stdout: string, stderr: string): string {
  try {
    const doc = JSON.parse(stdout) as { diagnostics?: { summary?: string; detail?: string }[] };
    const d = doc.diagnostics?.[0];
    if (d) return `${d.summary ?? ""}${d.detail ? `: ${d.detail}` : ""}`;
  } catch {
    // not a JSON document: fall back to the error text
  }
  return stderr.trim().split("\n").slice(-3).join(" ") || "the command failed";
}

export async function readState(opts: CommonOptions, cwd: string): Promise<{ resources: StateResourceView[]; problem?: string }> {
  const r = await runCli(["show", "--json", ...globalArgs(opts)], { cwd }).done;
  if (r.code !== 0) return { resources: [], problem: lastProblem(r.stdout, r.stderr) };
  const doc = JSON.parse(r.stdout) as { values?: { root_module?: { resources?: { address: string; type: string; values?: Record<string, unknown> }[] } } };
  return {
    resources: (doc.values?.root_module?.resources ?? []).map((x) => ({
      address: x.address,
      type: x.type,
      ...(typeof x.values?.["vmid"] === "number" ? { vmid: x.values["vmid"] } : {}),
      ...(typeof x.values?.["node"] === "string" ? { node: x.values["node"] } : {}),
    })),
  };
}

export interface LiveContainer {
  vmid: number;
  hostname?: string;
  status: string;
  kind?: string;
  managed: boolean;
  address?: string;
}

export type LiveNode = { name: string; reachable: true; containers: LiveContainer[] } | { name: string; reachable: false; error: string };

export async function readNodes(opts: CommonOptions, cwd: string): Promise<{ nodes: LiveNode[]; problem?: string }> {
  const r = await runCli(["nodes", "--json", ...globalArgs(opts)], { cwd }).done;
  let doc: { nodes?: LiveNode[] } | undefined;
  try {
    doc = JSON.parse(r.stdout) as { nodes?: LiveNode[] };
  } catch {
    doc = undefined;
  }
  // An unreachable node makes the exit 1 but the document still lists the others.
  if (doc?.nodes) return { nodes: doc.nodes };
  return { nodes: [], problem: lastProblem(r.stdout, r.stderr) };
}
