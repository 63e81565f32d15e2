// `pmxform state list | show ADDR | rm ADDR... | mv FROM TO | pull | push FILE`: inspect and edit
// the state without touching any container, through the configured backend and workspace. Edits
// take the exclusive state lock (the local file also keeps a backup).
import { error } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { addressMatches, isModuleAddress, parseAddress, withModule } from "../engine/address.js";
import { openState } from "../engine/run.js";
import type { CommonOptions } from "../engine/session.js";
import { buildRegistry } from "../registry-wiring.js";
import type { StateFile } from "../state/types.js";
import { printDiagnostics, useColor } from "./output-format.js";
import { renderStateResource } from "./state-render.js";
import { erroredStateDiagnostic } from "./errored-state.js";
import { readStateOnly } from "./state-read.js";
import { pull, push } from "./state-transfer.js";

type Opts = CommonOptions & { lockTimeout?: string; lock?: string; force?: boolean };
type Run = (opts: Opts, args: string[]) => Promise<number>;

const readOnly = (opts: Opts) => readStateOnly(opts, "state");

const list: Run = async (opts, args) => {
  const { state, diagnostics, sources } = await readOnly(opts);
  if (diagnostics.length) return (printDiagnostics(diagnostics, opts, sources), 1);
  for (const r of state?.resources ?? []) if (!args.length || args.some((a) => addressMatches(a, r.address) || r.address === a)) process.stdout.write(r.address + "\n");
  return 0;
};

const show: Run = async (opts, args) => {
  const { state, diagnostics, sources } = await readOnly(opts);
  if (diagnostics.length) return (printDiagnostics(diagnostics, opts, sources), 1);
  const r = state?.resources.find((x) => x.address === args[0]);
  if (!r) {
    printDiagnostics([error("No such resource instance", `${args[0]} is not in the state. See pmxform state list.`)], opts);
    return 1;
  }
  process.stdout.write(renderStateResource(r, await buildRegistry(), useColor(opts)) + "\n");
  return 0;
};

async function edit(opts: Opts, fn: (s: StateFile) => Diagnostic[] | string[]): Promise<number> {
  const st = await openState({ opts }, { ...(opts.lockTimeout ? { lockTimeout: opts.lockTimeout } : {}), ...(opts.lock ? { lock: opts.lock } : {}), operation: "state" });
  if (!st.store || !st.state) return (printDiagnostics(st.diagnostics, opts), 1);
  try {
    const r = fn(st.state);
    if (r.length && typeof r[0] !== "string") {
      printDiagnostics(r as Diagnostic[], opts);
      return 1;
    }
    await st.store.write(st.state);
    if (st.store.errored) {
      printDiagnostics([erroredStateDiagnostic(st.store)], opts);
      return 1;
    }
    for (const line of r as string[]) process.stdout.write(line + "\n");
    return 0;
  } finally {
    await st.store.release();
  }
}

const rm: Run = (opts, args) =>
  edit(opts, (s) => {
    const removed: string[] = [];
    for (const a of args) {
      const hit = s.resources.filter((r) => r.address === a || addressMatches(a, r.address));
      if (!hit.length) return [error("No such resource instance", `${a} is not in the state. See pmxform state list.`)];
      removed.push(...hit.map((r) => r.address));
      s.resources = s.resources.filter((r) => !hit.includes(r));
    }
    return [...removed.map((a) => `Removed ${a}`), `Successfully removed ${removed.length} resource instance(s). The containers themselves were not touched.`];
  });

const mv: Run = (opts, args) =>
  edit(opts, (s) => {
    const [from, to] = args as [string, string];
    if (isModuleAddress(from) || isModuleAddress(to)) return moveModule(s, from, to);
    const f = parseAddress(from);
    const t = parseAddress(to);
    if (!f || !t) return [error("Invalid address", 'Both addresses must look like lxc_container.web, lxc_container.db["a"] or module.app.lxc_container.web, or both be modules like module.app.')];
    if (f.type !== t.type) return [error("Invalid move", `A resource cannot change type (${f.type} -> ${t.type}).`)];
    const r = s.resources.find((x) => x.address === from);
    if (!r) return [error("No such resource instance", `${from} is not in the state. See pmxform state list.`)];
    if (s.resources.some((x) => x.address === to)) return [error("Destination exists", `${to} is already in the state. Remove it first with pmxform state rm ${to}.`)];
    renameEntry(r, to);
    return [`Move "${from}" to "${to}"`, "Successfully moved 1 object(s)."];
  });

function renameEntry(r: StateFile["resources"][number], to: string): void {
  const t = parseAddress(to)!;
  r.address = to;
  r.name = t.name;
  if (t.key !== undefined) r.index = t.key;
  else delete r.index;
  withModule(r, t.module);
}

/** `state mv module.a module.b`: every object inside module.a (all its instances when it has no key) moves along. */
function moveModule(s: StateFile, from: string, to: string): Diagnostic[] | string[] {
  if (!isModuleAddress(from) || !isModuleAddress(to)) return [error("Invalid move", `A module moves only to a module address (${from} -> ${to}). Write both as module.NAME.`)];
  const hit = s.resources.filter((r) => addressMatches(from, r.address));
  if (!hit.length) return [error("No such module", `Nothing in the state is inside ${from}. See pmxform state list.`)];
  const renamed = hit.map((r) => [r, to + r.address.slice(from.length)] as const);
  const clash = renamed.find(([, addr]) => s.resources.some((x) => x.address === addr && !hit.includes(x)));
  if (clash) return [error("Destination exists", `${clash[1]} is already in the state. Remove it first with pmxform state rm ${clash[1]}.`)];
  const lines: string[] = [];
  for (const [r, addr] of renamed) {
    lines.push(`Move "${r.address}" to "${addr}"`);
    renameEntry(r, addr);
  }
  return [...lines, `Successfully moved ${renamed.length} object(s).`];
}

export const commands: Record<"list" | "show" | "rm" | "mv" | "pull" | "push", Run> = { list, show, rm, mv, pull, push };
