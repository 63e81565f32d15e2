// The value a child module's variable takes from its call: the call's argument (or the
// variable's default) converted to the declared type, null refused when nullable = false,
// marked sensitive when declared so, and checked by its validation blocks, exactly as the
// root's variables are (vars.ts) but with the call's argument as the source.
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import { convertValue, typeHint, typeString } from "../eval/convert.js";
import { evaluate } from "../eval/evaluate.js";
import type { FunctionTable } from "../functions/types.js";
import type { VariableDecl } from "../module.js";
import { parseType } from "../types.js";
import { Sensitive, Unknown, containsUnknown, isSensitive, unmark } from "../value.js";
import type { Value } from "../value.js";
import { validateVariable } from "../vars.js";
import { where } from "./call-site.js";

export function moduleVariableValue(
  decl: VariableDecl,
  given: { value: Value; range: Range } | undefined,
  moduleName: string,
  frameVariables: Map<string, Value>,
  functions: FunctionTable,
  baseDir: string,
): { value: Value; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const t = decl.type ? parseType(decl.type) : undefined;
  if (t) diags.push(...t.diagnostics);
  const type = t?.type;
  const unknown = (): Value => new Unknown(type ? typeHint(type) : "any");
  let value: Value;
  let range: Range;
  let source: string;
  if (given) {
    ({ value, range } = given);
    source = `module "${moduleName}"'s argument`;
  } else if (decl.default) {
    const d = evaluate(decl.default, {});
    diags.push(...d.diagnostics);
    value = d.value;
    range = decl.default.range;
    source = "its default value";
  } else {
    // Reported at the call by children.ts ("Missing required argument").
    return { value: unknown(), diagnostics: diags };
  }
  if (unmark(value) === null) {
    if (!decl.nullable) {
      diags.push(error("Invalid value for variable", `var.${decl.name} of module "${moduleName}" is declared with nullable = false, but ${source} is null. Provide a non-null value.`, range));
      return { value: unknown(), diagnostics: diags };
    }
    if (given && decl.default) return moduleVariableValue(decl, undefined, moduleName, frameVariables, functions, baseDir);
  }
  if (type) {
    const r = convertValue(value, type);
    if ("error" in r) {
      diags.push(
        error(
          "Invalid value for module argument",
          `The value of ${source} is not suitable for var.${decl.name} declared at ${where(decl.range)}: ${r.error.toString()}. Provide a value of type ${typeString(type)}.`,
          range,
        ),
      );
      return { value: unknown(), diagnostics: diags };
    }
    value = r.value;
  }
  const final = decl.sensitive && !isSensitive(value) ? new Sensitive(value) : value;
  if (!containsUnknown(unmark(final))) {
    const values = new Map(frameVariables).set(decl.name, final);
    for (const rule of decl.validations) diags.push(...validateVariable(decl.name, rule, values, functions, baseDir));
  }
  return { value: final, diagnostics: diags };
}
