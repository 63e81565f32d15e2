// The decoded configuration: what `variable`, `locals`, `output`, `proxmox`, `resource`,
// `moved` and `import` blocks mean, still unevaluated (expressions) but with every range kept.
// Produced by decode.ts from the generic Body of every file; consumed by evaluation and the engine.
import type { Range } from "../diag/diagnostic.js";
import type { Expr } from "./ast.js";
import type { Block, Body } from "./body.js";
import type { Value } from "./value.js";

export interface VariableDecl {
  name: string;
  /** The `type` constraint expression, parsed later by types.ts. */
  type?: Expr;
  default?: Expr;
  description?: string;
  sensitive: boolean;
  nullable: boolean;
  validations: { condition: Expr; errorMessage: Expr; range: Range }[];
  range: Range;
}

export interface LocalDecl {
  name: string;
  expr: Expr;
  range: Range;
}

export interface OutputDecl {
  name: string;
  value: Expr;
  description?: string;
  sensitive: boolean;
  dependsOn: Traversal[];
  range: Range;
}

/** How to reach one Proxmox node. Exactly one of ssh/local/sim is set (checked at decode). */
export interface NodeDecl {
  name: string;
  /** The node block's attributes, evaluated by the engine (ssh, port, identity_file, local, sim, max_parallel, ...). */
  body: Body;
  range: Range;
}

/** A static reference such as `lxc_container.web` or `oci_image.nginx` (in depends_on, moved, import). */
export interface Traversal {
  /** The address text as written, e.g. `lxc_container.web` or `lxc_container.db["a"]`. */
  address: string;
  range: Range;
}

export interface Lifecycle {
  preventDestroy?: Expr;
  createBeforeDestroy?: Expr;
  /** Attribute paths as written (`ignore_changes = [tags, description]`), or "all". */
  ignoreChanges: { path: string; range: Range }[] | "all";
  replaceTriggeredBy: Traversal[];
  range: Range;
}

export interface ResourceDecl {
  type: string;
  name: string;
  /** `type.name` */
  address: string;
  count?: Expr;
  forEach?: Expr;
  dependsOn: Traversal[];
  lifecycle?: Lifecycle;
  /**
   * The resource's own arguments and nested blocks (rootfs, network, mount, ...), without the
   * meta-arguments above and without `lifecycle`. Decoded against the provider's schema later.
   */
  body: Body;
  /** Range of `resource "type" "name"` (the block header). */
  declRange: Range;
  range: Range;
  /** The module instance this declaration belongs to after flattening (`module.a["k"]`); absent at the root. */
  module?: string;
}

/** One input of a module call: `name = expr` inside `module "x" { }`. */
export interface ModuleInput {
  name: string;
  expr: Expr;
  nameRange: Range;
}

/** A `module "name" { source = ..., version = ..., count|for_each, depends_on, inputs }` block. */
export interface ModuleCallDecl {
  name: string;
  source: string;
  sourceRange: Range;
  version?: string;
  versionRange?: Range;
  count?: Expr;
  forEach?: Expr;
  dependsOn: Traversal[];
  inputs: Map<string, ModuleInput>;
  /** Range of `module "name"` (the call site shown with diagnostics inside the module). */
  declRange: Range;
  range: Range;
}

/** A loaded child module: the call, the directory its source resolved to and its decoded files. */
export interface ChildModule {
  call: ModuleCallDecl;
  dir: string;
  module: Module;
}

/**
 * One module instance after flattening (src/config/modules/flatten.ts): where its
 * declarations come from and how it was called. Keyed by its path, e.g. `module.a["k"]`.
 */
export interface ModuleFrame {
  path: string;
  /** The path of the calling instance, "" for the root. */
  parent: string;
  call: ModuleCallDecl;
  module: Module;
  dir: string;
  key: number | string | undefined;
  /** `each.key`/`each.value` of a for_each instance, for its input expressions. */
  each?: { key: Value; value: Value };
  /** "in module.a, called at main.pmx.hcl:3:1" */
  callSite: string;
}

export interface MovedDecl {
  from: Traversal;
  to: Traversal;
  range: Range;
}

export interface ImportDecl {
  to: Traversal;
  id: Expr;
  range: Range;
}

export interface Module {
  variables: Map<string, VariableDecl>;
  locals: Map<string, LocalDecl>;
  outputs: Map<string, OutputDecl>;
  nodes: Map<string, NodeDecl>;
  /** Keyed by address `type.name`, in source order. */
  resources: Map<string, ResourceDecl>;
  moved: MovedDecl[];
  imports: ImportDecl[];
  /** `module` blocks, by name, in source order. */
  calls: Map<string, ModuleCallDecl>;
  /** The loaded module of each call (filled by load.ts when the sources resolve). */
  children: Map<string, ChildModule>;
  /** After flattening: every module instance by path; resources then include theirs. */
  frames?: Map<string, ModuleFrame>;
  /** The `backend "TYPE" { }` block (checked by backend-block.ts); absent: the local file. */
  backend?: Block;
  /** The `encryption { }` block of state and plan files (checked by backend-block.ts). */
  encryption?: Block;
  /** The files the module came from (for diagnostic snippets), keyed by path. */
  sources: Map<string, string>;
}

export type { Block, Body };
