// The shape of a built-in function: typed parameters (converted with Terraform's rules before the
// call), how it treats Unknown/Sensitive arguments, and the implementation itself.
import type { TypeConstraint } from "../eval/convert.js";
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { Value } from "../value.js";

export interface FunctionParam {
  name: string;
  type: TypeConstraint;
  /** Null is rejected with a diagnostic unless allowed. */
  allowNull?: boolean;
}

export interface FunctionImpl {
  params: FunctionParam[];
  /** Extra arguments after `params`, each checked against this parameter. */
  variadic?: FunctionParam;
  /** Unknown-type hint of the result, used when an argument is unknown. */
  returns: string;
  /**
   * How marks reach `impl`. "deep" (default): every argument is fully unmarked, any unknown
   * anywhere makes the result unknown, any sensitive part makes the whole result sensitive.
   * "shallow": only top-level marks are removed (and re-applied to the result); nested unknown
   * and sensitive elements reach `impl`, which moves them around untouched (concat, merge,
   * length of a list with unknown elements, ...).
   */
  marks?: "deep" | "shallow";
  /** One line for docs and did-you-mean hints. */
  description: string;
  impl(args: Value[]): Value;
}

/** Thrown by `impl` for a user mistake; becomes an "Invalid function argument"/"Error in function call" diagnostic. */
export class FunctionError extends Error {
  constructor(
    message: string,
    /** The argument at fault, when there is one. */
    readonly argIndex?: number,
    /** Diagnostics from inside the call (a template's own errors), reported as they are. */
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = "FunctionError";
  }
}

export type FunctionTable = ReadonlyMap<string, FunctionImpl>;

/**
 * Thrown by "shallow" functions that meet a nested unknown they cannot see through
 * (e.g. flatten() of a list holding an unknown list); the call yields an unknown result.
 */
export class UnknownResult {
  readonly unknownResult = true;
}
