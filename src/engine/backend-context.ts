// The backend context of a run. With a planning session (plan, apply, import) its variables,
// locals and nodes are used. For commands that work on the state without planning (state, show, output,
// workspace, force-unlock, init): the configuration is loaded for its backend and encryption
// blocks only. Variables that have no value are unknown rather than an error, so a configuration
// with required variables still lets `state list` run unless the backend itself needs them.
import type { Diagnostic } from "../diag/diagnostic.js";
import { hasErrors } from "../diag/diagnostic.js";
import { loadConfig } from "../config/load.js";
import { resolveVariablesAsync } from "../config/vars.js";
import { Unknown, type Value } from "../config/value.js";
import { resolve } from "node:path";
import { ConfigEvaluation } from "./evaluation.js";
import { workingDir, type CommonOptions, type Session } from "./session.js";
import { buildRegistry } from "../registry-wiring.js";
import { openBackendContext, type BackendContext, type ContextInput } from "../state/context.js";
import type { Module } from "../config/module.js";
import type { Targets } from "./targets.js";

/** How a loaded configuration evaluates backend settings, and how the pve backend reaches nodes. */
export interface ContextSource {
  dir: string;
  module: Module;
  evaluate: ContextInput["evaluate"];
  transport: () => Promise<Targets>;
  /** The configuration files' text by path, for quoting the source line in diagnostics. */
  sources: ReadonlyMap<string, string>;
}

/** From a planning session (plan, apply, import): its variables and locals, its nodes. */
export function sourceOfSession(session: Session, targets?: Targets): ContextSource {
  const ev = session.evaluation;
  return {
    dir: session.dir,
    module: session.module,
    evaluate: (expr) => ev.eval(expr, ev.scope()),
    transport: async () => targets ?? (await import("./targets.js")).buildTargets(ev).then((t) => t.targets),
    sources: session.sources,
  };
}

/** Loads the configuration for its backend and encryption blocks (no resources are evaluated). */
export async function loadContextSource(opts: CommonOptions): Promise<{ source?: ContextSource; sources: ReadonlyMap<string, string>; diagnostics: Diagnostic[] }> {
  const dir = workingDir(opts);
  const loaded = await loadConfig({ dir, ...(opts.file?.length ? { files: opts.file.map((f) => resolve(process.cwd(), f)) } : {}) });
  // A directory without configuration keeps its state in the local file, as before backends.
  const noConfig = loaded.files.length === 0 && !opts.file?.length;
  const sources = new Map(loaded.files.map((f) => [f.path, f.source]));
  if (hasErrors(loaded.diagnostics) && !noConfig) return { sources, diagnostics: loaded.diagnostics };
  const module = loaded.module;
  let variables = new Map<string, Value>();
  if (module.backend || module.encryption) {
    const r = await resolveVariablesAsync(module.variables, { cliVars: opts.var ?? [], varFiles: (opts.varFile ?? []).map((f) => resolve(dir, f)), env: process.env, baseDir: dir });
    variables = r.values;
    for (const name of module.variables.keys()) if (!variables.has(name)) variables.set(name, new Unknown("any"));
  }
  const registry = await buildRegistry();
  const ev = new ConfigEvaluation(module, variables, registry, dir, false);
  return {
    source: {
      dir,
      module,
      evaluate: (expr) => ev.eval(expr, ev.scope()),
      transport: async () => {
        const { buildTargets } = await import("./targets.js");
        return (await buildTargets(ev)).targets;
      },
      sources,
    },
    sources,
    diagnostics: [],
  };
}

/** Where a run's state is: from its planning session, or from the options alone. */
export type StateWhere = { session: Session; targets?: Targets; opts: CommonOptions } | { opts: CommonOptions };

/** The backend context of a command's working directory. */
export async function contextOf(
  where: StateWhere,
  extra: { checkInit?: boolean } = {},
): Promise<{ ctx?: BackendContext; source?: ContextSource; sources: ReadonlyMap<string, string>; diagnostics: Diagnostic[] }> {
  let source: ContextSource;
  if ("session" in where) source = sourceOfSession(where.session, where.targets);
  else {
    const s = await loadContextSource(where.opts);
    if (!s.source) return { sources: s.sources, diagnostics: s.diagnostics };
    source = s.source;
  }
  const state = where.opts.state;
  const c = await openBackendContext({
    dir: source.dir,
    module: source.module,
    evaluate: source.evaluate,
    transport: source.transport,
    ...(state !== undefined ? { statePath: state } : {}),
    ...extra,
  });
  // The sources let every caller print the quoted configuration line, as plan does.
  return { ...c, source, sources: source.sources };
}
