// `pmxform import ADDR ID` and `pmxform import --all [--node N] --generate-config-out FILE`:
// reads existing containers, writes them into state (and, for --all, the configuration that
// reproduces them). Any error leaves the state and the file system untouched.
import { runAbortController } from "../exec/abort.js";
import { writeFileSync } from "node:fs";
import { pathTaken } from "../state/no-follow.js";
import { basename, resolve } from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, hasErrors, warning } from "../diag/diagnostic.js";
import { parseAddress } from "../engine/address.js";
import { checkInstanceKey, importAll, importOne, notesAsWarnings, type ImportInput } from "../engine/import.js";
import { openForPlanning, openState, type RunOptions } from "../engine/run.js";
import { erroredStateDiagnostic } from "./errored-state.js";
import { refresh } from "../engine/refresh.js";
import type { StateResource } from "../state/types.js";
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
      return fail(
        [
          ...diagnostics,
          error(
            "Import to non-existent resource address",
            `${addr} is not declared in the configuration. Add a resource "${p.type}" "${p.name}" block first (pmxform import only writes state), or use an import block with plan --generate-config-out.`,
          ),
        ],
        opts,
        session.sources,
      );
    }
    const keyProblem = p && checkInstanceKey(session.evaluation, addr!);
    if (keyProblem) return fail([...diagnostics, keyProblem], opts, session.sources);
  }
  if (opts.all && opts.node && !targets.get(opts.node)) {
    return fail([...diagnostics, error("Unknown node", `--node ${opts.node} is not declared in the proxmox block (nodes: ${targets.names().join(", ")}).`)], opts, session.sources);
  }
  const outPath = opts.generateConfigOut ? resolve(session.dir, opts.generateConfigOut) : undefined;
  if (outPath && pathTaken(outPath)) {
    return fail(
      [...diagnostics, error("Target generated file already exists", `${opts.generateConfigOut} exists; pmxform does not overwrite configuration. Remove it or name a new file.`)],
      opts,
      session.sources,
    );
  }

  const st = await openState(
    { session, ...(targets ? { targets } : {}), opts },
    { ...(opts.lockTimeout ? { lockTimeout: opts.lockTimeout } : {}), ...(opts.lock ? { lock: opts.lock } : {}), operation: "import" },
  );
  diagnostics.push(...st.diagnostics);
  if (!st.store || !st.state) return fail(diagnostics, opts, session.sources);
  try {
    const ac = runAbortController();
    const snaps = await refresh({ prior: st.state.resources, registry, targets, signal: ac.signal, readState: false });
    diagnostics.push(...snaps.diagnostics);
    const input: ImportInput = { registry, state: st.state.resources, snapshotFor: snaps.snapshotFor, lineage: st.state.lineage };
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
      // The id the type offered the object under (what `pmxform import ADDR ID` takes), never a vmid guessed here.
      for (const r of adopted) lines.push(`${r.address}: Importing from ID "${all.importedFrom.get(r.address) ?? r.address}"...`);
    }
    if (outPath) {
      const format = formatOf(outPath, opts.format);
      writeFileSync(outPath, writeGenerated(generated, format, ["Generated by pmxform import --all. Review it, then run pmxform plan (it should say No changes)."]), { flag: "wx" });
      if (!/\.pmx\.(hcl|ya?ml)$/.test(basename(outPath)))
        diagnostics.push(
          warning(
            "Generated file is not loaded by default",
            `${opts.generateConfigOut} does not end in .pmx.hcl or .pmx.yaml, so pmxform plan will not read it. Rename it, or the imported containers will be planned for destruction.`,
          ),
        );
    }
    st.state.resources.push(...adopted);
    await st.store.write(st.state);
    if (st.store.errored) diagnostics.push(erroredStateDiagnostic(st.store));
    printDiagnostics(diagnostics, opts, session.sources);
    for (const l of lines) process.stdout.write(l + "\n");
    if (outPath) process.stdout.write(`\nWrote configuration for ${generated.length} resource(s) to ${opts.generateConfigOut}.\n`);
    process.stdout.write(
      adopted.length
        ? `\nImport successful! ${adopted.length} resource(s) imported.\n\nThe resources that were imported are shown above. These resources are now in\nyour pmxform state and will henceforth be managed by pmxform.\n`
        : "\nNothing to import: every container is already in the state.\n",
    );
    return st.store.errored ? 1 : 0;
  } finally {
    await st.store.release();
  }
}

function fail(diags: Diagnostic[], opts: Opts, sources?: ReadonlyMap<string, string>): number {
  printDiagnostics(diags, opts, sources);
  return 1;
}

function formatOf(path: string, given: GeneratedFormat | undefined): GeneratedFormat {
  if (/\.ya?ml$/i.test(path)) return "yaml";
  if (/\.hcl$/i.test(path)) return "hcl";
  return given ?? "hcl";
}
