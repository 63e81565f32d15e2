// The oci_container's steps as the plan decides them and apply checks them: the OCI steps of an
// update or create (pct set --entrypoint, the conf edit of env and lxc.init.*), a new container's
// whole list (lxc_container's create of a stopped container, the OCI steps, then the start), and
// a replacement's first step (its order, and which data volumes the new container takes over).
import { isUnknown, putKey } from "../../src/config/value.js";
import type { Attrs, AttrPath, PlannedOperation } from "../../src/provider/types.js";
import { createOperations } from "../lxc/operations.js";
import { ociChanges } from "./container-attrs.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});

/** A value the plan printed, or the attribute path apply reads it from (unknown at plan time, or secret). */
export type PlannedValue = string | { from: AttrPath };

/**
 * The OCI steps of an update, after lxc_container's (providers/lxc/operations.ts): `pct set
 * --entrypoint`, and the conf edit of env and lxc.init.cwd/uid/gid. An env value that is unknown
 * or secret at plan time is named (`env_from`) and read from the configuration at apply;
 * working_dir and user likewise hold the value the plan printed or the path to read, and null
 * when the configuration leaves them to the image (nothing of them is written then).
 */
export type OciOperation =
  { op: "entrypoint"; value: string } | { op: "oci_keys"; env: Record<string, string>; env_from: string[]; remove_env: string[]; working_dir: PlannedValue | null; user: PlannedValue | null };

/** working_dir and user as the configuration sets them (a path where the plan cannot print the value). */
function initValues(config: Attrs, sensitive: readonly AttrPath[]): { working_dir: PlannedValue | null; user: PlannedValue | null } {
  const one = (k: "working_dir" | "user"): PlannedValue | null => {
    const v = config[k];
    if (isUnknown(v) || (typeof v === "string" && sensitive.some((p) => p[0] === k))) return { from: [k] };
    return typeof v === "string" ? v : null;
  };
  return { working_dir: one("working_dir"), user: one("user") };
}

export function ociOperations(ch: { entrypoint?: string; confEdit: boolean }, prior: Attrs, planned: Attrs, sensitive: readonly AttrPath[], config: Attrs): OciOperation[] {
  const ops: OciOperation[] = [];
  if (ch.entrypoint !== undefined) ops.push({ op: "entrypoint", value: ch.entrypoint });
  if (!ch.confEdit) return ops;
  const env: Record<string, string> = {};
  const from: string[] = [];
  const secret = (k: string) => sensitive.some((p) => p[0] === "env" && (p.length === 1 || String(p[1]) === k));
  for (const [k, v] of Object.entries(obj(planned["env"]))) {
    if (isUnknown(v) || secret(k)) from.push(k);
    else putKey(env, k, String(v));
  }
  ops.push({ op: "oci_keys", env, env_from: from.sort(), remove_env: Object.keys(obj(prior["env"])).sort(), ...initValues(config, sensitive) });
  return ops;
}

export const OCI_OPS: ReadonlySet<string> = new Set(["entrypoint", "oci_keys"]);

/** The conf keys an OCI step writes (digest-chain.ts names: env lines, and the lxc.* lines as one). */
export function ociKeysWritten(op: PlannedOperation): string[] {
  return op.op === "entrypoint" ? ["entrypoint"] : ["lxc.environment.runtime", "lxc"];
}

/**
 * The plan's OCI steps, checked (a plan from another version may hold other shapes; one made
 * before oci_keys carried working_dir and user has no such fields and is refused, since its
 * apply read them from the configuration).
 */
export function ociSteps(address: string, operations: readonly PlannedOperation[]): OciOperation[] {
  const strs = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
  const value = (v: unknown) => v === null || typeof v === "string" || strs(obj(v)["from"]);
  const ops = operations.filter((o) => OCI_OPS.has(o.op));
  for (const o of ops) {
    const ok =
      o.op === "entrypoint"
        ? typeof o["value"] === "string"
        : strs(o["env_from"]) &&
          strs(o["remove_env"]) &&
          o["env"] !== null &&
          typeof o["env"] === "object" &&
          !Array.isArray(o["env"]) &&
          Object.values(o["env"]).every((v) => typeof v === "string") &&
          value(o["working_dir"]) &&
          value(o["user"]);
    if (!ok) throw new Error(`${address}: the plan holds an operation this pmxform cannot carry out (${JSON.stringify(o).slice(0, 200)}). Nothing was done; run "pmxform plan" again.`);
  }
  return ops as unknown as OciOperation[];
}

/**
 * How a replacement goes: `delete_first` (the new container keeps the vmid, so the old one is
 * destroyed before it is created), or create first and move the volumes of the `keep` mounts
 * from the old container to the new one before destroying the old.
 */
export type ReplaceOperation = { op: "replace"; delete_first: boolean; keep: string[] };

/** What the plan knows of a new oci_container (container.ts diffOci). */
export interface OciCreatePlan {
  /** lxc_container's planned attributes of it (the image as template). */
  lxcPlanned: Attrs;
  /** The oci_container's planned attributes. */
  planned: Attrs;
  /** The configuration evaluated at plan time (working_dir and user as it sets them). */
  config: Attrs;
  sensitive: readonly AttrPath[];
  password: boolean;
  /** Mounts whose volumes come from the container it replaces: not allocated by pct create. */
  keep?: ReadonlySet<string>;
}

/**
 * A new container's steps: created stopped (lxc_container's steps), the OCI keys written, then
 * started when wanted (the env must be in the conf when the init starts).
 */
export function ociCreateOperations(c: OciCreatePlan): PlannedOperation[] {
  const keep = c.keep ?? new Set<string>();
  const mounts = c.lxcPlanned["mount"];
  const lxcPlanned: Attrs = { ...c.lxcPlanned, started: false };
  if (keep.size && mounts && typeof mounts === "object" && !isUnknown(mounts)) lxcPlanned["mount"] = Object.fromEntries(Object.entries(mounts as Obj).filter(([n]) => !keep.has(n)));
  // Left to the image (unknown as a whole): nothing of it is written.
  const known = Object.fromEntries(Object.entries(c.planned).filter(([, v]) => !isUnknown(v)));
  // A working_dir or user the configuration sets but the plan cannot print is written all the same (read at apply).
  const oci = ociChanges(null, known);
  if (isUnknown(c.config["working_dir"]) || isUnknown(c.config["user"])) oci.confEdit = true;
  const ops: PlannedOperation[] = [
    ...(createOperations({ planned: lxcPlanned, sensitive: c.sensitive, password: c.password }) as unknown as PlannedOperation[]),
    ...(ociOperations(oci, {}, known, c.sensitive, c.config) as unknown as PlannedOperation[]),
  ];
  if (c.planned["started"] === true) ops.push({ op: "start" });
  return ops;
}
