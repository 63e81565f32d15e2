// The generic, syntax-free configuration body: what both the HCL and the YAML front end produce
// before any decoding into variables, resources, etc. Modelled on HCL's Body/Block/Attribute.
import type { Range } from "../diag/diagnostic.js";
import type { Expr } from "./ast.js";

export interface Attribute {
  name: string;
  expr: Expr;
  /** Range of the attribute name. */
  nameRange: Range;
  /** Range of the whole `name = expr`. */
  range: Range;
}

export interface Block {
  type: string;
  labels: string[];
  labelRanges: Range[];
  body: Body;
  /** Range of the block type keyword (or YAML key). */
  typeRange: Range;
  /** Range of the whole block. */
  range: Range;
}

export interface Body {
  /** In source order. Duplicates are reported by the front end and not kept. */
  attributes: Attribute[];
  /** In source order. */
  blocks: Block[];
  range: Range;
}

/** One parsed configuration file. */
export interface File {
  path: string;
  /** The file's text, kept for diagnostic snippets. */
  source: string;
  body: Body;
}

export function attr(body: Body, name: string): Attribute | undefined {
  return body.attributes.find((a) => a.name === name);
}

export function blocksOfType(body: Body, type: string): Block[] {
  return body.blocks.filter((b) => b.type === type);
}
