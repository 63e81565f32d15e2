// zfs_dataset's plan: what changes, how (the PlannedOperations apply executes: `zfs create`,
// `zfs set`, `zfs inherit`, chown), and what is refused before anything runs (a dataset that
// already exists unmanaged, a missing pool, a replacement that would destroy data without the
// opt-in). Pure.
import { isUnknown, Unknown } from "../../src/config/value.js";
import type { Attrs, ChangeReason, Diff, DiffRequest, PlannedOperation, ProviderIssue } from "../../src/provider/types.js";
import { holdsData } from "./attrs.js";
import { canonOr } from "./canon.js";
import { canonical, desiredProperties, known, plannedOwner } from "./desired.js";
import { FIELD, MARKER } from "./fields.js";
import type { ZfsNodeView } from "./snapshot.js";
import { zfsViewOf } from "./view.js";
import { inheritedMountpoint } from "./mountpoint.js";

const parentOf = (name: string): string | undefined => (name.includes("/") ? name.slice(0, name.lastIndexOf("/")) : undefined);

/** Why destroying `prior` is refused (data or snapshots without destroy_with_data), with the fix. */
export function destroyRefusal(address: string, prior: Attrs, optIn: unknown): ProviderIssue | undefined {
  if (optIn === true) return undefined;
  const why = holdsData(prior);
  if (!why) return undefined;
  return {
    severity: "error",
    path: [],
    summary: "Dataset holds data",
    detail: `${address} would destroy ${String(prior["node"])}/${String(prior["name"])}, but ${why}. pmxform never destroys data by default: set destroy_with_data = true on the resource and apply (that only records the opt-in), then plan the removal again; or move the data away first.`,
  };
}

function plannedAttrs(req: DiffRequest, view: ZfsNodeView | undefined, replacing: boolean): Attrs {
  const { config, prior } = req;
  const keep = prior && !replacing;
  const mountpoint = known(config["mountpoint"])
    ? config["mountpoint"]
    : isUnknown(config["mountpoint"])
      ? config["mountpoint"]
      : keep && prior["mountpoint_local"] !== true
        ? prior["mountpoint"]
        : inheritedMountpoint(view, String(config["name"]));
  // A value ZFS reports the same as the prior's keeps the prior's spelling ("1024G" is "1T"): no change to show.
  const priorProps = (keep ? (prior["properties"] ?? {}) : {}) as Record<string, unknown>;
  const spelled = (k: string, v: unknown, was: unknown): unknown => (keep && typeof v === "string" && typeof was === "string" && canonOr(k, v) === canonOr(k, was) ? was : v);
  // "none" (0) is no limit: recorded as null, as the dataset reads back.
  const limit = (k: string): unknown => (typeof config[k] === "string" && canonOr(k, config[k]) === "0" ? null : spelled(k, config[k] ?? null, prior?.[k]));
  const properties = Object.fromEntries(Object.entries(desiredProperties(config)).map(([k, v]) => [k, spelled(k, v, priorProps[k])]));
  // A create-only property the configuration no longer names stays what the dataset was made with.
  for (const [k, v] of Object.entries(priorProps)) if (!(k in properties) && FIELD.get(k)?.change === "create") properties[k] = v;
  return {
    node: config["node"],
    name: config["name"],
    profile: config["profile"] ?? null,
    properties,
    quota: limit("quota"),
    refquota: limit("refquota"),
    reservation: limit("reservation"),
    mountpoint,
    mountpoint_local: config["mountpoint"] !== undefined && config["mountpoint"] !== null,
    owner: plannedOwner(config),
    destroy_with_data: config["destroy_with_data"] ?? null,
    used: new Unknown("number"),
    available: new Unknown("number"),
    referenced: new Unknown("number"),
    snapshot_count: keep ? prior["snapshot_count"] : 0,
    marker: keep ? (prior["marker"] ?? null) : req.lineage !== undefined ? req.lineage : new Unknown("string"),
  };
}

/** `zfs create` arguments: every desired property, canonical, with the marker. */
function createOperations(planned: Attrs, view: ZfsNodeView | undefined, lineage: string | undefined): PlannedOperation[] {
  const name = String(planned["name"]);
  const props: Record<string, string> = {};
  for (const [k, v] of Object.entries(canonical(planned["properties"] as Record<string, unknown>))) if (typeof v === "string") props[k] = v;
  for (const k of ["quota", "refquota", "reservation"]) if (typeof planned[k] === "string" && canonOr(k, planned[k]) !== "0") props[k] = canonOr(k, planned[k]);
  if (planned["mountpoint_local"] === true && typeof planned["mountpoint"] === "string") props["mountpoint"] = planned["mountpoint"];
  if (lineage !== undefined) props[MARKER] = lineage;
  const parent = parentOf(name);
  const ops: PlannedOperation[] = [{ op: "zfs create", name, parents: parent !== undefined && !view?.datasets.has(parent), properties: props }];
  const owner = planned["owner"] as Attrs | null;
  if (owner) ops.push({ op: "chown", name, uid: owner["host_uid"] as number, gid: owner["host_gid"] as number });
  return ops;
}

export function diffDataset(req: DiffRequest): Diff {
  const { config, prior, address } = req;
  const issues: ProviderIssue[] = [];
  const node = String(config["node"]);
  const name = String(config["name"]);
  const view = zfsViewOf(req.snapshot, node);
  if (!prior) {
    const planned = plannedAttrs(req, view, false);
    if (view && known(config["name"])) {
      if (view.datasets.has(name))
        issues.push({
          severity: "error",
          path: ["name"],
          summary: "Dataset already exists",
          detail: `${name} already exists on node ${node} and no state entry manages it. Adopt it with pmxform import ${address} ${node}/${name}, or choose another name.`,
        });
      const pool = name.split("/")[0]!;
      if (!view.datasets.has(pool))
        issues.push({
          severity: "error",
          path: ["name"],
          summary: "No such ZFS pool",
          detail: `Node ${node} has no pool "${pool}" (it has ${[...view.datasets.keys()].filter((n) => !n.includes("/")).join(", ") || "none"}). Create the pool with zpool create, or use one of those.`,
        });
    }
    return { action: "create", planned, reasons: [], issues, operations: createOperations(planned, view, req.lineage) };
  }

  // Replacement: another node or name, a create-only property that differs, or --replace.
  const reasons: ChangeReason[] = [];
  for (const k of ["node", "name"]) if (known(config[k]) && config[k] !== prior[k]) reasons.push({ path: [k], reason: "forces replacement" });
  const want = canonical(desiredProperties(config));
  const have = canonical((prior["properties"] ?? {}) as Record<string, unknown>);
  for (const [k, v] of Object.entries(want)) {
    const f = FIELD.get(k);
    if (f?.change !== "create" || isUnknown(v)) continue;
    if ((have[k] ?? f.dflt) !== v && !reasons.some((r) => r.path[0] === "properties")) reasons.push({ path: ["properties"], reason: "forces replacement" });
  }
  if (req.forceReplace) reasons.push({ path: [], reason: "replacement requested with --replace" });
  if (reasons.length) {
    // The opt-in must already be in the state: the destroy half of a replacement sees only the state.
    const refusal = destroyRefusal(address, prior, prior["destroy_with_data"]);
    if (refusal) {
      const detail =
        config["destroy_with_data"] === true
          ? `${address} must be replaced, which destroys ${String(prior["node"])}/${String(prior["name"])}, but ${holdsData(prior) ?? "it holds data"}. destroy_with_data = true is configured but not yet recorded: apply it on its own first (e.g. with the replacing change undone, or pmxform apply -target=${address} before changing it), then plan the replacement again.`
          : (refusal.detail ?? "").replace("would destroy", "must be replaced, which destroys");
      issues.push({ ...refusal, detail });
    }
    const planned = plannedAttrs(req, view, true);
    if (known(planned["name"]) && known(planned["node"]) && (planned["name"] !== prior["name"] || planned["node"] !== prior["node"])) {
      // The new dataset is created next to the old one: it must not exist yet.
      const v = zfsViewOf(req.snapshot, String(planned["node"]));
      if (v?.datasets.has(String(planned["name"])))
        issues.push({
          severity: "error",
          path: ["name"],
          summary: "Dataset already exists",
          detail: `${String(planned["name"])} already exists on node ${String(planned["node"])}; choose another name or import it.`,
        });
    }
    return { action: "replace", planned, reasons, issues, operations: createOperations(planned, zfsViewOf(req.snapshot, String(planned["node"])), req.lineage) };
  }

  const planned = plannedAttrs(req, view, false);
  const set: Record<string, string> = {};
  const inherit: string[] = [];
  for (const [k, v] of Object.entries(want)) if (typeof v === "string" && have[k] !== v) set[k] = v;
  for (const k of Object.keys(have)) {
    if (k in want || FIELD.get(k)?.change === "create") continue;
    if (FIELD.get(k)?.clearWithNone) set[k] = "none";
    else inherit.push(k);
  }
  for (const k of ["quota", "refquota", "reservation"]) {
    const w = typeof config[k] === "string" ? canonOr(k, config[k]) : "0";
    const h = typeof prior[k] === "string" ? canonOr(k, prior[k]) : "0";
    if (!isUnknown(config[k]) && w !== h) set[k] = w === "0" ? "none" : w;
  }
  if (typeof config["mountpoint"] === "string" && (prior["mountpoint_local"] !== true || prior["mountpoint"] !== config["mountpoint"])) set["mountpoint"] = config["mountpoint"];
  if ((config["mountpoint"] === undefined || config["mountpoint"] === null) && prior["mountpoint_local"] === true) {
    inherit.push("mountpoint");
    planned["mountpoint"] = inheritedMountpoint(view, name);
  }
  const ops: PlannedOperation[] = [];
  if (Object.keys(set).length) ops.push({ op: "zfs set", name, properties: set });
  for (const k of inherit) ops.push({ op: "zfs inherit", name, property: k });
  const owner = planned["owner"] as Attrs | null;
  const priorOwner = prior["owner"] as Attrs | null;
  if (owner && known(owner["host_uid"]) && (owner["host_uid"] !== priorOwner?.["host_uid"] || owner["host_gid"] !== priorOwner?.["host_gid"])) {
    ops.push({ op: "chown", name, uid: owner["host_uid"] as number, gid: owner["host_gid"] as number });
  }
  const stateOnly =
    // profile alone is not a change: what it means is in properties (an import records none).
    (config["destroy_with_data"] ?? null) !== (prior["destroy_with_data"] ?? null) ||
    !sameOwner(owner, priorOwner) ||
    !sameMap(planned["properties"] as Record<string, unknown>, (prior["properties"] ?? {}) as Record<string, unknown>);
  if (!ops.length && !stateOnly) {
    // Nothing to do: the prior as it is, with configured spellings kept.
    return { action: "no-op", planned: { ...prior, profile: config["profile"] ?? prior["profile"] ?? null }, reasons: [], issues };
  }
  if (!ops.length) {
    // Only how the state records it changes (an opt-in, a profile spelled out, another spelling).
    for (const k of ["used", "available", "referenced"]) planned[k] = prior[k];
  }
  return { action: "update", planned, reasons: [], issues, operations: ops };
}

const OWNER_KEYS = ["uid", "gid", "unprivileged", "idmap", "host_uid", "host_gid"];

function sameOwner(a: Attrs | null, b: Attrs | null): boolean {
  if (!a || !b) return !a && !b;
  return OWNER_KEYS.every((k) => (a[k] ?? null) === (b[k] ?? null));
}

function sameMap(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export { parentOf };
