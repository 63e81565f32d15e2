// Generic Body of every file -> the decoded Module: which top-level blocks exist, what their
// labels and meta-arguments say, and where duplicates are. Expressions stay unevaluated, and a
// resource's own arguments are kept as a Body for the provider schema to decode later.
import { error } from "../diag/diagnostic.js";
import { IndexedRange } from "../diag/indexed-range.js";
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import type { Expr } from "./ast.js";
import type { Attribute, Block, Body, File } from "./body.js";
import type { ImportDecl, Lifecycle, Module, ModuleCallDecl, MovedDecl, OutputDecl, ResourceDecl, Traversal, VariableDecl } from "./module.js";
import { TOP_LEVEL_BLOCKS, didYouMean } from "./structure.js";
import { NODE_SETTINGS } from "./node-settings.js";
import { checkBackendBlock, checkEncryptionBlock } from "./backend-block.js";

/** Static references (`lxc_container.db["a"]`, `tags`) for meta-arguments that name things. */
export function traversalText(expr: Expr): string | undefined {
  switch (expr.kind) {
    case "variable":
      return expr.name;
    case "getattr": {
      const base = traversalText(expr.target);
      return base === undefined ? undefined : `${base}.${expr.name}`;
    }
    case "index": {
      const base = traversalText(expr.target);
      if (base === undefined || expr.key.kind !== "literal") return undefined;
      const key = expr.key.value;
      if (typeof key === "number" && Number.isInteger(key) && key >= 0) return `${base}[${key}]`;
      if (typeof key === "string") return `${base}[${JSON.stringify(key)}]`;
      return undefined;
    }
    default:
      return undefined;
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const RESOURCE_META = new Set(["count", "for_each", "depends_on", "provider"]);
const MODULE_META = new Set(["source", "version", "count", "for_each", "depends_on", "providers"]);

function where(r: Range): string {
  return `${r.file}:${r.start.line}:${r.start.column}`;
}

class Decoder {
  readonly diags: Diagnostic[] = [];
  readonly module: Module = {
    variables: new Map(),
    locals: new Map(),
    outputs: new Map(),
    nodes: new Map(),
    resources: new Map(),
    moved: [],
    imports: [],
    calls: new Map(),
    children: new Map(),
    sources: new Map(),
  };

  private fail(summary: string, detail: string, subject: Range, address?: string): void {
    this.diags.push(error(summary, detail, subject, address));
  }

  /** Reports arguments and blocks a block type does not know. */
  private onlyKnown(body: Body, what: string, attrs: readonly string[], blocks: readonly string[] = []): void {
    for (const a of body.attributes) {
      if (attrs.includes(a.name)) continue;
      const hint = didYouMean(a.name, attrs);
      this.fail(
        "Unsupported argument",
        `An argument named "${a.name}" is not expected in ${what}.${hint ? ` Did you mean "${hint}"?` : ""} Remove it${attrs.length ? `; allowed: ${attrs.join(", ")}` : ""}.`,
        a.nameRange,
      );
    }
    for (const b of body.blocks) {
      if (blocks.includes(b.type)) continue;
      const hint = didYouMean(b.type, blocks);
      this.fail("Unsupported block type", `Blocks of type "${b.type}" are not expected in ${what}.${hint ? ` Did you mean "${hint}"?` : ""} Remove the block.`, b.typeRange);
    }
  }

  private literalString(a: Attribute | undefined, what: string): string | undefined {
    if (!a) return undefined;
    if (a.expr.kind === "literal" && typeof a.expr.value === "string") return a.expr.value;
    this.fail("Invalid value", `The ${what} must be a plain string without references. Write it as a quoted string.`, a.expr.range);
    return undefined;
  }

  private literalBool(a: Attribute | undefined, what: string): boolean | undefined {
    if (!a) return undefined;
    if (a.expr.kind === "literal" && typeof a.expr.value === "boolean") return a.expr.value;
    this.fail("Invalid value", `${what} must be true or false, written literally. Use true or false.`, a.expr.range);
    return undefined;
  }

  private traversal(expr: Expr, what: string): Traversal | undefined {
    const address = traversalText(expr);
    if (address !== undefined) return { address, range: expr.range };
    this.fail(
      "Invalid reference",
      `${what} must be a static reference such as lxc_container.web or lxc_container.db["a"], not a computed value. Write the address without quotes or functions.`,
      expr.range,
    );
    return undefined;
  }

  private traversalList(a: Attribute | undefined, what: string): Traversal[] {
    if (!a) return [];
    if (a.expr.kind !== "tuple") {
      this.fail("Invalid value", `${what} must be a list of references, like [lxc_container.web]. Wrap the reference in brackets.`, a.expr.range);
      return [];
    }
    return a.expr.items.flatMap((item) => this.traversal(item, `Each item of ${what}`) ?? []);
  }

  private attrsByName(body: Body): Map<string, Attribute> {
    return new Map(body.attributes.map((a) => [a.name, a]));
  }

  /** Checks label count and spelling; returns false when the block cannot be used. */
  private labelsOk(block: Block, expected: string[]): boolean {
    if (block.labels.length < expected.length) {
      const missing = expected[block.labels.length] ?? "name";
      this.fail(
        `Missing ${missing} for ${block.type}`,
        `A ${block.type} block needs ${expected.length} label${expected.length === 1 ? "" : "s"}: ${expected.map((l) => `"${l}"`).join(" ")}. Add the ${missing} after "${block.type}".`,
        block.typeRange,
      );
      return false;
    }
    if (block.labels.length > expected.length) {
      const extra = block.labelRanges[expected.length] ?? block.typeRange;
      this.fail(
        `Extraneous label for ${block.type}`,
        expected.length === 0 ? `A ${block.type} block takes no labels. Remove the label.` : `A ${block.type} block takes only ${expected.map((l) => `"${l}"`).join(" ")}. Remove the extra label.`,
        extra,
      );
      return false;
    }
    let ok = true;
    block.labels.forEach((label, i) => {
      if (NAME.test(label)) return;
      ok = false;
      this.fail(
        "Invalid name",
        `"${label}" is not a valid ${expected[i] ?? "name"}: it must start with a letter or underscore and contain only letters, digits, underscores and dashes. Rename it.`,
        block.labelRanges[i] ?? block.typeRange,
      );
    });
    return ok;
  }

  private duplicate(kind: string, name: string, first: Range, second: Range): void {
    this.fail(
      `Duplicate ${kind}`,
      `${kind[0]?.toUpperCase()}${kind.slice(1)} "${name}" was already defined at ${where(first)}. Names must be unique within the configuration; rename or remove one.`,
      second,
    );
  }

  file(file: File): void {
    this.module.sources.set(file.path, file.source);
    for (const a of file.body.attributes) {
      this.fail("Unsupported argument", `An argument named "${a.name}" is not expected at the top level of a configuration file. Put it inside a block, or in a locals block.`, a.nameRange);
    }
    for (const block of file.body.blocks) {
      const spec = TOP_LEVEL_BLOCKS[block.type];
      if (!spec) {
        const hint = didYouMean(block.type, Object.keys(TOP_LEVEL_BLOCKS));
        this.fail(
          "Unsupported block type",
          `Blocks of type "${block.type}" are not expected here.${hint ? ` Did you mean "${hint}"?` : ""} Use one of: ${Object.keys(TOP_LEVEL_BLOCKS).join(", ")}.`,
          block.typeRange,
        );
        continue;
      }
      if (!this.labelsOk(block, spec.labels)) continue;
      switch (block.type) {
        case "variable":
          this.variable(block);
          break;
        case "locals":
          this.locals(block);
          break;
        case "output":
          this.output(block);
          break;
        case "proxmox":
          this.proxmox(block);
          break;
        case "resource":
          this.resource(block);
          break;
        case "module":
          this.moduleCall(block);
          break;
        case "moved":
          this.moved(block);
          break;
        case "import":
          this.importBlock(block);
          break;
        case "backend": {
          const problems = checkBackendBlock(block, this.module.backend);
          this.diags.push(...problems);
          if (!problems.length) this.module.backend = block;
          break;
        }
        case "encryption": {
          const problems = checkEncryptionBlock(block, this.module.encryption);
          this.diags.push(...problems);
          if (!problems.length) this.module.encryption = block;
          break;
        }
      }
    }
  }

  private variable(block: Block): void {
    const name = block.labels[0] as string;
    const body = block.body;
    this.onlyKnown(body, `variable "${name}"`, ["type", "default", "description", "sensitive", "nullable"], ["validation"]);
    const a = this.attrsByName(body);
    const decl: VariableDecl = {
      name,
      sensitive: this.literalBool(a.get("sensitive"), "sensitive") ?? false,
      nullable: this.literalBool(a.get("nullable"), "nullable") ?? true,
      validations: [],
      range: block.range,
    };
    const type = a.get("type")?.expr;
    if (type) decl.type = type;
    const def = a.get("default")?.expr;
    if (def) decl.default = def;
    const description = this.literalString(a.get("description"), "description");
    if (description !== undefined) decl.description = description;
    for (const v of body.blocks.filter((b) => b.type === "validation")) {
      this.onlyKnown(v.body, "a validation block", ["condition", "error_message"]);
      const va = this.attrsByName(v.body);
      const condition = va.get("condition");
      const message = va.get("error_message");
      if (!condition || !message) {
        this.fail("Incomplete validation", `A validation block needs both "condition" and "error_message". Add the missing ${condition ? "error_message" : "condition"}.`, v.typeRange);
        continue;
      }
      decl.validations.push({ condition: condition.expr, errorMessage: message.expr, range: v.range });
    }
    const first = this.module.variables.get(name);
    if (first) return this.duplicate("variable", name, first.range, block.labelRanges[0] ?? block.typeRange);
    this.module.variables.set(name, decl);
  }

  private locals(block: Block): void {
    this.onlyKnown({ ...block.body, attributes: [] }, "locals", []);
    for (const a of block.body.attributes) {
      const first = this.module.locals.get(a.name);
      if (first) {
        this.duplicate("local value", a.name, first.range, a.nameRange);
        continue;
      }
      this.module.locals.set(a.name, { name: a.name, expr: a.expr, range: a.range });
    }
  }

  private output(block: Block): void {
    const name = block.labels[0] as string;
    this.onlyKnown(block.body, `output "${name}"`, ["value", "description", "sensitive", "depends_on"]);
    const a = this.attrsByName(block.body);
    const value = a.get("value");
    if (!value) {
      this.fail("Missing required argument", `Output "${name}" needs a "value" argument. Add value = <expression>.`, block.typeRange);
      return;
    }
    const decl: OutputDecl = {
      name,
      value: value.expr,
      sensitive: this.literalBool(a.get("sensitive"), "sensitive") ?? false,
      dependsOn: this.traversalList(a.get("depends_on"), "depends_on"),
      range: block.range,
    };
    const description = this.literalString(a.get("description"), "description");
    if (description !== undefined) decl.description = description;
    const first = this.module.outputs.get(name);
    if (first) return this.duplicate("output", name, first.range, block.labelRanges[0] ?? block.typeRange);
    this.module.outputs.set(name, decl);
  }

  private proxmox(block: Block): void {
    this.onlyKnown(block.body, "the proxmox block", [], ["node"]);
    for (const node of block.body.blocks.filter((b) => b.type === "node")) {
      if (!this.labelsOk(node, ["name"])) continue;
      const name = node.labels[0] as string;
      this.onlyKnown(node.body, `node "${name}"`, NODE_SETTINGS);
      const targets = ["ssh", "local", "sim"].filter((k) => node.body.attributes.some((a) => a.name === k));
      if (targets.length !== 1) {
        this.fail(
          targets.length === 0 ? "Node has no connection" : "Conflicting node connections",
          `Node "${name}" must set exactly one of ssh, local or sim${targets.length ? `, but sets ${targets.join(" and ")}` : ""}. Keep one, e.g. ssh = "root@192.168.1.10".`,
          node.labelRanges[0] ?? node.typeRange,
        );
      }
      const first = this.module.nodes.get(name);
      if (first) {
        this.duplicate("node", name, first.range, node.labelRanges[0] ?? node.typeRange);
        continue;
      }
      this.module.nodes.set(name, { name, body: node.body, range: node.range });
    }
  }

  private resource(block: Block): void {
    const [type, name] = block.labels as [string, string];
    const address = `${type}.${name}`;
    const declRange: Range = IndexedRange.span(block.typeRange, block.labelRanges[1] ?? block.typeRange);
    const a = this.attrsByName(block.body);
    const provider = a.get("provider");
    if (provider) this.fail("Unsupported argument", `pmxform has one built-in provider per resource type, so "provider" cannot be chosen. Remove the provider argument.`, provider.nameRange, address);
    const count = a.get("count");
    const forEach = a.get("for_each");
    if (count && forEach) {
      this.fail('Invalid combination of "count" and "for_each"', 'A resource may use "count" or "for_each", not both. Remove one of them.', forEach.nameRange, address);
    }
    const decl: ResourceDecl = {
      type,
      name,
      address,
      dependsOn: this.traversalList(a.get("depends_on"), "depends_on"),
      body: {
        attributes: block.body.attributes.filter((x) => !RESOURCE_META.has(x.name)),
        blocks: block.body.blocks.filter((b) => b.type !== "lifecycle"),
        range: block.body.range,
      },
      declRange,
      range: block.range,
    };
    if (count) decl.count = count.expr;
    if (forEach && !count) decl.forEach = forEach.expr;
    const lifecycles = block.body.blocks.filter((b) => b.type === "lifecycle");
    for (const extra of lifecycles.slice(1)) this.fail("Duplicate lifecycle block", `Resource ${address} already has a lifecycle block. Merge them into one.`, extra.typeRange, address);
    const lc = lifecycles[0];
    if (lc) decl.lifecycle = this.lifecycle(lc, address);
    const first = this.module.resources.get(address);
    if (first) {
      this.fail("Duplicate resource", `Resource ${address} was already declared at ${where(first.declRange)}. Each type and name pair must be unique; rename one of them.`, declRange, address);
      return;
    }
    this.module.resources.set(address, decl);
  }

  /** `module "name" { source, version, count|for_each, depends_on, <inputs> }`; inputs are checked against the module's variables once it is loaded. */
  private moduleCall(block: Block): void {
    const name = block.labels[0] as string;
    const a = this.attrsByName(block.body);
    const declRange: Range = IndexedRange.span(block.typeRange, block.labelRanges[0] ?? block.typeRange);
    for (const b of block.body.blocks)
      this.fail("Unsupported block type", `Blocks of type "${b.type}" are not expected in module "${name}": a module call takes only arguments. Remove the block.`, b.typeRange);
    const providers = a.get("providers");
    if (providers) this.fail("Unsupported argument", `pmxform has one built-in provider per resource type, so a module call takes no "providers". Remove the providers argument.`, providers.nameRange);
    const source = a.get("source");
    if (!source) {
      this.fail("Missing required argument", `Module "${name}" needs a "source": a directory such as "./modules/web", or "catalog/<app>". Add source = "...".`, block.typeRange);
      return;
    }
    const sourceText = this.literalString(source, "module source");
    if (sourceText === undefined) return;
    const count = a.get("count");
    const forEach = a.get("for_each");
    if (count && forEach) this.fail('Invalid combination of "count" and "for_each"', 'A module call may use "count" or "for_each", not both. Remove one of them.', forEach.nameRange);
    const call: ModuleCallDecl = {
      name,
      source: sourceText,
      sourceRange: source.expr.range,
      dependsOn: this.traversalList(a.get("depends_on"), "depends_on"),
      inputs: new Map(),
      declRange,
      range: block.range,
    };
    const version = a.get("version");
    if (version) {
      const v = this.literalString(version, "module version");
      if (v !== undefined) {
        call.version = v;
        call.versionRange = version.expr.range;
      }
    }
    if (count) call.count = count.expr;
    if (forEach && !count) call.forEach = forEach.expr;
    for (const attr of block.body.attributes) {
      if (MODULE_META.has(attr.name)) continue;
      call.inputs.set(attr.name, { name: attr.name, expr: attr.expr, nameRange: attr.nameRange });
    }
    const first = this.module.calls.get(name);
    if (first) return this.duplicate("module call", name, first.declRange, block.labelRanges[0] ?? block.typeRange);
    this.module.calls.set(name, call);
  }

  private lifecycle(block: Block, address: string): Lifecycle {
    this.onlyKnown(block.body, "a lifecycle block", ["prevent_destroy", "create_before_destroy", "ignore_changes", "replace_triggered_by"]);
    const a = this.attrsByName(block.body);
    const out: Lifecycle = { ignoreChanges: [], replaceTriggeredBy: this.traversalList(a.get("replace_triggered_by"), "replace_triggered_by"), range: block.range };
    const prevent = a.get("prevent_destroy")?.expr;
    if (prevent) out.preventDestroy = prevent;
    const cbd = a.get("create_before_destroy")?.expr;
    if (cbd) out.createBeforeDestroy = cbd;
    const ignore = a.get("ignore_changes");
    if (ignore) {
      const e = ignore.expr;
      if ((e.kind === "variable" && e.name === "all") || (e.kind === "literal" && e.value === "all")) out.ignoreChanges = "all";
      else if (e.kind === "tuple") {
        out.ignoreChanges = e.items.flatMap((item) => {
          const path = item.kind === "literal" && typeof item.value === "string" ? item.value : traversalText(item);
          if (path !== undefined) return [{ path, range: item.range }];
          this.fail("Invalid ignore_changes entry", `Each entry must name an attribute of ${address}, like tags or network["eth0"]. Write the attribute name without quotes.`, item.range, address);
          return [];
        });
      } else this.fail("Invalid ignore_changes", "ignore_changes must be a list of attribute names, or all. Write e.g. ignore_changes = [tags].", e.range, address);
    }
    return out;
  }

  private moved(block: Block): void {
    this.onlyKnown(block.body, "a moved block", ["from", "to"]);
    const a = this.attrsByName(block.body);
    const from = a.get("from");
    const to = a.get("to");
    if (!from || !to) {
      this.fail("Missing required argument", `A moved block needs both "from" and "to". Add the missing ${from ? "to" : "from"}.`, block.typeRange);
      return;
    }
    const f = this.traversal(from.expr, '"from"');
    const t = this.traversal(to.expr, '"to"');
    if (f && t) this.module.moved.push({ from: f, to: t, range: block.range } satisfies MovedDecl);
  }

  private importBlock(block: Block): void {
    this.onlyKnown(block.body, "an import block", ["to", "id"]);
    const a = this.attrsByName(block.body);
    const to = a.get("to");
    const id = a.get("id");
    if (!to || !id) {
      this.fail("Missing required argument", `An import block needs both "to" and "id". Add the missing ${to ? "id" : "to"}.`, block.typeRange);
      return;
    }
    const t = this.traversal(to.expr, '"to"');
    if (t) this.module.imports.push({ to: t, id: id.expr, range: block.range } satisfies ImportDecl);
  }
}

export function decodeModule(files: File[]): { module: Module; diagnostics: Diagnostic[] } {
  const decoder = new Decoder();
  for (const file of files) decoder.file(file);
  return { module: decoder.module, diagnostics: decoder.diags };
}
