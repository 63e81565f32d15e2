// What the CST converters share: the parsed text, where its positions map to, the diagnostics
// being collected, and the expression converter (so template.ts and convert.ts need no cycle).
import type { Node } from "web-tree-sitter";
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import type { Expr } from "../ast.js";
import type { PosMap } from "./positions.js";

export interface ConvertCtx {
  src: string;
  map: PosMap;
  diags: Diagnostic[];
  expr(node: Node): Expr;
  /** A placeholder for syntax the error walker already reported. */
  invalid(node: Node): Expr;
  range(node: Node): Range;
  /** False when the tree has syntax errors, whose recovery would trigger bogus layout errors. */
  checkLayout: boolean;
}
