// What a catalog module takes and gives, read by the real configuration loader (never a
// hand-written list): its input variables with types, defaults and sensitivity, its outputs, and
// the resources it creates. `catalog show`, `init --app` and docs/catalog.md all use this.
import { hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import type { Expr } from "../config/ast.js";
import { loadConfig } from "../config/load.js";
import { parseType, typeString } from "../config/types.js";
import { unmark, type Value } from "../config/value.js";
import { resolveVariablesAsync } from "../config/vars.js";

export interface ModuleInput {
  name: string;
  type: string;
  description?: string;
  required: boolean;
  /** The default (undefined when required; sensitive defaults are withheld). */
  default?: Value;
  sensitive: boolean;
}

export interface ModuleResource {
  address: string;
  type: string;
  /** `count = ...` / `for_each = ...` as written, when the resource has one. */
  repeat?: string;
}

export interface ModuleDescription {
  inputs: ModuleInput[];
  outputs: { name: string; description?: string; sensitive: boolean }[];
  resources: ModuleResource[];
}

function sourceText(sources: Map<string, string>, expr: Expr): string {
  const text = sources.get(expr.range.file);
  return text === undefined ? "" : text.slice(expr.range.start.offset, expr.range.end.offset);
}

/** Loads the module in `dir` (its *.pmx.hcl files) and describes it; diagnostics when it does not load. */
export async function describeModule(dir: string): Promise<{ description?: ModuleDescription; diagnostics: Diagnostic[] }> {
  const loaded = await loadConfig({ dir });
  if (hasErrors(loaded.diagnostics)) return { diagnostics: loaded.diagnostics };
  const mod = loaded.module;
  // Defaults are resolved as the engine resolves them; required variables without a value are expected here.
  const resolved = await resolveVariablesAsync(mod.variables, { cliVars: [], varFiles: [], env: {}, baseDir: dir });
  const inputs: ModuleInput[] = [];
  for (const decl of mod.variables.values()) {
    const parsedType = decl.type ? parseType(decl.type).type : undefined;
    const input: ModuleInput = {
      name: decl.name,
      type: parsedType ? typeString(parsedType) : "any",
      required: decl.default === undefined,
      sensitive: decl.sensitive,
    };
    if (decl.description !== undefined) input.description = decl.description;
    if (decl.default !== undefined && !decl.sensitive) input.default = unmark(resolved.values.get(decl.name) ?? null);
    inputs.push(input);
  }
  const outputs = [...mod.outputs.values()].map((o) => ({ name: o.name, sensitive: o.sensitive, ...(o.description !== undefined ? { description: o.description } : {}) }));
  const resources: ModuleResource[] = [...mod.resources.values()].map((r) => {
    const repeat = r.count ? `count = ${sourceText(mod.sources, r.count)}` : r.forEach ? `for_each = ${sourceText(mod.sources, r.forEach)}` : undefined;
    return { address: r.address, type: r.type, ...(repeat ? { repeat } : {}) };
  });
  return { description: { inputs, outputs, resources }, diagnostics: loaded.diagnostics };
}
