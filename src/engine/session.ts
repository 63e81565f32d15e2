// Everything a command needs before it can plan or apply: the working directory, the loaded and
// decoded configuration, variable values, the provider registry and the evaluation of the module.
import { isAbsolute, resolve } from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import { hasErrors } from "../diag/diagnostic.js";
import { loadConfig } from "../config/load.js";
import type { Module } from "../config/module.js";
import { resolveVariablesAsync } from "../config/vars.js";
import { initHcl } from "../config/hcl/parser.js";
import { flattenModules } from "../config/modules/flatten.js";
import { Unknown } from "../config/value.js";
import type { Value } from "../config/value.js";
import type { ProviderRegistry } from "../provider/registry.js";
import { ConfigEvaluation } from "./evaluation.js";

export interface CommonOptions {
  chdir?: string;
  file?: string[];
  state?: string;
  color?: boolean;
  var?: string[];
  varFile?: string[];
  /** Variable values of a saved plan being applied (see resolveVariables). */
  savedVariables?: ReadonlyMap<string, Value>;
}

export interface Session {
  dir: string;
  statePath: string;
  module: Module;
  sources: Map<string, string>;
  variables: Map<string, Value>;
  evaluation: ConfigEvaluation;
  registry: ProviderRegistry;
}

export function workingDir(opts: CommonOptions): string {
  return resolve(process.cwd(), opts.chdir ?? ".");
}

export function statePathOf(opts: CommonOptions): string {
  const dir = workingDir(opts);
  const p = opts.state ?? "pmxform.state.json";
  return isAbsolute(p) ? p : resolve(dir, p);
}

/**
 * Loads and decodes the configuration and resolves variables. With `variables: "unknown"`
 * (validate) every variable without a default is Unknown, as Terraform's validate does.
 */
export async function openSession(opts: CommonOptions, registry: ProviderRegistry, mode: { variables: "resolve" | "unknown" }): Promise<{ session?: Session; diagnostics: Diagnostic[] }> {
  const dir = workingDir(opts);
  const loaded = await loadConfig({ dir, ...(opts.file?.length ? { files: opts.file.map((f) => resolve(process.cwd(), f)) } : {}) });
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const sources = new Map<string, string>();
  for (const f of loaded.files) sources.set(f.path, f.source);
  if (hasErrors(diagnostics)) return { diagnostics };
  let variables: Map<string, Value>;
  if (mode.variables === "resolve") {
    const r = await resolveVariablesAsync(loaded.module.variables, {
      cliVars: opts.var ?? [],
      varFiles: (opts.varFile ?? []).map((f) => resolve(dir, f)),
      env: process.env,
      baseDir: dir,
      ...(opts.savedVariables ? { saved: opts.savedVariables } : {}),
    });
    diagnostics.push(...r.diagnostics);
    variables = r.values;
  } else {
    variables = new Map();
    for (const v of loaded.module.variables.values()) variables.set(v.name, new Unknown("any"));
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  const flat = flattenModules(loaded.module, variables, dir, mode.variables === "unknown");
  diagnostics.push(...flat.diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics };
  const module = flat.module;
  // templatefile() parses its template synchronously while evaluating, where tree-sitter cannot be
  // loaded on demand: a configuration that calls it gets the parser up front.
  if ([...sources.values()].some((text) => text.includes("templatefile"))) await initHcl();
  const evaluation = new ConfigEvaluation(module, variables, registry, dir, mode.variables === "unknown");
  return {
    session: { dir, statePath: statePathOf(opts), module, sources, variables, evaluation, registry },
    diagnostics,
  };
}
