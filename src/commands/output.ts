// `pmxform output [NAME] [--json] [--raw]`: output values recorded in the state.
import { error } from "../diag/diagnostic.js";
import type { CommonOptions } from "../engine/session.js";
import { readStateOnly } from "./state-read.js";
import { printDiagnostics } from "./output-format.js";
import { putKey } from "../config/value.js";

export async function run(opts: CommonOptions & { json?: boolean; raw?: boolean }, args: string[]): Promise<number> {
  const read = await readStateOnly(opts, "output");
  if (read.diagnostics.length) {
    printDiagnostics(read.diagnostics, opts, read.sources);
    return 1;
  }
  const outputs: Record<string, { value: unknown; sensitive: boolean }> = read.state?.outputs ?? {};
  const name = args[0];
  if (name !== undefined) {
    const o = outputs[name];
    if (!o) {
      printDiagnostics(
        [
          error(
            "Output not found",
            `The output "${name}" is not in the state. Apply a configuration that declares output "${name}" first; known outputs: ${Object.keys(outputs).join(", ") || "none"}.`,
          ),
        ],
        opts,
      );
      return 1;
    }
    if (opts.json) process.stdout.write(JSON.stringify(o.sensitive ? null : o.value) + "\n");
    else if (o.sensitive) process.stdout.write("(sensitive value)\n");
    else if (opts.raw && (typeof o.value === "string" || typeof o.value === "number" || typeof o.value === "boolean")) process.stdout.write(String(o.value));
    else process.stdout.write(JSON.stringify(o.value, null, 2) + "\n");
    return 0;
  }
  if (opts.json) {
    const out: Record<string, unknown> = {};
    for (const [n, o] of Object.entries(outputs)) putKey(out, n, { sensitive: o.sensitive, value: o.sensitive ? null : o.value });
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    return 0;
  }
  for (const n of Object.keys(outputs).sort()) {
    const o = outputs[n]!;
    process.stdout.write(`${n} = ${o.sensitive ? "<sensitive>" : JSON.stringify(o.value, null, 2)}\n`);
  }
  return 0;
}
