// Type conversion functions: tostring, tonumber, tobool, tolist, toset, tomap. They follow the
// same rules as variable type constraints (see ../eval/convert.ts); null stays null.
import { T, convertValue, toSetOrder } from "../eval/convert.js";
import type { TypeConstraint } from "../eval/convert.js";
import { isObjectValue, typeName } from "../value.js";
import type { Value } from "../value.js";
import { p } from "./params.js";
import { FunctionError } from "./types.js";
import type { FunctionImpl } from "./types.js";

function to(type: TypeConstraint, returns: string, description: string): FunctionImpl {
  return {
    description,
    params: [p.any("v", true)],
    returns,
    impl: ([v]) => {
      const r = convertValue(v as Value, type);
      if ("error" in r) throw new FunctionError(`cannot convert ${typeName(v as Value)} to ${returns}: ${r.error.toString()}`, 0);
      return r.value;
    },
  };
}

export const conversionFunctions: Record<string, FunctionImpl> = {
  tostring: to(T.string, "string", "The value as a string (numbers and bools convert)."),
  tonumber: to(T.number, "number", "The value as a number (numeric strings convert)."),
  tobool: to(T.bool, "bool", 'The value as a bool ("true" and "false" convert).'),
  tolist: {
    description: "The value as a list.",
    params: [p.any("v", true)],
    returns: "list",
    marks: "shallow",
    impl: ([v]) => {
      if (v === null || Array.isArray(v)) return v;
      throw new FunctionError(`cannot convert ${typeName(v as Value)} to list: a list, set or tuple is required`, 0);
    },
  },
  toset: {
    description: "The value as a set: duplicates removed, strings and numbers sorted.",
    params: [p.any("v", true)],
    returns: "list",
    impl: ([v]) => {
      if (v === null) return null;
      if (Array.isArray(v)) return toSetOrder(v);
      throw new FunctionError(`cannot convert ${typeName(v as Value)} to set: a list, set or tuple is required`, 0);
    },
  },
  tomap: {
    description: "The value as a map.",
    params: [p.any("v", true)],
    returns: "map",
    marks: "shallow",
    impl: ([v]) => {
      if (v === null || isObjectValue(v as Value)) return v as Value;
      throw new FunctionError(`cannot convert ${typeName(v as Value)} to map: a map or object is required`, 0);
    },
  },
};
