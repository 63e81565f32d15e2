// Calls one built-in function: checks the argument count, converts each argument to its
// parameter type, applies the Unknown/Sensitive rules, and turns failures into diagnostics.
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import { convertValue } from "../eval/convert.js";
import { flatten, markIf, peel } from "../eval/marks.js";
import { Unknown, containsSensitive } from "../value.js";
import type { Value } from "../value.js";
import { FunctionError, UnknownResult } from "./types.js";
import type { FunctionImpl, FunctionParam } from "./types.js";

export interface CallArg {
  value: Value;
  range?: Range;
}

export function callFunction(name: string, fn: FunctionImpl, args: CallArg[], callRange?: Range): { value: Value; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const failed = (): { value: Value; diagnostics: Diagnostic[] } => ({ value: new Unknown(fn.returns), diagnostics });
  const arity = `${fn.params.length}${fn.variadic ? " or more" : ""} argument${fn.params.length === 1 && !fn.variadic ? "" : "s"}`;
  if (args.length < fn.params.length) {
    const missing = fn.params[args.length] as FunctionParam;
    diagnostics.push(error("Not enough function arguments", `Function "${name}" expects ${arity}. Missing value for "${missing.name}"; add it to the call.`, callRange));
    return failed();
  }
  if (args.length > fn.params.length && !fn.variadic) {
    const extra = args[fn.params.length];
    diagnostics.push(error("Too many function arguments", `Function "${name}" expects only ${arity}; remove the extra ones.`, extra?.range ?? callRange));
    return failed();
  }

  let sensitive = false;
  /** An argument holds a sensitive value somewhere: error messages may not quote the arguments. */
  let quoteless = false;
  let unknown = false;
  const converted: Value[] = [];
  args.forEach((arg, i) => {
    const param = (fn.params[i] ?? fn.variadic) as FunctionParam;
    let v: Value;
    let argSensitive: boolean;
    if ((fn.marks ?? "deep") === "deep") {
      const f = flatten(arg.value);
      sensitive ||= f.sensitive;
      argSensitive = f.sensitive;
      unknown ||= f.unknown;
      v = f.value;
    } else {
      const p = peel(arg.value);
      sensitive ||= p.sensitive; // marks inside the collection stay where they are
      argSensitive = p.sensitive || containsSensitive(p.value);
      v = p.value;
      if (v instanceof Unknown) unknown = true;
    }
    quoteless ||= argSensitive;
    if (v === null && !param.allowNull) {
      diagnostics.push(invalidArg(name, param, "argument must not be null", arg.range ?? callRange));
      return;
    }
    const r = convertValue(v, param.type);
    if ("error" in r) {
      diagnostics.push(invalidArg(name, param, argSensitive ? SENSITIVE_REASON : r.error.toString(), arg.range ?? callRange));
      return;
    }
    converted.push(r.value);
  });
  if (diagnostics.length > 0) return failed();
  if (unknown) return { value: markIf(new Unknown(fn.returns), sensitive), diagnostics };

  try {
    return { value: markIf(fn.impl(converted), sensitive), diagnostics };
  } catch (e) {
    if (e instanceof UnknownResult) return { value: markIf(new Unknown(fn.returns), sensitive), diagnostics };
    if (e instanceof FunctionError) {
      // A function's own message may quote any argument (a path, a CIDR, a JSON fragment): with a
      // sensitive argument only the fact that it failed is told.
      if (e.diagnostics.length > 0) {
        diagnostics.push(...(quoteless ? e.diagnostics.map((d) => ({ ...d, detail: `Call to function "${name}" failed: ${SENSITIVE_REASON}.` })) : e.diagnostics));
        return failed();
      }
      const message = quoteless ? SENSITIVE_REASON : e.message;
      const at = e.argIndex !== undefined ? args[e.argIndex] : undefined;
      const param = e.argIndex !== undefined ? (fn.params[e.argIndex] ?? fn.variadic) : undefined;
      if (param) diagnostics.push(invalidArg(name, param, message, at?.range ?? callRange));
      else diagnostics.push(error("Error in function call", `Call to function "${name}" failed: ${message}.`, callRange));
    } else {
      const msg = quoteless ? SENSITIVE_REASON : e instanceof Error ? e.message : String(e);
      diagnostics.push(
        error("Error in function call", `Call to function "${name}" failed unexpectedly: ${msg}. This is a bug in pmxform; please report it with the expression that caused it.`, callRange),
      );
    }
    return failed();
  }
}

/** What replaces an error message that could quote a sensitive argument. */
const SENSITIVE_REASON = "the value is sensitive, so the reason is not shown; check the sensitive value it comes from";

function invalidArg(fnName: string, param: FunctionParam, message: string, range?: Range): Diagnostic {
  return error("Invalid function argument", `Invalid value for "${param.name}" parameter of function "${fnName}": ${message.replace(/\.$/, "")}.`, range);
}
