// Shorthands for declaring function parameters, and small argument helpers shared by the families.
import { T } from "../eval/convert.js";
import type { TypeConstraint } from "../eval/convert.js";
import type { Value } from "../value.js";
import { FunctionError } from "./types.js";
import type { FunctionParam } from "./types.js";

export const p = {
  string: (name: string): FunctionParam => ({ name, type: T.string }),
  number: (name: string): FunctionParam => ({ name, type: T.number }),
  bool: (name: string): FunctionParam => ({ name, type: T.bool }),
  any: (name: string, allowNull = false): FunctionParam => ({ name, type: T.any, allowNull }),
  list: (name: string, element: TypeConstraint = T.any): FunctionParam => ({ name, type: T.list(element) }),
  map: (name: string, element: TypeConstraint = T.any): FunctionParam => ({ name, type: T.map(element) }),
};

/** A number argument that must be a whole number (an index, a count, ...). */
export function whole(v: Value, argIndex: number, what = "a whole number"): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new FunctionError(`${what} is required, got ${String(v)}`, argIndex);
  return v;
}

export function asList(v: Value, argIndex: number): Value[] {
  if (!Array.isArray(v)) throw new FunctionError("a list, set or tuple is required", argIndex);
  return v;
}
