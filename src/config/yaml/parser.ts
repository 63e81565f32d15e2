// The YAML front end: a YAML document -> the same generic Body the HCL front end produces, so
// decode.ts and everything after it never know which syntax a file used. Strings holding
// `${` or `%{` are templates, parsed by the HCL expression parser. Plain YAML is read by
// fast-yaml.ts, anything else by the yaml package; both give the same nodes.
import type { Document, Node as YamlNode, Scalar, YAMLMap } from "yaml";
import { yaml } from "./lib.js";
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import type { Expr } from "../ast.js";
import type { Attribute, Block, Body, File } from "../body.js";
import { parseExpressionWithMap, parseTemplateWithMap, withHcl } from "../hcl/parser.js";
import { TextPosMap, nodeRange, rangeOf } from "../hcl/positions.js";
import { IndexedRange } from "../../diag/indexed-range.js";
import { EXPRESSION_KEYS, OTHER_BLOCKS, RESOURCE_BLOCKS, didYouMean } from "../structure.js";
import type { NestedBlockSpec } from "../structure.js";
import { ScalarPosMap } from "./positions.js";
import { duplicateKeyPositions } from "./duplicates.js";
import { fastYamlDocument } from "./fast-yaml.js";

const MAX_ALIASES = 100;
/** Source text all alias expansions of a file may repeat, beyond the file's own size. */
export const MAX_ALIAS_EXPANSION = 1024 * 1024;
const MAX_DEPTH = 64;
const TOP_KEYS = ["variables", "locals", "outputs", "proxmox", "resources", "modules", "moved", "import", "backend", "encryption"];

class YamlFrontEnd {
  readonly diags: Diagnostic[] = [];
  private readonly map: TextPosMap;
  private aliases = 0;
  /** Characters of source the aliases expanded so far repeat. */
  private expanded = 0;
  private aliasLimitReported = false;

  constructor(
    private readonly path: string,
    private readonly source: string,
    private readonly doc: Document.Parsed,
  ) {
    this.map = new TextPosMap(path, source);
  }

  range(node: YamlNode | null | undefined): Range {
    const r = node?.range;
    if (!r) return nodeRange(this.map, 0, 0);
    return nodeRange(this.map, r[0], r[1]);
  }

  private fail(summary: string, detail: string, node: YamlNode | null | undefined): void {
    this.diags.push(error(summary, detail, this.range(node)));
  }

  /** Follows aliases, refusing to expand more than MAX_ALIASES of them (alias bombs). */
  private deref(node: unknown): YamlNode | null {
    let cur = node;
    for (let hops = 0; yaml().isAlias(cur); hops++) {
      this.aliases++;
      if (this.aliases > MAX_ALIASES || hops > MAX_ALIASES) {
        if (!this.aliasLimitReported) {
          this.aliasLimitReported = true;
          this.fail(
            "Too many YAML aliases",
            `This file expands more than ${MAX_ALIASES} aliases, which is how "billion laughs" documents exhaust memory. Write the values out instead of using aliases.`,
            cur,
          );
        }
        return null;
      }
      const alias = cur;
      cur = alias.resolve(this.doc);
      // The alias count does not bound the size: 99 aliases of a 1 MB list are 100 MB of values.
      const span = (cur as YamlNode | undefined)?.range;
      if (span) this.expanded += span[1] - span[0];
      if (this.expanded > MAX_ALIAS_EXPANSION + this.source.length) {
        if (!this.aliasLimitReported) {
          this.aliasLimitReported = true;
          this.fail(
            "YAML aliases expand too much",
            `The aliases of this file repeat more text than the file holds plus ${MAX_ALIAS_EXPANSION / 1024 / 1024} MB, which is how "billion laughs" documents exhaust memory. Write the values out, or read large data with file().`,
            alias,
          );
        }
        return null;
      }
      if (cur === undefined) {
        // The yaml library resolves a missing anchor to undefined, which would read as null.
        this.fail("Undefined YAML alias", `*${alias.source} refers to no anchor: define &${alias.source} before this line, or write the value out.`, alias);
        return null;
      }
    }
    return (cur as YamlNode | undefined) ?? null;
  }

  private tooDeep(depth: number, node: YamlNode): boolean {
    if (depth <= MAX_DEPTH) return false;
    this.fail("Configuration nested too deeply", `Values may be nested at most ${MAX_DEPTH} levels deep. Flatten this structure.`, node);
    return true;
  }

  /** Map entries with string keys; other keys are reported and skipped. */
  private entries(map: YAMLMap): { key: string; keyNode: YamlNode; value: YamlNode | null }[] {
    const out: { key: string; keyNode: YamlNode; value: YamlNode | null }[] = [];
    for (const pair of map.items) {
      const keyNode = this.deref(pair.key);
      if (!keyNode || !yaml().isScalar(keyNode) || typeof keyNode.value !== "string") {
        const shown = yaml().isScalar(keyNode) ? String(keyNode.value) : "a collection";
        this.fail("Invalid key", `Keys must be strings, but this key is ${shown}. Quote it, like "${shown}".`, keyNode ?? map);
        continue;
      }
      out.push({ key: keyNode.value, keyNode, value: this.deref(pair.value) });
    }
    return out;
  }

  // ---- values ----

  value(node: YamlNode | null, depth: number, asExpression = false): Expr {
    if (node === null) return { kind: "literal", value: null, range: rangeOf(this.map, 0, 0) };
    const range = this.range(node);
    if (this.tooDeep(depth, node)) return { kind: "literal", value: null, range };
    if (yaml().isScalar(node)) return this.scalar(node, asExpression);
    if (yaml().isSeq(node)) {
      const items = node.items.map((item) => this.value(this.deref(item), depth + 1, asExpression));
      return { kind: "tuple", items, range };
    }
    if (yaml().isMap(node)) {
      const items = this.entries(node).map(({ key, keyNode, value }) => ({
        key: { kind: "literal" as const, value: key, range: this.range(keyNode) },
        value: this.value(value, depth + 1),
        range: IndexedRange.span(this.range(keyNode), this.range(value ?? keyNode)),
      }));
      return { kind: "object", items, range };
    }
    return { kind: "literal", value: null, range };
  }

  private scalar(node: Scalar, asExpression: boolean): Expr {
    const range = this.range(node);
    const v = node.value;
    if (v === null || typeof v === "boolean") return { kind: "literal", value: v, range };
    if (typeof v === "number") return { kind: "literal", value: v, range };
    if (typeof v === "bigint") return { kind: "literal", value: Number(v), range };
    if (typeof v !== "string") {
      this.fail("Unsupported YAML value", "Only strings, numbers, booleans, null, lists and maps are allowed. Quote this value to make it a string.", node);
      return { kind: "literal", value: null, range };
    }
    const [start, end] = node.range ?? [0, 0];
    const hasTemplate = v.includes("${") || v.includes("%{");
    if (!hasTemplate && !asExpression) return { kind: "literal", value: v, range };
    const map = new ScalarPosMap(this.map, this.source, v, start, end);
    const parsed = hasTemplate ? parseTemplateWithMap(v, map) : parseExpressionWithMap(v, map);
    this.diags.push(...parsed.diagnostics);
    return parsed.expr ?? { kind: "literal", value: null, range };
  }

  // ---- bodies and blocks ----

  /** A map as a block body: keys in `nested` become blocks, every other key an attribute. */
  body(node: YamlNode | null, depth: number, nested: Readonly<Record<string, NestedBlockSpec>>, owner: YamlNode): Body {
    const body: Body = { attributes: [], blocks: [], range: this.range(node ?? owner) };
    if (node === null || (yaml().isScalar(node) && node.value === null)) return body;
    if (!yaml().isMap(node)) {
      this.fail("Invalid block body", "This should be a map of arguments (key: value). Write it as a YAML mapping.", node);
      return body;
    }
    if (this.tooDeep(depth, node)) return body;
    for (const { key, keyNode, value } of this.entries(node)) {
      // Own keys only: a local named "constructor" is not an inherited block spec.
      const spec = Object.hasOwn(nested, key) ? nested[key] : undefined;
      if (spec) {
        body.blocks.push(...this.nestedBlocks(key, keyNode, value, spec, depth + 1, {}));
        continue;
      }
      body.attributes.push(this.attribute(key, keyNode, value, depth + 1));
    }
    return body;
  }

  private attribute(name: string, keyNode: YamlNode, value: YamlNode | null, depth: number): Attribute {
    const nameRange = this.range(keyNode);
    const expr = this.value(value, depth, EXPRESSION_KEYS.has(name));
    const fixed = value === null ? { ...expr, range: nameRange } : expr;
    return { name, expr: fixed, nameRange, range: IndexedRange.span(nameRange, this.range(value ?? keyNode)) };
  }

  private block(type: string, labels: string[], labelNodes: YamlNode[], typeNode: YamlNode, bodyNode: YamlNode | null, depth: number, nested: Readonly<Record<string, NestedBlockSpec>>): Block {
    const typeRange = this.range(typeNode);
    return {
      type,
      labels,
      labelRanges: labelNodes.map((n) => this.range(n)),
      body: this.body(bodyNode, depth, nested, typeNode),
      typeRange,
      range: IndexedRange.span(typeRange, this.range(bodyNode ?? typeNode)),
    };
  }

  /** `rootfs: {...}` or `rootfs: [{...}, ...]`; labeled: `network: { eth0: {...} }`. */
  private nestedBlocks(type: string, keyNode: YamlNode, value: YamlNode | null, spec: NestedBlockSpec, depth: number, inner: Readonly<Record<string, NestedBlockSpec>>): Block[] {
    if (this.tooDeep(depth, keyNode)) return [];
    if (spec.labeled) {
      if (value === null) return [];
      if (!yaml().isMap(value)) {
        this.fail(`Invalid "${type}" blocks`, `"${type}" takes a map from each block's label to its arguments, like ${type}: { name: { ... } }. Rewrite it as a mapping.`, value);
        return [];
      }
      return this.entries(value).map(({ key, keyNode: labelNode, value: body }) => this.block(type, [key], [labelNode], labelNode, body, depth + 1, inner));
    }
    if (value !== null && yaml().isSeq(value)) {
      return value.items.map((item) => this.block(type, [], [], keyNode, this.deref(item), depth + 1, inner));
    }
    return [this.block(type, [], [], keyNode, value, depth, inner)];
  }

  // ---- top level ----

  file(): Body {
    const root = this.doc.contents ? this.deref(this.doc.contents) : null;
    const body: Body = { attributes: [], blocks: [], range: rangeOf(this.map, 0, this.source.length) };
    if (root === null || (yaml().isScalar(root) && root.value === null)) return body;
    if (!yaml().isMap(root)) {
      this.fail("Invalid configuration file", `The top level of a configuration file must be a mapping with keys such as ${TOP_KEYS.join(", ")}.`, root);
      return body;
    }
    for (const { key, keyNode, value } of this.entries(root)) {
      switch (key) {
        case "variables":
          body.blocks.push(...this.named("variable", keyNode, value, OTHER_BLOCKS.variable ?? {}));
          break;
        case "outputs":
          body.blocks.push(...this.named("output", keyNode, value, {}));
          break;
        case "locals":
          body.blocks.push(this.block("locals", [], [], keyNode, value, 1, {}));
          break;
        case "proxmox":
          body.blocks.push(this.block("proxmox", [], [], keyNode, value, 1, { nodes: { labeled: false } }));
          this.renameNodes(body.blocks[body.blocks.length - 1] as Block);
          break;
        case "resources":
          body.blocks.push(...this.resources(keyNode, value));
          break;
        case "modules": // modules: { media: { source: ./modules/media, ... } }
          body.blocks.push(...this.named("module", keyNode, value, {}));
          break;
        case "moved":
        case "import":
          body.blocks.push(...this.list(key, keyNode, value));
          break;
        case "backend": // backend: { pg: { conn_str: ... } }
          body.blocks.push(...this.named("backend", keyNode, value, {}));
          break;
        case "encryption":
          body.blocks.push(this.block("encryption", [], [], keyNode, value, 1, OTHER_BLOCKS.encryption ?? {}));
          break;
        default: {
          const hint = didYouMean(key, TOP_KEYS);
          this.fail("Unsupported top-level key", `"${key}" is not a configuration section.${hint ? ` Did you mean "${hint}"?` : ""} Use one of: ${TOP_KEYS.join(", ")}.`, keyNode);
        }
      }
    }
    return body;
  }

  /** `proxmox: { nodes: { pve1: {...} } }` -> `proxmox { node "pve1" {...} }`. */
  private renameNodes(proxmox: Block): void {
    const containers = proxmox.body.blocks.filter((b) => b.type === "nodes");
    proxmox.body.blocks = proxmox.body.blocks.filter((b) => b.type !== "nodes");
    for (const c of containers) {
      for (const attr of c.body.attributes) {
        if (attr.expr.kind !== "object") {
          this.diags.push(error("Invalid node", `Node "${attr.name}" needs a map of settings, like ${attr.name}: { ssh: root@host }.`, attr.nameRange));
          continue;
        }
        proxmox.body.blocks.push({
          type: "node",
          labels: [attr.name],
          labelRanges: [attr.nameRange],
          body: objectToBody(attr.expr.items, attr.expr.range),
          typeRange: attr.nameRange,
          range: attr.range,
        });
      }
    }
  }

  /** `variables: { name: {...} }` -> one labeled block per entry. */
  private named(type: string, keyNode: YamlNode, value: YamlNode | null, nested: Readonly<Record<string, NestedBlockSpec>>): Block[] {
    if (value === null) return [];
    if (!yaml().isMap(value)) {
      this.fail(`Invalid "${keyNode.toString()}" section`, `This section is a map from each name to its settings. Rewrite it as a YAML mapping.`, value);
      return [];
    }
    return this.entries(value).map(({ key, keyNode: nameNode, value: body }) => this.block(type, [key], [nameNode], nameNode, body, 2, nested));
  }

  /** `resources: { "type.name": {...} }`, or nested as `type: { name: {...} }`. */
  private resources(keyNode: YamlNode, value: YamlNode | null): Block[] {
    if (value === null) return [];
    if (!yaml().isMap(value)) {
      this.fail('Invalid "resources" section', 'Resources are a map from "type.name" to the resource\'s arguments. Rewrite it as a YAML mapping.', value ?? keyNode);
      return [];
    }
    const out: Block[] = [];
    for (const { key, keyNode: addrNode, value: body } of this.entries(value)) {
      const dot = key.indexOf(".");
      if (dot > 0) {
        out.push(this.block("resource", [key.slice(0, dot), key.slice(dot + 1)], [addrNode, addrNode], addrNode, body, 2, RESOURCE_BLOCKS));
        continue;
      }
      if (body === null || !yaml().isMap(body)) {
        this.fail("Invalid resource key", `"${key}" should be "type.name" (like lxc_container.web), or a resource type holding a map of names. Rename the key.`, addrNode);
        continue;
      }
      for (const { key: name, keyNode: nameNode, value: inner } of this.entries(body)) {
        out.push(this.block("resource", [key, name], [addrNode, nameNode], addrNode, inner, 3, RESOURCE_BLOCKS));
      }
    }
    return out;
  }

  /** `moved: [{from, to}]` / `import: [{to, id}]` -> one block per item. */
  private list(type: string, keyNode: YamlNode, value: YamlNode | null): Block[] {
    if (value === null) return [];
    const items = yaml().isSeq(value) ? value.items.map((i) => this.deref(i)) : [value];
    return items.map((item) => this.block(type, [], [], keyNode, item, 2, {}));
  }
}

function objectToBody(items: { key: Expr; value: Expr; range: Range }[], range: Range): Body {
  const attributes: Attribute[] = [];
  for (const item of items) {
    if (item.key.kind !== "literal" || typeof item.key.value !== "string") continue;
    attributes.push({ name: item.key.value, expr: item.value, nameRange: item.key.range, range: item.range });
  }
  return { attributes, blocks: [], range };
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

export function parseYamlFileSync(path: string, source: string): { file: File; diagnostics: Diagnostic[] } {
  const fast = fastYamlDocument(source);
  if (!fast) return parseYamlFileWithPackage(path, source);
  const front = new YamlFrontEnd(path, source, fast);
  const body = front.file();
  return { file: { path, source, body }, diagnostics: front.diags };
}

/** The yaml package's reading: any YAML, with its error messages. */
export function parseYamlFileWithPackage(path: string, source: string): { file: File; diagnostics: Diagnostic[] } {
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(source, { lineCounter, prettyErrors: true, uniqueKeys: false, strict: true });
  const map = new TextPosMap(path, source);
  const diagnostics: Diagnostic[] = [];
  const duplicates = duplicateKeyPositions(doc).sort((a, b) => a[0] - b[0]);
  // yaml would have reported each duplicate among its other errors as it reached it.
  const problems: { pos: [number, number]; code: string; message: string; warning: boolean }[] = [];
  let next = 0;
  const duplicatesBefore = (offset: number): void => {
    for (; next < duplicates.length && (duplicates[next] as [number, number])[0] < offset; next++) {
      problems.push({ pos: duplicates[next] as [number, number], code: "DUPLICATE_KEY", message: "Map keys must be unique", warning: false });
    }
  };
  for (const e of doc.errors) {
    duplicatesBefore(e.pos[0]);
    problems.push({ pos: e.pos, code: e.code, message: e.message, warning: false });
  }
  duplicatesBefore(Infinity);
  for (const e of doc.warnings) problems.push({ pos: e.pos, code: e.code, message: e.message, warning: true });
  for (const e of problems) {
    const [start, end] = e.pos;
    // The library's own advice ("please use YAML.parseAllDocuments()") means nothing to a user.
    const summary = e.code === "DUPLICATE_KEY" ? "Duplicate key" : e.code === "MULTIPLE_DOCS" ? "More than one YAML document" : "Invalid YAML";
    const detail =
      e.code === "DUPLICATE_KEY"
        ? `${firstLine(e.message)}. Each key may appear only once in a mapping; remove or rename one of them.`
        : e.code === "MULTIPLE_DOCS"
          ? `A configuration file holds one YAML document, but a second one starts here (after "---"). Remove the "---" line to merge them, or move the second document into a file of its own.`
          : `${firstLine(e.message)}. Fix the YAML syntax here.`;
    diagnostics.push({ ...error(summary, detail, rangeOf(map, start, Math.max(start, end))), severity: e.warning ? "warning" : "error" });
  }
  if (doc.errors.length > 0 || duplicates.length > 0) {
    return { file: { path, source, body: { attributes: [], blocks: [], range: rangeOf(map, 0, source.length) } }, diagnostics };
  }
  const front = new YamlFrontEnd(path, source, doc);
  const body = front.file();
  diagnostics.push(...front.diags);
  return { file: { path, source, body }, diagnostics };
}

export async function parseYamlFile(path: string, source: string): Promise<{ file: File; diagnostics: Diagnostic[] }> {
  return withHcl(() => parseYamlFileSync(path, source));
}
