// Carrying out a plan for `apply` and `destroy`: confirmation, the apply walk, progress and the
// closing summary, outputs.
import { runAbortController } from "../exec/abort.js";
import { createInterface } from "node:readline/promises";
import kleur from "kleur";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { applyChanges, type ApplySummary } from "../engine/apply.js";
import type { Change } from "../plan/change.js";
import type { Session } from "../engine/session.js";
import { StateHolder } from "../engine/state-holder.js";
import type { Targets } from "../engine/targets.js";
import type { StateStore } from "../state/store.js";
import type { StateFile } from "../state/types.js";
import { installInterruptHandler } from "./interrupt.js";
import { stopOnBrokenPipe } from "./broken-pipe.js";
import { printDiagnostics, useColor } from "./output-format.js";

/** Asks "Do you want to perform these actions?"; refuses without a terminal. */
export async function confirm(question: string, detail: string): Promise<{ ok: boolean; diagnostic?: Diagnostic }> {
  if (!process.stdin.isTTY) {
    return {
      ok: false,
      diagnostic: error(
        "No terminal to ask for confirmation",
        "pmxform needs your approval to change infrastructure, but standard input is not a terminal. Run with --auto-approve, or save a plan with `pmxform plan --out FILE` and apply that file.",
      ),
    };
  }
  process.stdout.write(`\n${question}\n  ${detail}\n  Only 'yes' will be accepted to approve.\n\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = (await rl.question("  Enter a value: ")).trim();
  rl.close();
  process.stdout.write("\n");
  return { ok: answer === "yes" };
}

export interface ExecuteArgs {
  session: Session;
  targets: Targets;
  store: StateStore;
  state: StateFile;
  changes: Change[];
  snapshotFor: (type: string, node: string | undefined) => unknown;
  parallelism: number;
  color: boolean;
  destroy: boolean;
  /** --json: stdout carries only the final document, so progress lines go to stderr. */
  progressToStderr?: boolean;
}

export function perNodeLimit(targets: Targets, fallback = 4): number {
  const limits = targets
    .names()
    .map((n) => targets.get(n)?.maxParallel)
    .filter((x): x is number => typeof x === "number");
  return limits.length ? Math.min(...limits) : Number(process.env.PMXFORM_NODE_PARALLELISM ?? fallback);
}

export async function execute(args: ExecuteArgs): Promise<ApplySummary> {
  const ac = runAbortController();
  const uninstallInterrupt = installInterruptHandler(() => ac.abort());
  const uninstallPipe = stopOnBrokenPipe(() => ac.abort());
  const uninstall = () => {
    uninstallInterrupt();
    uninstallPipe();
  };
  const holder = new StateHolder(args.state, { write: (s) => args.store.write(s) });
  try {
    return await applyChanges({
      session: args.session,
      changes: args.changes,
      targets: args.targets,
      state: holder,
      snapshotFor: args.snapshotFor,
      parallelism: args.parallelism,
      perNodeLimit: perNodeLimit(args.targets),
      signal: ac.signal,
      out: (line) => (args.progressToStderr ? process.stderr : process.stdout).write(`${args.color ? kleur.bold(line.slice(0, line.indexOf(":") + 1)) + line.slice(line.indexOf(":") + 1) : line}\n`),
    });
  } finally {
    uninstall();
  }
}

export function printSummary(s: ApplySummary, opts: { color?: boolean; destroy: boolean }, sources?: ReadonlyMap<string, string>): void {
  const color = useColor(opts);
  if (s.failed.length || s.skipped.length || s.diagnostics.length) {
    process.stderr.write("\n");
    printDiagnostics(s.diagnostics, opts, sources);
    if (s.skipped.length) {
      process.stderr.write(`\nNot attempted because something they depend on failed or the run was interrupted:\n`);
      for (const k of s.skipped) process.stderr.write(`  - ${k.address}${k.because === "interrupted" ? " (interrupted)" : ` (because ${k.because} failed)`}\n`);
    }
    process.stderr.write(
      `\nApply ended with errors. The state records everything that finished: ${s.added} added, ${s.changed} changed, ${s.destroyed} destroyed.\nFix the problem and run pmxform apply again; it will continue from where this run stopped.\n`,
    );
    return;
  }
  const line = opts.destroy
    ? `Destroy complete! Resources: ${s.destroyed} destroyed.`
    : `Apply complete! Resources: ${s.imported ? `${s.imported} imported, ` : ""}${s.added} added, ${s.changed} changed, ${s.destroyed} destroyed.`;
  process.stdout.write(`\n${color ? kleur.green().bold(line) : line}\n`);
}

export function printOutputs(state: StateFile, color: boolean): void {
  const names = Object.keys(state.outputs ?? {}).sort();
  if (!names.length) return;
  process.stdout.write(`\n${color ? kleur.bold("Outputs:") : "Outputs:"}\n\n`);
  for (const n of names) {
    const o = state.outputs[n]!;
    process.stdout.write(`${n} = ${o.sensitive ? "<sensitive>" : JSON.stringify(o.value, null, 2)}\n`);
  }
}
