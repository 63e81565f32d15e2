// `pmxform graph`: the declaration dependency graph in DOT, for Graphviz.
import { hasErrors } from "../diag/diagnostic.js";
import { buildRegistry } from "../registry-wiring.js";
import { openSession, type CommonOptions } from "../engine/session.js";
import { printDiagnostics } from "./output-format.js";

export async function run(opts: CommonOptions): Promise<number> {
  const registry = await buildRegistry();
  const { session, diagnostics } = await openSession(opts, registry, { variables: "unknown" });
  if (!session) {
    printDiagnostics(diagnostics, opts);
    return 1;
  }
  const g = session.evaluation.declGraph();
  if (hasErrors(g.diagnostics)) {
    printDiagnostics(g.diagnostics, opts, session.sources);
    return 1;
  }
  const lines = ["digraph {", '  compound = "true"', '  newrank = "true"', '  rankdir = "RL"'];
  const q = (s: string) => JSON.stringify(s);
  for (const id of g.dag.topoOrder()) {
    const shape = id.startsWith("var.") ? "note" : id.startsWith("local.") || id.startsWith("output.") ? "note" : "box";
    lines.push(`  ${q(id)} [label = ${q(id)}, shape = "${shape}"]`);
  }
  for (const [from, to] of g.dag.edgeList()) lines.push(`  ${q(from)} -> ${q(to)}`);
  lines.push("}");
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}
