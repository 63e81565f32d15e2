// Turns a root module and the modules it calls into one flat Module the engine plans like a
// root: every module instance (count/for_each expanded) becomes a frame, and its resources join
// the root's under their full address (`module.media["a"].lxc_container.app`). Module
// count/for_each must be known before any resource is planned, so they are evaluated here from
// variables and locals only (a resource attribute there is an error, as an unknown one is in
// Terraform); everything else in a module is evaluated by the engine in dependency order.
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { Expr } from "../ast.js";
import { evaluate } from "../eval/evaluate.js";
import type { Scope } from "../eval/evaluate.js";
import { standardFunctions } from "../functions/index.js";
import type { Module, ModuleCallDecl, ModuleFrame, ResourceDecl, Traversal } from "../module.js";
import { Unknown, containsSensitive, isObjectValue, isSensitive, isUnknown, unmark } from "../value.js";
import type { Value } from "../value.js";
import { callSiteText, withCallSite } from "./call-site.js";

/** Module instances one call may have, like resource instances (evaluation.ts MAX_INSTANCES). */
const MAX_MODULE_INSTANCES = 10_000;

type Key = number | string | undefined;

function keySuffix(key: Key): string {
  if (key === undefined) return "";
  return typeof key === "number" ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

/** Locals whose value follows from variables and other such locals; the rest stay unknown. */
function staticLocals(module: Module, variables: Map<string, Value>, scope: Omit<Scope, "locals" | "variables">): Map<string, Value> {
  const locals = new Map<string, Value>();
  for (const name of module.locals.keys()) locals.set(name, new Unknown());
  // Each pass settles at least one more level of a chain of locals.
  for (let pass = 0; pass < Math.min(module.locals.size, 8) + 1; pass++) {
    for (const l of module.locals.values()) locals.set(l.name, evaluate(l.expr, { ...scope, variables, locals }).value);
  }
  return locals;
}

/** The instance keys of a module call, from its count or for_each. */
function expandCall(call: ModuleCallDecl, scope: Scope, lenient: boolean): { keys: Key[]; eachValues: Map<string, Value>; diagnostics: Diagnostic[] } {
  const eachValues = new Map<string, Value>();
  const expr: Expr | undefined = call.count ?? call.forEach;
  if (!expr) return { keys: [undefined], eachValues, diagnostics: [] };
  const what = call.count ? "count" : "for_each";
  const bad = (detail: string): { keys: Key[]; eachValues: Map<string, Value>; diagnostics: Diagnostic[] } => ({
    keys: [],
    eachValues,
    diagnostics: [error(`Invalid ${what} argument`, detail, expr.range)],
  });
  const r = evaluate(expr, scope);
  if (r.diagnostics.length) return { keys: [], eachValues, diagnostics: r.diagnostics };
  if (call.forEach && (isSensitive(r.value) || (Array.isArray(r.value) && r.value.some(containsSensitive)))) {
    return bad("Sensitive values cannot be used as for_each keys of a module: they would be shown in every address. Use keys that are not secret.");
  }
  const v = unmark(r.value);
  if (isUnknown(v)) {
    if (lenient) return { keys: [undefined], eachValues, diagnostics: [] };
    return bad(
      `The ${what} of module "${call.name}" must be known before anything is planned: pmxform takes it from variables and locals only. Compute it from variables and locals, not from resource attributes or module outputs.`,
    );
  }
  if (call.count) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) return bad("count must be a whole number of zero or more.");
    if (v > MAX_MODULE_INSTANCES) return bad(`count gives more than ${MAX_MODULE_INSTANCES} module instances, pmxform's limit. Use a smaller count.`);
    return { keys: Array.from({ length: v }, (_, i) => i), eachValues, diagnostics: [] };
  }
  if (Array.isArray(v)) {
    if (!v.every((x) => typeof x === "string")) return bad("for_each needs a map, or a set of strings (use toset([...])).");
    for (const k of v) eachValues.set(k, k);
  } else if (isObjectValue(v)) {
    for (const [k, x] of Object.entries(v)) eachValues.set(k, x);
  } else return bad("for_each needs a map, or a set of strings.");
  if (eachValues.size > MAX_MODULE_INSTANCES) return bad(`for_each gives more than ${MAX_MODULE_INSTANCES} module instances, pmxform's limit.`);
  return { keys: [...eachValues.keys()].sort(), eachValues, diagnostics: [] };
}

const prefixed = (path: string, t: Traversal): Traversal => ({ ...t, address: `${path}.${t.address}` });

export function flattenModules(root: Module, variables: Map<string, Value>, rootDir: string, lenient = false): { module: Module; diagnostics: Diagnostic[] } {
  if (root.children.size === 0) return { module: root, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const frames = new Map<string, ModuleFrame>();
  const resources = new Map(root.resources);
  const moved = [...root.moved];
  const functionsByDir = new Map<string, ReturnType<typeof standardFunctions>>();
  const functionsFor = (dir: string): ReturnType<typeof standardFunctions> => {
    let f = functionsByDir.get(dir);
    if (!f) functionsByDir.set(dir, (f = standardFunctions({ baseDir: dir })));
    return f;
  };

  const visit = (module: Module, path: string, dir: string, vars: Map<string, Value>, callSite: string | undefined): void => {
    const base: Omit<Scope, "locals" | "variables"> = {
      resource: () => new Unknown("object"),
      functions: functionsFor(dir),
      baseDir: dir,
      path: { module: dir, root: rootDir, cwd: process.cwd() },
    };
    const locals = staticLocals(module, vars, base);
    for (const child of module.children.values()) {
      const call = child.call;
      const scope: Scope = { ...base, variables: vars, locals };
      const expansion = expandCall(call, scope, lenient);
      diagnostics.push(...withCallSite(expansion.diagnostics, callSite));
      for (const key of expansion.keys) {
        const instPath = `${path ? `${path}.` : ""}module.${call.name}${keySuffix(key)}`;
        const frame: ModuleFrame = { path: instPath, parent: path, call, module: child.module, dir: child.dir, key, callSite: callSiteText(instPath, call.declRange) };
        const inner: Scope = { ...scope };
        if (typeof key === "string") frame.each = inner.each = { key, value: expansion.eachValues.get(key) ?? null };
        if (typeof key === "number") inner.count = { index: key };
        if (lenient && key === undefined) {
          if (call.count) inner.count = { index: new Unknown("number") };
          if (call.forEach) frame.each = inner.each = { key: new Unknown("string"), value: new Unknown() };
        }
        frames.set(instPath, frame);
        // The child's variables as far as they are known now: only its own count/for_each need them.
        const childVars = new Map<string, Value>();
        for (const v of child.module.variables.values()) {
          const input = call.inputs.get(v.name);
          if (input) childVars.set(v.name, evaluate(input.expr, inner).value);
          else childVars.set(v.name, v.default ? evaluate(v.default, {}).value : new Unknown());
        }
        for (const r of child.module.resources.values()) {
          const address = `${instPath}.${r.address}`;
          const decl: ResourceDecl = { ...r, address, module: instPath, dependsOn: r.dependsOn.map((t) => prefixed(instPath, t)) };
          if (r.lifecycle) decl.lifecycle = { ...r.lifecycle, replaceTriggeredBy: r.lifecycle.replaceTriggeredBy.map((t) => prefixed(instPath, t)) };
          resources.set(address, decl);
        }
        for (const m of child.module.moved) moved.push({ ...m, from: prefixed(instPath, m.from), to: prefixed(instPath, m.to) });
        visit(child.module, instPath, child.dir, childVars, frame.callSite);
      }
    }
  };
  visit(root, "", rootDir, variables, undefined);
  return { module: { ...root, resources, moved, frames }, diagnostics };
}
