// Turns a resource body (attributes + nested blocks) into one config value using the resource
// type's block structure, and remembers the source range of every path so that schema errors
// found later can point at the exact attribute or block.
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import type { Expr } from "./ast.js";
import type { Body } from "./body.js";
import type { Value } from "./value.js";

export interface BlockShape {
  labelled: boolean;
  blocks?: Record<string, BlockShape>;
}

export type EvalFn = (expr: Expr) => { value: Value; diagnostics: Diagnostic[] };

/** Source ranges by path; the key is the JSON of the path array. */
export class RangeIndex {
  private readonly ranges = new Map<string, Range>();
  constructor(readonly whole: Range) {}
  set(path: (string | number)[], r: Range): void {
    this.ranges.set(JSON.stringify(path), r);
  }
  /** The range of the longest known prefix of `path`, falling back to the whole block. */
  find(path: readonly (string | number)[]): Range {
    for (let n = path.length; n >= 0; n--) {
      const r = this.ranges.get(JSON.stringify(path.slice(0, n)));
      if (r) return r;
    }
    return this.whole;
  }
}

export function evaluateBody(
  body: Body,
  shape: Record<string, BlockShape>,
  evalExpr: EvalFn,
  index: RangeIndex,
  prefix: (string | number)[] = [],
): { value: { [k: string]: Value }; diagnostics: Diagnostic[] } {
  const out: { [k: string]: Value } = {};
  const diags: Diagnostic[] = [];
  for (const a of body.attributes) {
    if (shape[a.name]) {
      diags.push(
        error(
          "Unsupported argument",
          `"${a.name}" is a block, not an argument. Write it as ${a.name} ${shape[a.name]!.labelled ? '"NAME" ' : ""}{ ... } instead of ${a.name} = ...`,
          a.nameRange,
        ),
      );
      continue;
    }
    const r = evalExpr(a.expr);
    diags.push(...r.diagnostics);
    out[a.name] = r.value;
    index.set([...prefix, a.name], a.expr.range);
  }
  for (const b of body.blocks) {
    const spec = shape[b.type];
    if (!spec) {
      diags.push(
        error(
          "Unsupported block type",
          `Blocks of type "${b.type}" are not expected here.` +
            (Object.keys(shape).length ? ` Blocks allowed here: ${Object.keys(shape).join(", ")}.` : " Remove the block."),
          b.typeRange,
        ),
      );
      continue;
    }
    if (spec.labelled !== b.labels.length > 0 || b.labels.length > 1) {
      diags.push(
        error(
          spec.labelled ? "Missing name for block" : "Extraneous label for block",
          spec.labelled
            ? `A ${b.type} block needs one name, e.g. ${b.type} "eth0" { ... }. Add the name after "${b.type}".`
            : `A ${b.type} block takes no name. Remove the label after "${b.type}".`,
          b.typeRange,
        ),
      );
      continue;
    }
    const inner = evaluateBody(b.body, spec.blocks ?? {}, evalExpr, index, spec.labelled ? [...prefix, b.type, b.labels[0]!] : [...prefix, b.type]);
    diags.push(...inner.diagnostics);
    if (spec.labelled) {
      const label = b.labels[0]!;
      const existing = (out[b.type] ?? {}) as { [k: string]: Value };
      if (label in existing) {
        diags.push(
          error("Duplicate block", `A ${b.type} block named "${label}" was already declared in this resource. Give each ${b.type} block a unique name.`, b.labelRanges[0] ?? b.typeRange),
        );
        continue;
      }
      existing[label] = inner.value;
      out[b.type] = existing;
      index.set([...prefix, b.type], b.typeRange);
      index.set([...prefix, b.type, label], b.labelRanges[0] ?? b.typeRange);
    } else {
      if (b.type in out) {
        diags.push(error("Duplicate block", `Only one ${b.type} block is allowed here. Merge the two ${b.type} blocks into one.`, b.typeRange));
        continue;
      }
      out[b.type] = inner.value;
      index.set([...prefix, b.type], b.typeRange);
    }
  }
  return { value: out, diagnostics: diags };
}
