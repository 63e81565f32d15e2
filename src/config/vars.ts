// Input variables: collects values from defaults, PMXFORM_VAR_* environment variables, var files
// and --var options (in that order of precedence, lowest first), converts them to the declared
// types, runs validation rules and marks sensitive variables.
import { MAX_NESTING, tooDeepAt } from "./nesting.js";
import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { yaml } from "./yaml/lib.js";
import { error, hasErrors, warning } from "../diag/diagnostic.js";
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import type { Expr } from "./ast.js";
import { convertValue, typeHint, typeString } from "./eval/convert.js";
import type { TypeConstraint } from "./eval/convert.js";
import { evaluate } from "./eval/evaluate.js";
import { objectFrom, peel } from "./eval/marks.js";
import { standardFunctions } from "./functions/index.js";
import type { FunctionTable } from "./functions/types.js";
import { parseHclExpressionSync, parseHclFileSync, withHcl } from "./hcl/parser.js";
import type { VariableDecl } from "./module.js";
import { references } from "./refs.js";
import { parseType } from "./types.js";
import { Sensitive, Unknown, isObjectValue } from "./value.js";
import type { Value } from "./value.js";

export interface VariableInputs {
  /** `--var` options in command-line order, each `name=value`. */
  cliVars: string[];
  /** `--var-file` paths in order (HCL `name = value` files, `.json` or `.yaml`/`.yml`). */
  varFiles: string[];
  env: NodeJS.ProcessEnv;
  /** Directory relative var-file paths resolve against. */
  baseDir: string;
  /** Functions for validation conditions; the standard library by default. */
  functions?: FunctionTable;
  /**
   * Values recorded in a saved plan being applied: they win over defaults and the environment,
   * and a --var or --var-file that sets one of them is an error (Terraform's rule).
   */
  saved?: ReadonlyMap<string, Value>;
}

export const ENV_PREFIX = "PMXFORM_VAR_";

interface Candidate {
  value: Value;
  /** Where the value came from, for messages ("--var option", "file vars.hcl", ...). */
  source: string;
  range?: Range;
}

function where(r: Range): string {
  return `${r.file}:${r.start.line},${r.start.column}`;
}

/** Terraform's rule: primitive-typed (or untyped) variables take command-line text literally. */
function literalMode(type: TypeConstraint | undefined): boolean {
  return !type || type.kind === "string" || type.kind === "number" || type.kind === "bool";
}

/** Expressions in var files and defaults must be constants: no references, no function calls. */
function constantProblems(expr: Expr): Diagnostic[] {
  const diags: Diagnostic[] = [];
  for (const r of references(expr)) {
    diags.push(error("Variables not allowed", "Variables may not be used here; write a literal value instead.", r.range));
  }
  const calls = (e: Expr): void => {
    if (e.kind === "call") diags.push(error("Function calls not allowed", "Functions may not be called here; write a literal value instead.", e.nameRange));
    forEachChild(e, calls);
  };
  calls(expr);
  return diags;
}

function forEachChild(e: Expr, f: (c: Expr) => void): void {
  switch (e.kind) {
    case "tuple":
      e.items.forEach(f);
      break;
    case "object":
      for (const i of e.items) {
        f(i.key);
        f(i.value);
      }
      break;
    case "template":
      for (const p of e.parts) if (p.kind === "interp") f(p.expr);
      break;
    case "unary":
      f(e.operand);
      break;
    case "binary":
      f(e.left);
      f(e.right);
      break;
    case "paren":
      f(e.inner);
      break;
    case "conditional":
      f(e.cond);
      f(e.then);
      f(e.else);
      break;
    case "call":
      e.args.forEach(f);
      break;
    case "getattr":
    case "index":
      f(e.target);
      break;
    default:
      break;
  }
}

function evalConstant(expr: Expr, diags: Diagnostic[]): Value | undefined {
  const problems = constantProblems(expr);
  if (problems.length > 0) {
    diags.push(...problems);
    return undefined;
  }
  const r = evaluate(expr, {});
  diags.push(...r.diagnostics);
  return hasErrors(r.diagnostics) ? undefined : r.value;
}

function fromData(d: unknown): Value {
  if (d === undefined) return null;
  if (d instanceof Date) return d.toISOString();
  if (Array.isArray(d)) return d.map(fromData);
  if (d instanceof Map) return objectFrom([...d].map(([k, v]) => [String(k), fromData(v)]));
  if (typeof d === "object" && d !== null) return objectFrom(Object.entries(d).map(([k, v]) => [k, fromData(v)]));
  if (typeof d === "bigint") return Number(d);
  return d as Value;
}

/** Parses text given on the command line or in the environment, as a literal or as HCL. */
function parseText(name: string, text: string, literal: boolean, label: string, diags: Diagnostic[]): Value | undefined {
  if (literal) return text;
  const r = parseHclExpressionSync(text, label);
  if (!r.expr || hasErrors(r.diagnostics)) {
    diags.push(...r.diagnostics.map((d) => ({ ...d, detail: `${d.detail ?? ""} (in the value for var.${name} from ${label})`.trim() })));
    return undefined;
  }
  return evalConstant(r.expr, diags);
}

function readVarFile(path: string, baseDir: string, decls: Map<string, VariableDecl>, diags: Diagnostic[]): Map<string, Candidate> {
  const out = new Map<string, Candidate>();
  const full = resolve(baseDir, path);
  let text: string;
  try {
    text = readFileSync(full, "utf8");
  } catch (e) {
    diags.push(error("Failed to read variables file", `Given variables file ${path} does not exist or cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}). Check the --var-file path.`));
    return out;
  }
  const undeclared = (name: string, range?: Range): void => {
    diags.push(
      warning(
        "Value for undeclared variable",
        `The variables file ${path} assigns a value to "${name}", which is not declared in the configuration. Declare it with a variable "${name}" {} block, or remove the assignment.`,
        range,
      ),
    );
  };
  const ext = extname(full).toLowerCase();
  if (ext === ".json" || ext === ".yaml" || ext === ".yml") {
    let data: unknown;
    // JSON is YAML flow syntax: one scan bounds both before a parser or fromData recurses.
    if (tooDeepAt(text, true) !== undefined) {
      diags.push(error("Invalid variables file", `${path} nests lists or maps more than ${MAX_NESTING} levels deep. Flatten it.`));
      return out;
    }
    try {
      data = ext === ".json" ? JSON.parse(text) : yaml().parse(text, { maxAliasCount: 100 });
    } catch (e) {
      diags.push(error("Invalid variables file", `${path} is not valid ${ext === ".json" ? "JSON" : "YAML"}: ${e instanceof Error ? e.message : String(e)}. Fix the syntax.`));
      return out;
    }
    const v = fromData(data ?? {});
    if (!isObjectValue(v)) {
      diags.push(error("Invalid variables file", `${path} must hold an object whose keys are variable names.`));
      return out;
    }
    for (const [name, value] of Object.entries(v)) {
      if (!decls.has(name)) undeclared(name);
      else out.set(name, { value, source: `the variables file ${path}` });
    }
    return out;
  }
  const parsed = parseHclFileSync(full, text);
  diags.push(...parsed.diagnostics);
  if (hasErrors(parsed.diagnostics)) return out;
  for (const block of parsed.file.body.blocks) {
    diags.push(error("Unexpected block in variables file", `A variables file holds only name = value assignments; remove the "${block.type}" block.`, block.typeRange));
  }
  for (const attr of parsed.file.body.attributes) {
    if (!decls.has(attr.name)) {
      undeclared(attr.name, attr.nameRange);
      continue;
    }
    const value = evalConstant(attr.expr, diags);
    if (value !== undefined) out.set(attr.name, { value, source: `the variables file ${path}`, range: attr.expr.range });
  }
  return out;
}

export interface ResolvedVariables {
  values: Map<string, Value>;
  diagnostics: Diagnostic[];
}

/** Like resolveVariables, but first makes sure the HCL parser is loaded. */
export async function resolveVariablesAsync(decls: Map<string, VariableDecl>, inputs: VariableInputs): Promise<ResolvedVariables> {
  return withHcl(() => resolveVariables(decls, inputs));
}

/**
 * Resolves every declared variable. Synchronous: a value only tree-sitter can parse throws
 * HclParserNotLoaded unless `initHcl()` ran; resolveVariablesAsync handles that.
 */
export function resolveVariables(decls: Map<string, VariableDecl>, inputs: VariableInputs): ResolvedVariables {
  const diags: Diagnostic[] = [];
  const types = new Map<string, TypeConstraint | undefined>();
  for (const [name, decl] of decls) {
    if (!decl.type) {
      types.set(name, undefined);
      continue;
    }
    const t = parseType(decl.type);
    diags.push(...t.diagnostics);
    types.set(name, t.type);
  }

  // Each layer overrides the previous one: default < env < var files (in order) < --var (in order).
  const chosen = new Map<string, Candidate>();
  for (const [name, decl] of decls) {
    if (!decl.default) continue;
    const v = evalConstant(decl.default, diags);
    if (v !== undefined) chosen.set(name, { value: v, source: "its default value", range: decl.default.range });
  }
  for (const [name] of decls) {
    const text = inputs.env[`${ENV_PREFIX}${name}`];
    if (text === undefined) continue;
    const v = parseText(name, text, literalMode(types.get(name)), `environment variable ${ENV_PREFIX}${name}`, diags);
    if (v !== undefined) chosen.set(name, { value: v, source: `the environment variable ${ENV_PREFIX}${name}` });
  }
  for (const file of inputs.varFiles) {
    for (const [name, c] of readVarFile(file, inputs.baseDir, decls, diags)) chosen.set(name, c);
  }
  for (const opt of inputs.cliVars) {
    const eq = opt.indexOf("=");
    const name = eq > 0 ? opt.slice(0, eq).trim() : "";
    if (eq <= 0 || name === "") {
      diags.push(
        error(
          "Invalid --var option",
          `The given --var option ${JSON.stringify(opt)} is not correctly specified. It must be a variable name and value separated by an equals sign, like --var key=value.`,
        ),
      );
      continue;
    }
    if (!decls.has(name)) {
      diags.push(
        error(
          "Value for undeclared variable",
          `A variable named "${name}" was assigned on the command line, but the configuration does not declare a variable of that name.${suggestion(name, decls)} To use this value, add a variable "${name}" {} block to the configuration.`,
        ),
      );
      continue;
    }
    const v = parseText(name, opt.slice(eq + 1), literalMode(types.get(name)), `--var ${name}`, diags);
    if (v !== undefined) chosen.set(name, { value: v, source: "a --var option" });
  }

  for (const [name, value] of inputs.saved ?? []) {
    const given = chosen.get(name);
    if (given && (given.source === "a --var option" || given.source.startsWith("the variables file "))) {
      diags.push(
        error(
          "Can't change variable when applying a saved plan",
          `The variable "${name}" is set by ${given.source}, but a saved plan already records the value it was planned with and applies with that one. Remove the option (or the file) for "${name}", or make a new plan with it: pmxform plan --var ${name}=... --out FILE.`,
          given.range,
        ),
      );
    }
    chosen.set(name, { value, source: "the saved plan" });
  }

  const values = new Map<string, Value>();
  for (const [name, decl] of decls) {
    const type = types.get(name);
    const c = chosen.get(name);
    if (c && c.value === null && !decl.nullable) {
      diags.push(
        error(
          "Required variable not set",
          `Unsuitable value for var.${name} set from ${c.source}: the value is null, but the variable is declared with nullable = false. Provide a non-null value.`,
          c.range ?? decl.range,
        ),
      );
      values.set(name, new Unknown(type ? typeHint(type) : "any"));
      continue;
    }
    if (!c) {
      diags.push(
        error(
          "No value for required variable",
          `The input variable "${name}" is not set, and has no default value. Use a --var ${name}=... or --var-file command line argument, or set the ${ENV_PREFIX}${name} environment variable, to provide a value for this variable.`,
          decl.range,
        ),
      );
      values.set(name, new Unknown(type ? typeHint(type) : "any"));
      continue;
    }
    let value = c.value;
    if (type) {
      const r = convertValue(value, type);
      if ("error" in r) {
        diags.push(
          error(
            c.source === "its default value" ? "Invalid default value for variable" : "Invalid value for variable",
            `The value from ${c.source} is not suitable for var.${name} declared at ${where(decl.range)}: ${r.error.toString()}. Provide a value of type ${typeString(type)}.`,
            c.range ?? decl.range,
          ),
        );
        values.set(name, new Unknown(typeHint(type)));
        continue;
      }
      value = r.value;
    }
    values.set(name, decl.sensitive ? new Sensitive(value) : value);
  }

  // Validation rules see every variable (as Terraform 1.9+ allows), once all are resolved.
  const functions = inputs.functions ?? standardFunctions({ baseDir: inputs.baseDir });
  for (const [name, decl] of decls) {
    const current = values.get(name);
    if (current === undefined || current instanceof Unknown) continue;
    for (const rule of decl.validations) diags.push(...validateVariable(name, rule, values, functions, inputs.baseDir));
  }
  return { values, diagnostics: diags };
}

function suggestion(name: string, decls: Map<string, VariableDecl>): string {
  const names = [...decls.keys()];
  const close = names.find((n) => n.toLowerCase() === name.toLowerCase());
  return close ? ` Did you mean "${close}"?` : "";
}

export function validateVariable(name: string, rule: VariableDecl["validations"][number], values: Map<string, Value>, functions: FunctionTable, baseDir: string): Diagnostic[] {
  const scope = { variables: values, functions, baseDir };
  const cond = evaluate(rule.condition, scope);
  if (hasErrors(cond.diagnostics)) return cond.diagnostics;
  const { value: ok } = peel(cond.value);
  if (ok instanceof Unknown) return [];
  if (typeof ok !== "boolean") {
    return [
      error(
        "Invalid validation result",
        `The validation condition for var.${name} must be true or false, got ${ok === null ? "null" : typeof ok}. Rewrite the condition to produce a bool.`,
        rule.condition.range,
      ),
    ];
  }
  if (ok) return [];
  const msg = evaluate(rule.errorMessage, scope);
  if (hasErrors(msg.diagnostics)) return msg.diagnostics;
  const { value: text, sensitive } = peel(msg.value);
  let message: string;
  if (sensitive) message = "The error message included a sensitive value, so it will not be displayed.";
  else if (typeof text === "string") message = text;
  else message = "(the error_message did not evaluate to a string)";
  return [error("Invalid value for variable", `${message}\n\nThis was checked by the validation rule at ${where(rule.condition.range)}.`, rule.condition.range)];
}
