// `pmxform import ADDR ID` and `pmxform import --all [--node N] --generate-config-out FILE`:
// reads existing containers, writes them into state (and, for --all, the configuration that
// reproduces them). Any error leaves the state and the file system untouched.
import { runAbortController } from "../exec/abort.js";
import { existsSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, hasErrors, warning } from "../diag/diagnostic.js";
import { parseAddress } from "../engine/address.js";
import { checkInstanceKey, importOne, managedBy, resourceName, toStateResource, uniqueName, type ImportInput } from "../engine/import.js";
import { openForPlanning, openState, type RunOptions } from "../engine/run.js";
import { refresh } from "../engine/refresh.js";
import type { PriorResource } from "../engine/plan.js";
import type { StateResource } from "../state/types.js";
import type { ImportCandidate, ResourceType } from "../provider/types.js";
import { writeGenerated, type GeneratedFormat } from "../config/generate/index.js";
import type { GeneratedResource } from "../config/generate/model.js";
import { printDiagnostics } from "./output-format.js";

type Opts = RunOptions & { all?: boolean; node?: string; generateConfigOut?: string; format?: GeneratedFormat };

export async function run(opts: Opts, args: string[]): Promise<number> {
  const [addr, id] = args;
  const usage = opts.all
    ? args.length
      ? "import --all takes no ADDR or ID."
      : !opts.generateConfigOut
        ? "import --all needs --generate-config-out FILE: without configuration the adopted containers would be planned for destruction."
        : undefined
    : !addr || !id
      ? "Usage: pmxform import ADDR ID (e.g. pmxform import lxc_container.web pve1/105), or pmxform import --all --generate-config-out FILE."
      : opts.node || opts.generateConfigOut
        ? "--node and --generate-config-out only apply to import --all."
        : undefined;
  if (usage) return fail([error("Invalid import arguments", usage)], opts);

  const opened = await openForPlanning(opts);
  if (!opened.session || !opened.targets || hasErrors(opened.diagnostics)) return fail(opened.diagnostics, opts, opened.session?.sources);
  const { session, targets, registry } = opened;
  const diagnostics: Diagnostic[] = [...opened.diagnostics];

  if (!opts.all) {
    const p = parseAddress(addr!);
    if (p && !session.module.resources.has(p.decl)) {
      return fail([...diagnostics, error("Import to non-existent resource address", `${addr} is not declared in the configuration. Add a resource "${p.type}" "${p.name}" block first (pmxform import only writes state), or use an import block with plan --generate-config-out.`)], opts, session.sources);
    }
    const keyProblem = p && checkInstanceKey(session.evaluation, addr!);
    if (keyProblem) return fail([...diagnostics, keyProblem], opts, session.sources);
  }
  if (opts.all && opts.node && !targets.get(opts.node)) {
    return fail([...diagnostics, error("Unknown node", `--node ${opts.node} is not declared in the proxmox block (nodes: ${targets.names().join(", ")}).`)], opts, session.sources);
  }
  const outPath = opts.generateConfigOut ? resolve(session.dir, opts.generateConfigOut) : undefined;
  if (outPath && existsSync(outPath)) {
    return fail([...diagnostics, error("Target generated file already exists", `${opts.generateConfigOut} exists; pmxform does not overwrite configuration. Remove it or name a new file.`)], opts, session.sources);
  }

  const st = await openState(session.statePath, { ...(opts.lockTimeout ? { lockTimeout: opts.lockTimeout } : {}), operation: "import" });
  diagnostics.push(...st.diagnostics);
  if (!st.store || !st.state) return fail(diagnostics, opts, session.sources);
  try {
    const ac = runAbortController();
    const snaps = await refresh({ prior: st.state.resources as PriorResource[], registry, targets, signal: ac.signal, readState: false });
    diagnostics.push(...snaps.diagnostics);
    const input: ImportInput = { registry, state: st.state.resources, snapshotFor: snaps.snapshotFor };
    const lines: string[] = [];
    let adopted: StateResource[] = [];
    let generated: GeneratedResource[] = [];
    if (!opts.all) {
      lines.push(`${addr}: Importing from ID "${id}"...`);
      const one = importOne(input, addr!, id!);
      diagnostics.push(...one.diagnostics, ...notesAsWarnings(addr!, one.notes));
      if (!one.resource) return fail(diagnostics, opts, session.sources);
      adopted = [one.resource];
      lines.push(`${addr}: Import prepared!`, `  Prepared ${one.resource.type} for import`);
    } else {
      const all = importAll(input, session.module.resources.keys(), targets.names(), opts.node);
      diagnostics.push(...all.diagnostics);
      if (hasErrors(all.diagnostics)) return fail(diagnostics, opts, session.sources);
      adopted = all.adopted;
      generated = all.generated;
      for (const r of adopted) lines.push(`${r.address}: Importing from ID "${r.attributes["node"]}/${r.attributes["vmid"]}"...`);
    }
    if (outPath) {
      const format = formatOf(outPath, opts.format);
      writeFileSync(outPath, writeGenerated(generated, format, ["Generated by pmxform import --all. Review it, then run pmxform plan (it should say No changes)."]));
      if (!/\.pmx\.(hcl|ya?ml)$/.test(basename(outPath))) diagnostics.push(warning("Generated file is not loaded by default", `${opts.generateConfigOut} does not end in .pmx.hcl or .pmx.yaml, so pmxform plan will not read it. Rename it, or the imported containers will be planned for destruction.`));
    }
    st.state.resources.push(...adopted);
    await st.store.write(st.state);
    printDiagnostics(diagnostics, opts, session.sources);
    for (const l of lines) process.stdout.write(l + "\n");
    if (outPath) process.stdout.write(`\nWrote configuration for ${generated.length} resource(s) to ${opts.generateConfigOut}.\n`);
    process.stdout.write(adopted.length ? `\nImport successful! ${adopted.length} resource(s) imported.\n\nThe resources that were imported are shown above. These resources are now in\nyour pmxform state and will henceforth be managed by pmxform.\n` : "\nNothing to import: every container is already in the state.\n");
    return 0;
  } finally {
    await st.store.release();
  }
}

function fail(diags: Diagnostic[], opts: Opts, sources?: ReadonlyMap<string, string>): number {
  printDiagnostics(diags, opts, sources);
  return 1;
}

function notesAsWarnings(address: string, notes: string[]): Diagnostic[] {
  if (!notes.length) return [];
  return [warning("Imported values that are not configuration", `${address} holds ${notes.join("; ")}. They are kept in state and left as they are; pmxform does not manage them.`)];
}

function formatOf(path: string, given: GeneratedFormat | undefined): GeneratedFormat {
  if (/\.ya?ml$/i.test(path)) return "yaml";
  if (/\.hcl$/i.test(path)) return "hcl";
  return given ?? "hcl";
}

/**
 * Every object of the selected nodes that no state resource manages yet, named after its hostname.
 * Each type offers candidates; an object some type adopts wins over another type's refusal.
 */
export function importAll(input: ImportInput, declared: Iterable<string>, nodes: string[], onlyNode: string | undefined): { adopted: StateResource[]; generated: GeneratedResource[]; diagnostics: Diagnostic[] } {
  const types = input.registry.typeNames().map((t) => input.registry.resourceType(t)!).filter((t) => t.importable && t.import && t.generateConfig);
  const diagnostics: Diagnostic[] = [];
  const taken = new Map<string, Set<string>>(types.map((t) => [t.type, new Set<string>()]));
  for (const d of declared) {
    const p = parseAddress(d);
    if (p) taken.get(p.type)?.add(p.name);
  }
  // vmid -> the adopting type's candidate, or the reasons every type refused it.
  const offers = new Map<number, { type?: ResourceType; cand: ImportCandidate; snap: unknown; skips: string[] }>();
  for (const type of types) {
    const seen = new Set<unknown>();
    for (const node of nodes) {
      const snap = input.snapshotFor(type.type, node);
      if (snap === undefined || seen.has(snap)) continue;
      seen.add(snap);
      for (const c of type.importable!(snap)) {
        if (onlyNode && c.node !== onlyNode) continue;
        if (managedBy(input.state, c.vmid)) continue;
        const o = offers.get(c.vmid) ?? { cand: c, snap, skips: [] };
        if (c.skip) o.skips.push(c.skip);
        else if (!o.type) Object.assign(o, { type, cand: c, snap });
        offers.set(c.vmid, o);
      }
    }
  }
  const adopted: StateResource[] = [];
  const generated: GeneratedResource[] = [];
  for (const [, o] of [...offers].sort(([a], [b]) => a - b)) {
    const { type, cand: c } = o;
    if (!type) {
      diagnostics.push(warning("Container not imported", `${c.id}${c.name ? ` (${c.name})` : ""} was left out: ${o.skips.join("; ")}. Import it one by one with pmxform import ADDR ${c.id} and a hand-written block.`));
      continue;
    }
    const name = uniqueName(resourceName(c.name, c.vmid), c.vmid, taken.get(type.type)!);
    const address = `${type.type}.${name}`;
    const attrs = type.import!({ address, id: c.id, snapshot: o.snap });
    if (!attrs) continue;
    adopted.push(toStateResource(input.registry, address, type, attrs));
    const notes = type.unexpressed?.(attrs, o.snap) ?? [];
    diagnostics.push(...notesAsWarnings(address, notes));
    generated.push({ type: type.type, name, body: type.generateConfig!(attrs), blocks: type.blocks, comments: [`imported from ${c.id}`, ...notes.map((n) => `not managed: ${n}`)] });
  }
  return { adopted, generated, diagnostics };
}
