// Evaluates a decoded Module: orders declarations by their references, evaluates locals,
// expands count/for_each into instances, turns each instance's body into a validated config
// object, and answers references to resources with whatever values the caller recorded
// (planned values during plan, real ones during apply, Unknown during validate).
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import type { Expr } from "../config/ast.js";
import type { Body } from "../config/body.js";
import { evaluateBody, RangeIndex } from "../config/body-value.js";
import { evaluate } from "../config/eval/evaluate.js";
import type { Scope } from "../config/eval/evaluate.js";
import { standardFunctions } from "../config/functions/index.js";
import type { Module, ModuleFrame, ResourceDecl } from "../config/module.js";
import type { FunctionTable } from "../config/functions/types.js";
import { withCallSite } from "../config/modules/call-site.js";
import { moduleVariableValue } from "../config/modules/inputs.js";
import { suggest } from "../config/eval/suggest.js";
import { references } from "../config/refs.js";
import { containsSensitive, isObjectValue, isSensitive, isUnknown, markPaths, Sensitive, sensitivePaths, unmark, Unknown } from "../config/value.js";
import type { Value } from "../config/value.js";
import { Dag } from "../graph/dag.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { ResourceType } from "../provider/types.js";
import { issuesFromZod } from "../provider/schema.js";
import { fastParse } from "../provider/fast-validate.js";
import type { Attrs, AttrPath } from "../provider/types.js";
import { addressMatches, instanceAddress, isModuleAddress, parseAddress, type InstanceKey } from "./address.js";
import { referenceValue } from "./reference-value.js";

export interface InstanceConfig {
  address: string;
  decl: ResourceDecl;
  key: InstanceKey;
  /** The evaluated configuration, sensitive marks removed. */
  config: Attrs;
  sensitivePaths: AttrPath[];
  ranges: RangeIndex;
}

/** The declaration graph, its problems, and its evaluation order when it has no cycle. */
export interface DeclGraph {
  dag: Dag;
  diagnostics: Diagnostic[];
  order?: string[];
}

/** A recorded instance value, computed when a reference first reads it. */
class Deferred {
  #compute: (() => Value) | undefined;
  #value: Value = null;
  constructor(compute: () => Value) {
    this.#compute = compute;
  }
  get value(): Value {
    if (this.#compute) {
      this.#value = this.#compute();
      this.#compute = undefined;
    }
    return this.#value;
  }
}

type Instances = {
  mode: "single" | "count" | "each";
  values: Map<string | number, Value | Deferred>;
  /** The value a reference to the whole declaration sees, until an instance changes. */
  assembled?: Value;
};

const resolved = (v: Value | Deferred): Value => (v instanceof Deferred ? v.value : v);

/**
 * Graph node ids: `var.x`, `local.x`, `output.x`, a resource declaration address `type.name`, or
 * a module call `module.x` (the outputs of all its instances); inside a module instance the same
 * with the instance path in front (`module.a["k"].local.x`).
 */
export function declNodeId(kind: "var" | "local" | "output", name: string, frame = ""): string {
  return `${frame ? `${frame}.` : ""}${kind}.${name}`;
}

/** What a graph node is, for the walk (resources are looked up by address instead). */
export interface NodeInfo {
  kind: "var" | "local" | "output" | "call";
  /** The module instance path, "" at the root. */
  frame: string;
  name: string;
}

const framePrefix = (frame: string): string => (frame ? `${frame}.` : "");

/** The resource or module a depends_on / replace_triggered_by entry names, without attributes after it (`lxc_container.x[0].id`). */
function staticTarget(text: string): string {
  let t = text;
  for (let i = 0; i < 4; i++) {
    if (parseAddress(t) || isModuleAddress(t)) return t;
    const cut = t.lastIndexOf(".");
    if (cut < 0) break;
    t = t.slice(0, cut);
  }
  return text;
}

/**
 * Instances one resource may have (docs/reliability.md). Far above any Proxmox cluster's
 * capacity, and low enough that a typo (count = 1000000000) ends in a diagnostic instead of
 * running out of memory.
 */
export const MAX_INSTANCES = 100_000;

const tooManyInstances = (what: string, range: Range): Diagnostic =>
  error("Too many instances", `${what} gives more than ${MAX_INSTANCES.toLocaleString("en-US")} instances of one resource, pmxform's limit. Use a smaller ${what}.`, range);

export class ConfigEvaluation {
  readonly locals = new Map<string, Value>();
  private readonly resources = new Map<string, Instances>();
  private readonly functions;
  /** Per module instance (path): its variables, locals and outputs as evaluated so far. */
  private readonly frameVariables = new Map<string, Map<string, Value>>();
  private readonly frameLocals = new Map<string, Map<string, Value>>();
  private readonly frameOutputs = new Map<string, Map<string, Value>>();
  private readonly functionsByDir = new Map<string, FunctionTable>();
  private nodeInfo = new Map<string, NodeInfo>();

  constructor(
    readonly module: Module,
    readonly variables: Map<string, Value>,
    readonly registry: ProviderRegistry,
    readonly baseDir: string,
    /** validate: count/for_each that are unknown yield one instance with unknown count.index/each.* instead of an error. */
    readonly lenient = false,
  ) {
    this.functions = standardFunctions({ baseDir });
  }

  frame(path: string): ModuleFrame | undefined {
    return path ? this.module.frames?.get(path) : undefined;
  }

  private frameModule(path: string): Module {
    return this.frame(path)?.module ?? this.module;
  }

  private perFrame(store: Map<string, Map<string, Value>>, path: string): Map<string, Value> {
    let m = store.get(path);
    if (!m) store.set(path, (m = new Map<string, Value>()));
    return m;
  }

  private functionsFor(dir: string): FunctionTable {
    if (dir === this.baseDir) return this.functions;
    let f = this.functionsByDir.get(dir);
    if (!f) this.functionsByDir.set(dir, (f = standardFunctions({ baseDir: dir })));
    return f;
  }

  /** What expressions written in module instance `path` (the root: "") see. */
  frameScope(path: string): Scope {
    const dir = this.frame(path)?.dir ?? this.baseDir;
    const prefix = framePrefix(path);
    return {
      variables: path ? this.perFrame(this.frameVariables, path) : this.variables,
      locals: path ? this.perFrame(this.frameLocals, path) : this.locals,
      resource: (type, name) => (type === "module" ? this.moduleValue(path, name) : this.resourceValue(`${prefix}${type}.${name}`)),
      path: { module: dir, root: this.baseDir, cwd: process.cwd() },
      functions: this.functionsFor(dir),
      baseDir: dir,
    };
  }

  scope(decl?: ResourceDecl, key?: InstanceKey, each?: { key: Value; value: Value }): Scope {
    const s: Scope = this.frameScope(decl?.module ?? "");
    if (decl) s.address = instanceAddress(decl.address, key);
    if (decl?.count !== undefined && typeof key === "number") s.count = { index: key };
    if (each) s.each = each;
    if (this.lenient && decl && key === undefined) {
      if (decl.count) s.count = { index: new Unknown("number") };
      if (decl.forEach) s.each = { key: new Unknown("string"), value: new Unknown("any") };
    }
    return s;
  }

  eval(expr: Expr, scope: Scope): { value: Value; diagnostics: Diagnostic[] } {
    return evaluate(expr, scope);
  }

  /** Every expression a resource declaration holds (for reference extraction). */
  private static resourceExprs(decl: ResourceDecl): Expr[] {
    const out: Expr[] = [];
    const walkBody = (b: Body): void => {
      for (const a of b.attributes) out.push(a.expr);
      for (const blk of b.blocks) walkBody(blk.body);
    };
    walkBody(decl.body);
    if (decl.count) out.push(decl.count);
    if (decl.forEach) out.push(decl.forEach);
    return out;
  }

  /**
   * The declaration graph: every reference and depends_on is an edge. Undeclared references and
   * cycles are diagnostics with the config location.
   */
  declGraph(): DeclGraph {
    const root = this.module;
    const dag = new Dag();
    const diags: Diagnostic[] = [];
    const info = new Map<string, NodeInfo>();
    const frames: [string, Module][] = [["", root], ...[...(root.frames?.values() ?? [])].map((f): [string, Module] => [f.path, f.module])];
    const childFrames = (path: string, name: string): ModuleFrame[] => [...(root.frames?.values() ?? [])].filter((f) => f.parent === path && f.call.name === name);
    const node = (id: string, i: NodeInfo): void => {
      dag.addNode(id);
      info.set(id, i);
    };
    for (const [path, m] of frames) {
      for (const name of m.variables.keys()) node(declNodeId("var", name, path), { kind: "var", frame: path, name });
      for (const name of m.locals.keys()) node(declNodeId("local", name, path), { kind: "local", frame: path, name });
      for (const name of m.outputs.keys()) node(declNodeId("output", name, path), { kind: "output", frame: path, name });
      for (const name of m.calls.keys()) node(`${framePrefix(path)}module.${name}`, { kind: "call", frame: path, name });
    }
    for (const addr of root.resources.keys()) dag.addNode(addr);
    this.nodeInfo = info;
    const reported = new Set<string>();

    const link = (from: string, exprs: Expr[], path: string, m: Module): void => {
      const prefix = framePrefix(path);
      const blame = (d: Diagnostic): void => {
        // A mistake in a module's file is reported once, not once per instance of the module.
        const at = d.subject ? `${d.summary}@${d.subject.file}:${d.subject.start.offset}` : undefined;
        if (at !== undefined && reported.has(at)) return;
        if (at !== undefined) reported.add(at);
        diags.push(...withCallSite([d], this.frame(path)?.callSite));
      };
      for (const expr of exprs) {
        for (const ref of references(expr)) {
          let to: string | undefined;
          if (ref.kind === "var") {
            if (!m.variables.has(ref.name)) {
              const hint = suggest(ref.name, m.variables.keys());
              blame(
                error(
                  "Reference to undeclared input variable",
                  `An input variable named "${ref.name}" has not been declared.${hint ? ` Did you mean "${hint}"?` : ""} Declare it with a variable "${ref.name}" {} block${hint ? ", or fix the name" : ""}.`,
                  ref.range,
                ),
              );
              continue;
            }
            to = declNodeId("var", ref.name, path);
          } else if (ref.kind === "local") {
            if (!m.locals.has(ref.name)) {
              blame(error("Reference to undeclared local value", `A local value named "${ref.name}" has not been declared. Declare it in a locals { } block.`, ref.range));
              continue;
            }
            to = declNodeId("local", ref.name, path);
          } else if (ref.kind === "resource" && ref.type === "module") {
            const child = m.children.get(ref.name);
            if (!m.calls.has(ref.name)) {
              const hint = suggest(ref.name, m.calls.keys());
              blame(
                error(
                  "Reference to undeclared module",
                  `No module call named "${ref.name}" is declared.${hint ? ` Did you mean "${hint}"?` : ""} Declare it with a module "${ref.name}" {} block, or fix the name.`,
                  ref.range,
                ),
              );
              continue;
            }
            if (child && ref.attr !== undefined && !child.module.outputs.has(ref.attr)) {
              const hint = suggest(ref.attr, child.module.outputs.keys());
              blame(
                error(
                  "Unsupported attribute",
                  `An output value with the name "${ref.attr}" has not been declared in module.${ref.name}.${hint ? ` Did you mean "${hint}"?` : ""} Add an output "${ref.attr}" block to the module, or fix the name.`,
                  ref.range,
                ),
              );
              continue;
            }
            to = `${prefix}module.${ref.name}`;
          } else if (ref.kind === "resource") {
            const addr = `${prefix}${ref.type}.${ref.name}`;
            if (!root.resources.has(addr)) {
              const known = this.registry.resourceType(ref.type ?? "");
              blame(
                error(
                  "Reference to undeclared resource",
                  known
                    ? `A resource "${ref.type}" "${ref.name}" has not been declared${path ? " in this module" : ""}. Declare it, or fix the name.`
                    : `There is no resource type "${ref.type}" and no resource ${ref.type}.${ref.name}. Resource types are: ${this.registry.typeNames().join(", ")}.`,
                  ref.range,
                ),
              );
              continue;
            }
            to = addr;
          }
          if (to !== undefined && to !== from) {
            dag.connect(from, to);
          } else if (to === from) {
            blame(error("Self-referential block", `${from} refers to itself. A resource cannot use its own attributes; remove the reference.`, ref.range));
          }
        }
      }
    };
    /** The resource declarations (or, for a module, every resource inside it) a static address names. */
    const declsOf = (address: string): string[] => {
      if (isModuleAddress(address)) return [...root.resources.keys()].filter((a) => addressMatches(address, a));
      const p = parseAddress(address);
      return p && root.resources.has(p.decl) ? [p.decl] : [];
    };

    for (const [path, m] of frames) {
      const prefix = framePrefix(path);
      for (const l of m.locals.values()) link(declNodeId("local", l.name, path), [l.expr], path, m);
      for (const o of m.outputs.values()) link(declNodeId("output", o.name, path), [o.value], path, m);
      for (const call of m.calls.values()) {
        const id = `${prefix}module.${call.name}`;
        for (const f of childFrames(path, call.name)) {
          for (const o of f.module.outputs.keys()) dag.connect(id, declNodeId("output", o, f.path));
          // A module instance's arguments are evaluated where the call is written.
          for (const input of call.inputs.values()) if (f.module.variables.has(input.name)) link(declNodeId("var", input.name, f.path), [input.expr], path, m);
          for (const t of call.dependsOn) {
            const targets = declsOf(`${prefix}${t.address}`);
            if (!targets.length) {
              diags.push(
                ...withCallSite([error("Reference to undeclared resource", `depends_on refers to ${t.address}, which is not declared in the configuration.`, t.range)], this.frame(path)?.callSite),
              );
              continue;
            }
            for (const inner of root.resources.values()) {
              if (!addressMatches(f.path, inner.address)) continue;
              for (const target of targets) if (target !== inner.address) dag.connect(inner.address, target);
            }
          }
        }
      }
    }
    for (const r of root.resources.values()) {
      const path = r.module ?? "";
      link(r.address, ConfigEvaluation.resourceExprs(r), path, this.frameModule(path));
      // depends_on and replace_triggered_by hold absolute addresses (flatten.ts puts the module path in front).
      for (const t of [...r.dependsOn, ...(r.lifecycle?.replaceTriggeredBy ?? [])]) {
        const targets = declsOf(staticTarget(t.address));
        if (!targets.length) {
          diags.push(
            ...withCallSite([error("Reference to undeclared resource", `depends_on refers to ${t.address}, which is not declared in the configuration.`, t.range)], this.frame(path)?.callSite),
          );
          continue;
        }
        for (const target of targets) if (target !== r.address) dag.connect(r.address, target);
      }
    }
    const sorted = dag.orderOrCycles();
    for (const cycle of "cycles" in sorted ? sorted.cycles : []) {
      const first = cycle[0]!;
      const second = cycle[1] ?? first;
      const range = this.firstReference(first, second) ?? root.resources.get(first)?.declRange;
      diags.push(error("Cycle in the configuration", `These declarations refer to each other in a loop: ${[...cycle, first].join(" -> ")}. Break the loop by removing one of the references.`, range));
    }
    return { dag, diagnostics: diags, ...("order" in sorted ? { order: sorted.order } : {}) };
  }

  /**
   * Where declaration `from` first refers to declaration `to` (for the cycle diagnostic). Looked
   * up again only when there is a cycle: remembering every edge's range costs a map entry per
   * reference on every plan.
   */
  private firstReference(from: string, to: string): Range | undefined {
    const m = this.module;
    const name = from.slice(from.indexOf(".") + 1);
    const exprs = from.startsWith("local.")
      ? [m.locals.get(name)?.expr]
      : from.startsWith("output.")
        ? [m.outputs.get(name)?.value]
        : m.resources.has(from)
          ? ConfigEvaluation.resourceExprs(m.resources.get(from)!)
          : [];
    for (const expr of exprs) {
      for (const ref of expr ? references(expr) : []) {
        const id = ref.kind === "var" ? declNodeId("var", ref.name) : ref.kind === "local" ? declNodeId("local", ref.name) : ref.kind === "resource" ? `${ref.type}.${ref.name}` : undefined;
        if (id === to) return ref.range;
      }
    }
    return undefined;
  }

  /**
   * Evaluates a non-resource graph node: a local, a module instance's variable (its argument,
   * evaluated where the call is written) or output. Undefined for resource nodes.
   */
  evaluateNode(id: string): Diagnostic[] | undefined {
    const node = this.nodeInfo.get(id) ?? (id.startsWith("local.") ? { kind: "local" as const, frame: "", name: id.slice("local.".length) } : undefined);
    if (!node) return undefined;
    const frame = this.frame(node.frame);
    if (node.kind === "call" || (!frame && node.kind !== "local")) return [];
    if (!frame) return this.evaluateLocal(node.name);
    const m = frame.module;
    if (node.kind === "local") {
      const decl = m.locals.get(node.name);
      if (!decl) return [];
      const r = this.eval(decl.expr, this.frameScope(frame.path));
      this.perFrame(this.frameLocals, frame.path).set(node.name, r.value);
      return withCallSite(r.diagnostics, frame.callSite);
    }
    if (node.kind === "output") {
      const decl = m.outputs.get(node.name);
      if (!decl) return [];
      const r = this.eval(decl.value, this.frameScope(frame.path));
      const value = decl.sensitive && !isSensitive(r.value) ? new Sensitive(r.value) : r.value;
      this.perFrame(this.frameOutputs, frame.path).set(node.name, value);
      return withCallSite(r.diagnostics, frame.callSite);
    }
    const decl = m.variables.get(node.name);
    if (!decl) return [];
    const input = frame.call.inputs.get(node.name);
    const diags: Diagnostic[] = [];
    let given: { value: Value; range: Range } | undefined;
    if (input) {
      const scope = this.frameScope(frame.parent);
      if (frame.each) scope.each = frame.each;
      if (typeof frame.key === "number") scope.count = { index: frame.key };
      if (this.lenient && frame.key === undefined && frame.call.count) scope.count = { index: new Unknown("number") };
      const r = this.eval(input.expr, scope);
      diags.push(...withCallSite(r.diagnostics, this.frame(frame.parent)?.callSite));
      given = { value: r.value, range: input.expr.range };
    }
    const vars = this.perFrame(this.frameVariables, frame.path);
    const r = moduleVariableValue(decl, given, frame.call.name, vars, this.functionsFor(frame.dir), frame.dir);
    vars.set(node.name, r.value);
    // A bad argument is the caller's mistake (shown where the call is written); a failed validation is shown in the module.
    for (const d of r.diagnostics) diags.push(...withCallSite([d], given && d.subject === given.range ? this.frame(frame.parent)?.callSite : frame.callSite));
    return diags;
  }

  /** `module.NAME` seen from module instance `path`: its outputs, a list of them (count) or a map (for_each). */
  private moduleValue(path: string, name: string): Value | undefined {
    const m = this.frameModule(path);
    const call = m.calls.get(name);
    if (!call) return undefined;
    const child = m.children.get(name);
    const frames = [...(this.module.frames?.values() ?? [])].filter((f) => f.parent === path && f.call.name === name);
    const outputsOf = (f: ModuleFrame): Value => {
      const values = this.frameOutputs.get(f.path);
      const out: { [k: string]: Value } = {};
      for (const o of child?.module.outputs.keys() ?? []) out[o] = values?.get(o) ?? new Unknown();
      return out;
    };
    if (frames.length === 1 && frames[0]!.key === undefined && (call.count || call.forEach)) return new Unknown();
    if (call.count) return frames.sort((a, b) => (a.key as number) - (b.key as number)).map(outputsOf);
    if (call.forEach) return Object.fromEntries(frames.map((f) => [String(f.key), outputsOf(f)]));
    return frames[0] ? outputsOf(frames[0]) : new Unknown("object");
  }

  private derivedOrder: string[] | undefined;

  /**
   * Evaluates locals, module arguments and module outputs again with the values recorded so far
   * (apply: resources finished earlier in the run). Without modules: the root's locals, twice,
   * which settles chains of locals in any declaration order.
   */
  refreshDerived(): void {
    if (!this.module.frames?.size) {
      for (let pass = 0; pass < 2; pass++) for (const l of this.module.locals.keys()) this.evaluateLocal(l);
      return;
    }
    this.derivedOrder ??= this.declGraph().order ?? [];
    for (const id of this.derivedOrder) this.evaluateNode(id);
  }

  evaluateLocal(name: string): Diagnostic[] {
    const decl = this.module.locals.get(name);
    if (!decl) return [];
    const r = this.eval(decl.expr, this.scope());
    this.locals.set(name, r.value);
    return r.diagnostics;
  }

  /**
   * The instance keys of a resource: [undefined] for a single one, numbers for count, strings for
   * for_each. count/for_each are written in the resource's module, so they see that module
   * instance's variables and locals, not the root's.
   */
  expand(decl: ResourceDecl): { keys: InstanceKey[]; eachValues: Map<string, Value>; diagnostics: Diagnostic[] } {
    const eachValues = new Map<string, Value>();
    if (decl.count && decl.forEach) {
      return { keys: [], eachValues, diagnostics: [error('Invalid combination of "count" and "for_each"', "A resource may use count or for_each, not both. Remove one of them.", decl.forEach.range)] };
    }
    if (decl.count) {
      const r = this.eval(decl.count, this.frameScope(decl.module ?? ""));
      const v = unmark(r.value);
      if (r.diagnostics.length) return { keys: [], eachValues, diagnostics: r.diagnostics };
      if (isUnknown(v) && this.lenient) return { keys: [undefined], eachValues, diagnostics: [] };
      if (isUnknown(v))
        return {
          keys: [],
          eachValues,
          diagnostics: [
            error(
              "Invalid count argument",
              "The count value depends on values only known after apply. Use a value known at plan time, or create the dependency first with --target.",
              decl.count.range,
            ),
          ],
        };
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
        return { keys: [], eachValues, diagnostics: [error("Invalid count argument", "count must be a whole number of zero or more.", decl.count.range)] };
      }
      if (v > MAX_INSTANCES) return { keys: [], eachValues, diagnostics: [tooManyInstances("count", decl.count.range)] };
      return { keys: Array.from({ length: v }, (_, i) => i), eachValues, diagnostics: [] };
    }
    if (decl.forEach) {
      const r = this.eval(decl.forEach, this.frameScope(decl.module ?? ""));
      if (r.diagnostics.length) return { keys: [], eachValues, diagnostics: r.diagnostics };
      // Instance keys are printed in every address, so they cannot come from a secret (as in
      // Terraform); a map's values may be sensitive, its keys and a set's elements may not.
      if (isSensitive(r.value) || (Array.isArray(r.value) && r.value.some(containsSensitive))) {
        return {
          keys: [],
          eachValues,
          diagnostics: [
            error(
              "Invalid for_each argument",
              "Sensitive values, or values derived from sensitive values, cannot be used as for_each keys: they would be shown in every instance address. Use keys that are not secret: a map whose values (not keys) hold the secrets.",
              decl.forEach.range,
            ),
          ],
        };
      }
      const v = unmark(r.value);
      if (isUnknown(v) && this.lenient) return { keys: [undefined], eachValues, diagnostics: [] };
      if (isUnknown(v))
        return {
          keys: [],
          eachValues,
          diagnostics: [error("Invalid for_each argument", "The for_each value depends on values only known after apply. Use keys known at plan time.", decl.forEach.range)],
        };
      if (Array.isArray(v)) {
        if (!v.every((x) => typeof x === "string")) {
          return { keys: [], eachValues, diagnostics: [error("Invalid for_each argument", "for_each needs a map, or a set of strings (use toset([...])).", decl.forEach.range)] };
        }
        for (const k of v) eachValues.set(k, k);
      } else if (isObjectValue(v)) {
        for (const [k, x] of Object.entries(v)) eachValues.set(k, x);
      } else {
        return { keys: [], eachValues, diagnostics: [error("Invalid for_each argument", "for_each needs a map, or a set of strings.", decl.forEach.range)] };
      }
      if (eachValues.size > MAX_INSTANCES) return { keys: [], eachValues: new Map(), diagnostics: [tooManyInstances("for_each", decl.forEach.range)] };
      return { keys: [...eachValues.keys()].sort(), eachValues, diagnostics: [] };
    }
    return { keys: [undefined], eachValues, diagnostics: [] };
  }

  /** Evaluates one instance's body and checks it against the resource type's schema. */
  evaluateInstance(decl: ResourceDecl, key: InstanceKey, eachValue?: Value): { instance?: InstanceConfig; diagnostics: Diagnostic[] } {
    const type = this.registry.resourceType(decl.type);
    const address = instanceAddress(decl.address, key);
    if (!type) {
      return {
        diagnostics: [error("Invalid resource type", `pmxform has no resource type "${decl.type}". The types are: ${this.registry.typeNames().join(", ")}.`, decl.declRange, address)],
      };
    }
    const each = typeof key === "string" ? { key, value: eachValue ?? null } : undefined;
    const scope = this.scope(decl, key, each);
    const ranges = new RangeIndex(decl.declRange, decl.body);
    const body = evaluateBody(decl.body, type.blocks, (e) => this.eval(e, scope));
    const diags = body.diagnostics.map((d) => ({ ...d, address: d.address ?? address }));
    if (diags.some((d) => d.severity === "error")) return { diagnostics: diags };
    const sensitive = sensitivePaths(body.value);
    for (const name of type.sensitiveAttributes) if (name in body.value && !sensitive.some((p) => p[0] === name)) sensitive.push([name]);
    const raw = unmark(body.value) as Attrs;
    // The compiled check vouches for the common case; zod decides (and reports) everything else.
    const fast = fastParse(type.schema, raw);
    const parsed = fast ? { success: true as const, data: fast.data } : type.schema.safeParse(raw);
    const issues = parsed.success
      ? []
      : issuesFromZod(type.schema, parsed.error.issues, decl.type, raw, (path) => sensitive.some((p) => p.length <= path.length && p.every((seg, i) => seg === path[i])));
    // The schema's conversions (a "512" string where a number is expected) apply to the config.
    const config = parsed.success ? (parsed.data as Attrs) : raw;
    if (parsed.success && type.validate) issues.push(...type.validate(config));
    for (const i of issues) {
      diags.push({ severity: i.severity, summary: i.summary, ...(i.detail ? { detail: i.detail } : {}), subject: ranges.find(i.path), address });
    }
    if (diags.some((d) => d.severity === "error")) return { diagnostics: diags };
    return { instance: { address, decl, key, config, sensitivePaths: sensitive, ranges }, diagnostics: diags };
  }

  /**
   * Records an instance's attribute object so that references to it resolve. Attributes at
   * `sensitive` paths stay marked, so what is computed from them (outputs) is sensitive too.
   */
  setInstanceValue(decl: ResourceDecl, key: InstanceKey, value: Value, sensitive: readonly (readonly (string | number)[])[] = []): void {
    this.record(decl, key, sensitive.length ? markPaths(value, sensitive) : value);
  }

  /**
   * Records an instance's attributes as references see them (`referenceValue`: every declared
   * attribute present), completed only when a reference first reads them: most instances of a
   * large plan are never referenced.
   */
  setInstanceAttributes(decl: ResourceDecl, key: InstanceKey, type: ResourceType | undefined, attrs: Value, planned: boolean, sensitive: readonly (readonly (string | number)[])[] = []): void {
    this.record(
      decl,
      key,
      new Deferred(() => {
        const value = referenceValue(type, attrs, planned);
        return sensitive.length ? markPaths(value, sensitive) : value;
      }),
    );
  }

  private record(decl: ResourceDecl, key: InstanceKey, value: Value | Deferred): void {
    let entry = this.resources.get(decl.address);
    if (!entry) {
      entry = { mode: decl.count ? "count" : decl.forEach ? "each" : "single", values: new Map() };
      this.resources.set(decl.address, entry);
    }
    entry.values.set(key === undefined ? "" : key, value);
    delete entry.assembled;
  }

  /** Marks a whole declaration as unknown (its instances could not be planned). */
  setUnknown(decl: ResourceDecl): void {
    this.resources.set(decl.address, { mode: "single", values: new Map([["", new Unknown("object")]]) });
  }

  private resourceValue(address: string): Value | undefined {
    if (!this.module.resources.has(address)) return undefined;
    const entry = this.resources.get(address);
    if (!entry) return new Unknown("object");
    if (entry.mode === "single") {
      const v = entry.values.get("");
      return v === undefined ? new Unknown("object") : resolved(v);
    }
    // Assembled once per change of the declaration's instances, not once per reference.
    if (entry.assembled === undefined) {
      if (entry.mode === "count") {
        entry.assembled = [...entry.values.entries()].sort((a, b) => (a[0] as number) - (b[0] as number)).map(([, v]) => resolved(v));
      } else {
        const out: { [k: string]: Value } = {};
        for (const [k, v] of [...entry.values.entries()].sort()) out[String(k)] = resolved(v);
        entry.assembled = out;
      }
    }
    return entry.assembled;
  }
}
