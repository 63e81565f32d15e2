// The standard function library: every built-in function by name. try() and can() are not here
// because they take unevaluated arguments; the evaluator implements them.
// Deliberately absent: uuid, timestamp, bcrypt and shuffle-like functions — a plan must be a pure
// function of configuration, state and reality, so non-deterministic functions are left out.
import { collectionFunctions } from "./collection.js";
import { conversionFunctions } from "./conversion.js";
import { encodingFunctions } from "./encoding.js";
import { filesystemFunctions } from "./filesystem.js";
import { formatFunctions } from "./format.js";
import { networkFunctions } from "./network.js";
import { numericFunctions } from "./numeric.js";
import { stringFunctions } from "./string.js";
import type { FunctionImpl, FunctionTable } from "./types.js";

export type { FunctionImpl, FunctionTable, FunctionParam } from "./types.js";
export { FunctionError } from "./types.js";

export interface StandardFunctionOptions {
  /** Directory that file() and templatefile() resolve relative paths against. */
  baseDir: string;
}

export function standardFunctions(opts: StandardFunctionOptions): Map<string, FunctionImpl> {
  const table = new Map<string, FunctionImpl>();
  const families = [
    collectionFunctions,
    stringFunctions,
    formatFunctions,
    numericFunctions,
    encodingFunctions,
    networkFunctions,
    conversionFunctions,
    filesystemFunctions(opts.baseDir, (): FunctionTable => table),
  ];
  for (const family of families) for (const [name, fn] of Object.entries(family)) table.set(name, fn);
  return table;
}

/** Names of the functions the evaluator itself provides (they see unevaluated arguments). */
export const EVALUATOR_FUNCTIONS = ["try", "can"] as const;
