// The JSON plan representation in Terraform's shape (`terraform show -json PLANFILE`): what
// `plan --json`, `show --json PLANFILE` and the plan part of `apply --json` print. Built from the
// plan file's form of the changes, so a fresh plan and a saved one print the same document.
// Bookkeeping attributes a provider hides (slot maps, digests, markers) never appear; unknown
// and sensitive values are marked by object mirrors of the values, as Terraform's are.
import { parseAddress } from "../engine/address.js";
import type { PlannedChange } from "../plan/types.js";
import type { StateFile, StateResource, AttrPath } from "../state/types.js";
import type { Module } from "../config/module.js";
import type { Expr } from "../config/ast.js";
import type { Body } from "../config/body.js";
import { references } from "../config/refs.js";
import { redactPaths } from "../plan/attr-diff.js";
import { putKey } from "../config/value.js";

/** Which top-level attributes of a resource type are bookkeeping, never shown. */
export type HiddenOf = (type: string) => readonly string[];

export const JSON_FORMAT_VERSION = "1.2";
const PROVIDER = "proxmox";

export type Mirror = boolean | Mirror[] | { [k: string]: Mirror };

/**
 * Terraform's value mirror: `true` where `paths` mark a value (unknown or sensitive), the same
 * structure as `value` around it; false leaves are left out of objects (kept in arrays, where
 * position matters). A null value with no mark is `false`.
 */
export function mirror(value: unknown, paths: readonly AttrPath[]): Mirror {
  if (paths.some((p) => p.length === 0)) return true;
  const below = (key: string | number) => paths.filter((p) => p[0] === key).map((p) => p.slice(1));
  if (Array.isArray(value)) return value.map((v, i) => mirror(v, below(i)));
  if (value !== null && typeof value === "object") {
    const out: Record<string, Mirror> = {};
    for (const [k, v] of Object.entries(value)) {
      const m = mirror(v, below(k));
      if (m !== false) putKey(out, k, m);
    }
    // A marked key the value lacks (an unknown left out of after) is still reported.
    for (const p of paths) if (typeof p[0] === "string" && !(p[0] in out) && !(p[0] in value)) out[p[0]] = mirror(undefined, below(p[0]));
    return out;
  }
  return false;
}

function withoutHidden(attrs: Record<string, unknown> | null, hidden: ReadonlySet<string>): Record<string, unknown> | null {
  if (!attrs) return null;
  return Object.fromEntries(Object.entries(attrs).filter(([k]) => !hidden.has(k)));
}

function visiblePaths(paths: readonly AttrPath[], hidden: ReadonlySet<string>): AttrPath[] {
  return paths.filter((p) => !hidden.has(String(p[0])));
}

function sensitiveMirror(value: Record<string, unknown> | null, paths: readonly AttrPath[]): Mirror {
  return value === null ? false : mirror(value, paths);
}

function resourceIdentity(r: { address: string; type: string; name: string; index?: number | string }) {
  const module = parseAddress(r.address)?.module;
  return {
    address: r.address,
    ...(module ? { module_address: module } : {}),
    mode: "managed",
    type: r.type,
    name: r.name,
    ...(r.index !== undefined ? { index: r.index } : {}),
    provider_name: PROVIDER,
  };
}

export function resourceChangeJson(c: PlannedChange, hiddenOf: HiddenOf) {
  const hidden = new Set(hiddenOf(c.type));
  const sensitive = visiblePaths(c.sensitive_paths, hidden);
  // Plan files already hold null for secrets; drift entries come straight from the state.
  const redact = (a: Record<string, unknown> | null) => (a ? redactPaths(a, sensitive) : null);
  const before = redact(withoutHidden(c.before, hidden));
  const after = redact(withoutHidden(c.after, hidden));
  return {
    ...resourceIdentity(c),
    ...(c.deposed ? { deposed: c.deposed } : {}),
    ...(c.moved_from ? { previous_address: c.moved_from } : {}),
    change: {
      actions: c.actions,
      before,
      after,
      after_unknown: after === null ? false : mirror(after, visiblePaths(c.after_unknown, hidden)),
      before_sensitive: sensitiveMirror(before, sensitive),
      after_sensitive: sensitiveMirror(after, sensitive),
      replace_paths: c.reasons.filter((r) => r.reason === "forces replacement").map((r) => r.path),
      ...(c.import_id !== undefined ? { importing: { id: c.import_id } } : {}),
    },
    ...(actionReason(c) ? { action_reason: actionReason(c) } : {}),
    ...(c.reasons.length ? { reasons: c.reasons } : {}),
  };
}

/** Terraform's action_reason on a replacement: why it is one. */
function actionReason(c: PlannedChange): string | undefined {
  const replace = c.actions.includes("create") && c.actions.includes("delete");
  if (!replace) return undefined;
  const cause = (c.provider_data as { replace_cause?: string } | undefined)?.replace_cause;
  return cause === "requested" ? "replace_by_request" : cause === "replace_triggered_by" ? "replace_by_triggers" : "replace_because_cannot_update";
}

/** Every volume with data the plan deletes (the human plan's last section): pmxform's addition to the document. */
function volumeDeletionsJson(changes: readonly PlannedChange[]) {
  return changes.flatMap((c) => ((c.provider_data as { volume_deletions?: object[] } | undefined)?.volume_deletions ?? []).map((d) => ({ address: c.address, ...d })));
}

/** State values as Terraform's `values` (used by `show --json` and a plan's `prior_state`). */
export function stateValuesJson(state: StateFile, hiddenOf: HiddenOf) {
  const outputs: Record<string, { sensitive: boolean; value?: unknown }> = {};
  for (const [name, o] of Object.entries(state.outputs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) putKey(outputs, name, o.sensitive ? { sensitive: true } : { sensitive: false, value: o.value });
  return { outputs, root_module: { resources: state.resources.map((r) => stateResourceJson(r, hiddenOf)) } };
}

function stateResourceJson(r: StateResource, hiddenOf: HiddenOf) {
  const hidden = new Set(hiddenOf(r.type));
  const values = withoutHidden(r.attributes, hidden)!;
  const sensitive = visiblePaths(r.sensitive_attributes, hidden);
  return { ...resourceIdentity(r), schema_version: 0, values: redactPaths(values, sensitive), sensitive_values: mirror(values, sensitive) };
}

export interface OutputChangeJson {
  actions: string[];
  before: unknown;
  after: unknown;
  after_unknown: Mirror;
  before_sensitive: boolean;
  after_sensitive: boolean;
}

export interface PlannedOutputJson {
  sensitive: boolean;
  value?: unknown;
}

/** What a saved plan stores beside its changes so that `show --json PLANFILE` prints what plan did. */
export interface PlanJsonExtras {
  variables: Record<string, { value?: unknown; sensitive?: boolean }>;
  planned_outputs: Record<string, PlannedOutputJson>;
  output_changes: Record<string, OutputChangeJson>;
  resource_drift: unknown[];
  configuration: object;
}

export function planRepresentation(input: { pmxformVersion: string; changes: readonly PlannedChange[]; priorState: StateFile | null; extras: PlanJsonExtras; hiddenOf: HiddenOf; timestamp?: string }) {
  const changes = input.changes.map((c) => resourceChangeJson(c, input.hiddenOf));
  const planned = changes
    .filter((c) => c.change.after !== null && !c.deposed)
    .map((c) => ({
      address: c.address,
      mode: c.mode,
      type: c.type,
      name: c.name,
      ...("index" in c ? { index: c.index } : {}),
      provider_name: c.provider_name,
      schema_version: 0,
      values: c.change.after,
      sensitive_values: c.change.after_sensitive,
    }));
  return {
    format_version: JSON_FORMAT_VERSION,
    pmxform_version: input.pmxformVersion,
    variables: input.extras.variables,
    planned_values: { outputs: input.extras.planned_outputs, root_module: { resources: planned } },
    resource_drift: input.extras.resource_drift,
    resource_changes: changes,
    volume_deletions: volumeDeletionsJson(input.changes),
    output_changes: input.extras.output_changes,
    prior_state: input.priorState ? { format_version: JSON_FORMAT_VERSION, pmxform_version: input.priorState.pmxform_version, values: stateValuesJson(input.priorState, input.hiddenOf) } : null,
    configuration: input.extras.configuration,
    ...(input.timestamp ? { timestamp: input.timestamp } : {}),
  };
}

/** Terraform's `configuration`: the resources, outputs and variables as written, expressions as constants or references. */
export function configurationJson(module: Module) {
  const resources = [...module.resources.values()].map((r) => ({
    address: r.address,
    mode: "managed",
    type: r.type,
    name: r.name,
    provider_config_key: PROVIDER,
    expressions: bodyExpressions(r.body),
    schema_version: 0,
    ...(r.count ? { count_expression: expressionJson(r.count) } : {}),
    ...(r.forEach ? { for_each_expression: expressionJson(r.forEach) } : {}),
    ...(r.dependsOn.length ? { depends_on: r.dependsOn.map((d) => d.address) } : {}),
  }));
  const outputs = Object.fromEntries(
    [...module.outputs.values()].map((o) => [
      o.name,
      {
        expression: expressionJson(o.value),
        ...(o.sensitive ? { sensitive: true } : {}),
        ...(o.description ? { description: o.description } : {}),
        ...(o.dependsOn.length ? { depends_on: o.dependsOn.map((d) => d.address) } : {}),
      },
    ]),
  );
  const variables = Object.fromEntries(
    [...module.variables.values()].map((v) => {
      const def = v.default ? expressionJson(v.default) : undefined;
      return [
        v.name,
        {
          ...(def && "constant_value" in def && !v.sensitive ? { default: def.constant_value } : {}),
          ...(v.description ? { description: v.description } : {}),
          ...(v.sensitive ? { sensitive: true } : {}),
        },
      ];
    }),
  );
  return { provider_config: { [PROVIDER]: { name: PROVIDER, full_name: "pmxform/proxmox" } }, root_module: { outputs, resources, variables } };
}

function bodyExpressions(body: Body): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of body.attributes) out[a.name] = expressionJson(a.expr);
  for (const b of body.blocks) ((out[b.type] ??= []) as unknown[]).push(bodyExpressions(b.body));
  return out;
}

/** `{constant_value}` for a literal (or a template without interpolation), else `{references}` as Terraform lists them. */
function expressionJson(e: Expr): { constant_value: unknown } | { references: string[] } {
  const constant = constantOf(e);
  if (constant.ok) return { constant_value: constant.value };
  const refs: string[] = [];
  for (const r of references(e)) {
    const base = r.kind === "resource" ? `${r.type}.${r.name}` : r.kind === "var" || r.kind === "local" ? `${r.kind}.${r.name}` : r.name ? `${r.kind}.${r.name}` : r.kind;
    const full = r.kind === "resource" && r.attr ? `${base}.${r.attr}` : base;
    for (const ref of full === base ? [base] : [full, base]) if (!refs.includes(ref)) refs.push(ref);
  }
  return { references: refs };
}

function constantOf(e: Expr): { ok: true; value: unknown } | { ok: false } {
  if (e.kind === "literal") return { ok: true, value: e.value };
  if (e.kind === "template" && e.parts.every((p) => p.kind === "text")) return { ok: true, value: e.parts.map((p) => (p.kind === "text" ? p.value : "")).join("") };
  if (e.kind === "tuple") {
    const items = e.items.map(constantOf);
    return items.every((i) => i.ok) ? { ok: true, value: items.map((i) => (i as { value: unknown }).value) } : { ok: false };
  }
  if (e.kind === "object") {
    const out: Record<string, unknown> = {};
    for (const item of e.items) {
      const k = constantOf(item.key);
      const v = constantOf(item.value);
      if (!k.ok || !v.ok || typeof k.value !== "string") return { ok: false };
      putKey(out, k.value, v.value);
    }
    return { ok: true, value: out };
  }
  return { ok: false };
}
