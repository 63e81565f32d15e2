// The syntax-free expression tree. Both front ends (HCL via tree-sitter, YAML strings with
// ${...} templates) produce these nodes; the evaluator and reference extraction consume them.
// Every node carries the exact source range it came from.
import type { Range } from "../diag/diagnostic.js";

export type BinaryOp = "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%";
export type UnaryOp = "-" | "!";

export type Expr =
  LiteralExpr | TemplateExpr | TupleExpr | ObjectExpr | VariableExpr | GetAttrExpr | IndexExpr | SplatExpr | SplatItemExpr | CallExpr | UnaryExpr | BinaryExpr | ConditionalExpr | ForExpr | ParenExpr;

/** null, bool, number, or a string with no interpolation (escapes already decoded). */
export interface LiteralExpr {
  kind: "literal";
  value: null | boolean | number | string;
  range: Range;
}

/** A quoted string or heredoc with interpolations/directives; escapes decoded, `<<-` already de-indented. */
export interface TemplateExpr {
  kind: "template";
  parts: TemplatePart[];
  range: Range;
}

export type TemplatePart =
  | { kind: "text"; value: string; range: Range }
  | { kind: "interp"; expr: Expr; range: Range }
  | { kind: "if"; cond: Expr; then: TemplatePart[]; else: TemplatePart[]; range: Range }
  | { kind: "for"; keyVar?: string; valueVar: string; collection: Expr; body: TemplatePart[]; range: Range };

export interface TupleExpr {
  kind: "tuple";
  items: Expr[];
  range: Range;
}

export interface ObjectItem {
  /** A bare identifier key (`name = ...`) is a literal string; `(expr) = ...` or `"k" = ...` is an expression. */
  key: Expr;
  value: Expr;
  range: Range;
}

export interface ObjectExpr {
  kind: "object";
  items: ObjectItem[];
  range: Range;
}

/** The root of a traversal: `var`, `local`, `each`, `count`, `lxc_container`, a for/template variable, ... */
export interface VariableExpr {
  kind: "variable";
  name: string;
  range: Range;
}

export interface GetAttrExpr {
  kind: "getattr";
  target: Expr;
  name: string;
  /** Range of `.name` (for messages about that attribute). */
  nameRange: Range;
  range: Range;
}

export interface IndexExpr {
  kind: "index";
  target: Expr;
  key: Expr;
  range: Range;
}

/**
 * `source[*].a.b` and `source.*.a`: evaluates `each` once per element of `source`, with
 * SplatItemExpr standing for the element. A non-list source is treated as a one-element list
 * (null as empty), as in HCL.
 */
export interface SplatExpr {
  kind: "splat";
  source: Expr;
  each: Expr;
  range: Range;
}

/** The element placeholder inside SplatExpr.each. */
export interface SplatItemExpr {
  kind: "splatitem";
  range: Range;
}

export interface CallExpr {
  kind: "call";
  name: string;
  nameRange: Range;
  args: Expr[];
  /** True for `f(list...)`: the last argument is expanded into separate arguments. */
  expandFinal: boolean;
  range: Range;
}

export interface UnaryExpr {
  kind: "unary";
  op: UnaryOp;
  operand: Expr;
  range: Range;
}

export interface BinaryExpr {
  kind: "binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
  range: Range;
}

export interface ConditionalExpr {
  kind: "conditional";
  cond: Expr;
  then: Expr;
  else: Expr;
  range: Range;
}

/** `[for k, v in coll : expr if cond]` (object=false) or `{for k, v in coll : kexpr => vexpr... if cond}` (object=true). */
export interface ForExpr {
  kind: "for";
  keyVar?: string;
  valueVar: string;
  collection: Expr;
  /** Only for object for-expressions. */
  keyExpr?: Expr;
  valueExpr: Expr;
  cond?: Expr;
  /** `...` grouping mode of object for-expressions. */
  grouping: boolean;
  object: boolean;
  range: Range;
}

export interface ParenExpr {
  kind: "paren";
  inner: Expr;
  range: Range;
}
