// What a configuration generator writes: resource blocks as plain data, plus which keys are
// nested blocks (from the resource type), shared by the HCL and YAML writers.
import type { BlockSpec } from "../../provider/types.js";

export interface GeneratedResource {
  type: string;
  name: string;
  /** Arguments and nested blocks as JSON data (the output of ResourceType.generateConfig). */
  body: Record<string, unknown>;
  blocks: Record<string, BlockSpec>;
  /** Lines shown as comments above the block (HCL) or in the file header (YAML). */
  comments?: string[];
}

/** Keeps key order stable and readable: scalars and lists first, nested blocks after. */
export function splitBody(body: Record<string, unknown>, blocks: Record<string, BlockSpec>): { attrs: [string, unknown][]; nested: [string, BlockSpec, unknown][] } {
  const attrs: [string, unknown][] = [];
  const nested: [string, BlockSpec, unknown][] = [];
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined || v === null) continue;
    const spec = blocks[k];
    if (spec && typeof v === "object" && !Array.isArray(v)) nested.push([k, spec, v]);
    else attrs.push([k, v]);
  }
  return { attrs, nested };
}
