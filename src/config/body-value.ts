// Turns a resource body (attributes + nested blocks) into one config value using the resource
// type's block structure; RangeIndex finds the source range of a path in it so that schema
// errors found later can point at the exact attribute or block.
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import type { Expr } from "./ast.js";
import type { Block, Body } from "./body.js";
import type { Value } from "./value.js";
import { setKey } from "./eval/marks.js";

export interface BlockShape {
  labelled: boolean;
  blocks?: Record<string, BlockShape>;
}

export type EvalFn = (expr: Expr) => { value: Value; diagnostics: Diagnostic[] };

/**
 * Source ranges by path, looked up in the body itself when a schema error needs one: nothing is
 * built per instance (a plan of thousands of resources almost never asks). Paths follow
 * evaluateBody's value: an attribute, an unlabelled block's type, or a labelled block's type then
 * label; a path that goes deeper than the body knows resolves to its longest known prefix.
 */
export class RangeIndex {
  constructor(
    readonly whole: Range,
    private readonly body?: Body,
  ) {}

  /** The range of the longest known prefix of `path`, falling back to the whole block. */
  find(path: readonly (string | number)[]): Range {
    let body = this.body;
    let best = this.whole;
    let i = 0;
    while (body && i < path.length) {
      const seg = path[i];
      const attribute = body.attributes.find((a) => a.name === seg);
      if (attribute) return attribute.expr.range;
      const ofType = body.blocks.filter((b) => b.type === seg);
      const last = ofType[ofType.length - 1];
      if (!last) return best;
      best = last.typeRange;
      let block: Block | undefined = last;
      if (last.labels.length > 0) {
        if (i + 1 >= path.length) return best;
        block = ofType.find((b) => b.labels[0] === path[i + 1]);
        if (!block) return best;
        best = block.labelRanges[0] ?? block.typeRange;
        i += 2;
      } else {
        i += 1;
      }
      body = block.body;
    }
    return best;
  }
}

export function evaluateBody(body: Body, shape: Record<string, BlockShape>, evalExpr: EvalFn): { value: { [k: string]: Value }; diagnostics: Diagnostic[] } {
  const out: { [k: string]: Value } = {};
  const diags: Diagnostic[] = [];
  for (const a of body.attributes) {
    // Own names only: "constructor" or "toString" is not a block type every body inherits.
    if (Object.hasOwn(shape, a.name)) {
      diags.push(
        error("Unsupported argument", `"${a.name}" is a block, not an argument. Write it as ${a.name} ${shape[a.name]!.labelled ? '"NAME" ' : ""}{ ... } instead of ${a.name} = ...`, a.nameRange),
      );
      continue;
    }
    const r = evalExpr(a.expr);
    diags.push(...r.diagnostics);
    // As in Terraform, an argument set to null is an argument left out (`gw = var.gateway` with no gateway).
    if (r.value === null) continue;
    setKey(out, a.name, r.value);
  }
  for (const b of body.blocks) {
    const spec = Object.hasOwn(shape, b.type) ? shape[b.type] : undefined;
    if (!spec) {
      diags.push(
        error(
          "Unsupported block type",
          `Blocks of type "${b.type}" are not expected here.` + (Object.keys(shape).length ? ` Blocks allowed here: ${Object.keys(shape).join(", ")}.` : " Remove the block."),
          b.typeRange,
        ),
      );
      continue;
    }
    if (spec.labelled !== b.labels.length > 0 || b.labels.length > 1) {
      diags.push(
        error(
          spec.labelled ? "Missing name for block" : "Extraneous label for block",
          spec.labelled ? `A ${b.type} block needs one name, e.g. ${b.type} "eth0" { ... }. Add the name after "${b.type}".` : `A ${b.type} block takes no name. Remove the label after "${b.type}".`,
          b.typeRange,
        ),
      );
      continue;
    }
    const inner = evaluateBody(b.body, spec.blocks ?? {}, evalExpr);
    diags.push(...inner.diagnostics);
    if (spec.labelled) {
      const label = b.labels[0]!;
      const existing = (Object.hasOwn(out, b.type) ? out[b.type] : {}) as { [k: string]: Value };
      if (Object.hasOwn(existing, label)) {
        diags.push(error("Duplicate block", `A ${b.type} block named "${label}" was already declared in this resource. Give each ${b.type} block a unique name.`, b.labelRanges[0] ?? b.typeRange));
        continue;
      }
      setKey(existing, label, inner.value);
      setKey(out, b.type, existing);
    } else {
      if (Object.hasOwn(out, b.type)) {
        diags.push(error("Duplicate block", `Only one ${b.type} block is allowed here. Merge the two ${b.type} blocks into one.`, b.typeRange));
        continue;
      }
      setKey(out, b.type, inner.value);
    }
  }
  return { value: out, diagnostics: diags };
}
