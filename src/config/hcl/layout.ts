// Line rules of HCL that tree-sitter-hcl does not enforce: each argument or block ends at a
// newline, and a block opened and closed on one line holds exactly one argument.
import type { Node } from "web-tree-sitter";
import { error } from "../../diag/diagnostic.js";
import type { ConvertCtx } from "./context.js";

function head(node: Node, ctx: ConvertCtx) {
  const first = node.children[0] ?? node;
  return ctx.range(first);
}

export function checkBodyLayout(body: Node, ctx: ConvertCtx): void {
  const items = body.children.filter((c) => c.type === "attribute" || c.type === "block");
  const parent = body.parent;
  const open = parent?.type === "block" ? parent.children.find((c) => c.type === "block_start") : undefined;
  const close = parent?.type === "block" ? parent.children.find((c) => c.type === "block_end" && !c.isMissing) : undefined;
  const first = items[0];
  if (open && first && first.startPosition.row === open.endPosition.row) {
    const extra = items[1] ?? (first.type === "block" ? first : undefined);
    const closedLate = close !== undefined && close.startPosition.row !== first.endPosition.row;
    if (extra || closedLate) {
      ctx.diags.push(
        error(
          "Invalid single-argument block definition",
          "A block written on one line may contain only a single argument, with the closing brace right after it. Put each argument on its own line.",
          extra ? head(extra, ctx) : ctx.range(close ?? first),
        ),
      );
    }
    return;
  }
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1] as Node;
    const cur = items[i] as Node;
    if (cur.startPosition.row !== prev.endPosition.row) continue;
    const what = prev.type === "attribute" ? "argument" : "block definition";
    ctx.diags.push(
      error(
        `Missing newline after ${what}`,
        `An ${what === "argument" ? "argument" : "block"} definition must end with a newline. Put "${cur.children[0]?.text ?? ""}" on its own line.`,
        head(cur, ctx),
      ),
    );
  }
  const last = items[items.length - 1];
  if (close && last && close.startPosition.row === last.endPosition.row) {
    const what = last.type === "attribute" ? "argument" : "block definition";
    ctx.diags.push(error(`Missing newline after ${what}`, `The closing brace of a multi-line block must be on its own line. Move "}" to the next line.`, ctx.range(close)));
  }
}
