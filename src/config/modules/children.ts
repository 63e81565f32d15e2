// Loads the modules a configuration calls, recursively: each call's source resolved against the
// calling module's directory, each module directory decoded like a root, its inputs checked
// against the call (Terraform's "Unsupported argument" / "Missing required argument"), and a
// module that (indirectly) calls itself refused.
import { realpathSync } from "node:fs";
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { File } from "../body.js";
import type { Module, ModuleCallDecl } from "../module.js";
import { suggest } from "../eval/suggest.js";
import { callSiteText, withCallSite } from "./call-site.js";
import { resolveSource } from "./source.js";

export type LoadDir = (dir: string) => Promise<{ module: Module; files: File[]; diagnostics: Diagnostic[] }>;

/** Modules nested deeper than this are refused (a generous bound; cycles are caught earlier). */
const MAX_MODULE_DEPTH = 16;

function real(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** What only the root module may declare; a child that has it gets an error at the block. */
function rootOnly(module: Module): Diagnostic[] {
  const out: Diagnostic[] = [];
  const only = (what: string, range: Diagnostic["subject"]): void => {
    out.push(error(`${what} in a child module`, `Only the root module may declare ${what}: a module is configured entirely by its caller. Move it to the root configuration.`, range));
  };
  for (const n of module.nodes.values()) only("proxmox nodes", n.range);
  if (module.backend) only("a backend", module.backend.typeRange);
  if (module.encryption) only("encryption", module.encryption.typeRange);
  for (const i of module.imports) only("import blocks", i.range);
  return out;
}

/** The call's arguments against the module's variables. */
function checkInputs(call: ModuleCallDecl, child: Module): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = [...child.variables.keys()];
  for (const input of call.inputs.values()) {
    if (child.variables.has(input.name)) continue;
    const hint = suggest(input.name, names);
    out.push(
      error(
        "Unsupported argument",
        `An argument named "${input.name}" is not expected here: module "${call.name}" has no variable "${input.name}".${hint ? ` Did you mean "${hint}"?` : ""} Remove it${names.length ? `; its inputs are: ${names.join(", ")}` : ""}.`,
        input.nameRange,
      ),
    );
  }
  for (const v of child.variables.values()) {
    if (v.default !== undefined || call.inputs.has(v.name)) continue;
    out.push(
      error("Missing required argument", `The argument "${v.name}" is required by module "${call.name}" (its variable has no default). Add ${v.name} = <value> to the module block.`, call.declRange),
    );
  }
  return out;
}

export async function loadChildren(root: Module, rootDir: string, loadDir: LoadDir, env: NodeJS.ProcessEnv = process.env): Promise<{ files: File[]; diagnostics: Diagnostic[] }> {
  const files: File[] = [];
  const diagnostics: Diagnostic[] = [];
  const visit = async (module: Module, dir: string, chain: { dir: string; path: string }[], path: string, callSite: string | undefined): Promise<void> => {
    for (const call of module.calls.values()) {
      const childPath = path ? `${path}.module.${call.name}` : `module.${call.name}`;
      const resolved = resolveSource(call, dir, env);
      diagnostics.push(...withCallSite(resolved.diagnostics, callSite));
      if (!resolved.dir) continue;
      const childReal = real(resolved.dir);
      const loop = chain.findIndex((c) => c.dir === childReal);
      if (loop >= 0 || chain.length >= MAX_MODULE_DEPTH) {
        const names = [...chain.slice(Math.max(loop, 0)).map((c) => c.path || "root"), childPath];
        diagnostics.push(
          ...withCallSite(
            [
              error(
                loop >= 0 ? "Module cycle" : "Modules nested too deeply",
                loop >= 0
                  ? `Module "${call.name}" calls ${call.source}, which is already being loaded higher up: ${names.join(" -> ")}. A module cannot call itself; remove the call or point it elsewhere.`
                  : `Modules may nest at most ${MAX_MODULE_DEPTH} levels. Flatten the module structure.`,
                call.sourceRange,
              ),
            ],
            callSite,
          ),
        );
        continue;
      }
      const loaded = await loadDir(resolved.dir);
      files.push(...loaded.files);
      const site = callSiteText(childPath, call.declRange);
      diagnostics.push(...withCallSite([...loaded.diagnostics, ...rootOnly(loaded.module)], site));
      diagnostics.push(...withCallSite(checkInputs(call, loaded.module), callSite));
      module.children.set(call.name, { call, dir: resolved.dir, module: loaded.module });
      await visit(loaded.module, resolved.dir, [...chain, { dir: childReal, path: childPath }], childPath, site);
    }
  };
  await visit(root, rootDir, [{ dir: real(rootDir), path: "" }], "", undefined);
  return { files, diagnostics };
}
