// The plan's steps as apply admits them: each operation of a saved or fresh plan is checked
// against the shapes operations.ts plans (a plan from another version may hold others), and a
// piece the plan left to apply is printed then. Apply's side only: planning never comes here.
import type { AttrPath, PlannedOperation } from "../../src/provider/types.js";
import type { Obj } from "../mounts/slots.js";
import type { PctOperation, SetPiece } from "./operations.js";

const str = (v: unknown): v is string => typeof v === "string";
const path = (v: unknown): v is AttrPath => Array.isArray(v) && v.every((s) => typeof s === "string" || typeof s === "number");
const pieceOk = (p: unknown): p is SetPiece => !!p && typeof p === "object" && str((p as Obj)["key"]) && (str((p as Obj)["value"]) || path((p as Obj)["from"]));
const fromOk = (v: unknown) => !!v && typeof v === "object" && path((v as Obj)["from"]);
const CHECKS: Record<PctOperation["op"], (o: Obj) => boolean> = {
  create: (o) =>
    (typeof o["vmid"] === "number" || fromOk(o["vmid"])) &&
    pieceOk(o["template"]) &&
    Array.isArray(o["set"]) &&
    (o["set"] as unknown[]).every(pieceOk) &&
    (o["ssh_keys"] === undefined || (Array.isArray(o["ssh_keys"]) && (o["ssh_keys"] as unknown[]).every(str)) || fromOk(o["ssh_keys"])),
  digest: (o) => str(o["digest"]),
  migrate: (o) =>
    str(o["to"]) &&
    typeof o["restart"] === "boolean" &&
    typeof o["stop_first"] === "boolean" &&
    Array.isArray(o["storage_map"]) &&
    (o["storage_map"] as unknown[]).every((e) => Array.isArray(e) && e.length === 2 && e.every(str)),
  stop: () => true,
  raw_lxc: (o) => (Array.isArray(o["lines"]) && (o["lines"] as unknown[]).every(str)) || path(o["from"]),
  unprotect: () => true,
  resize: (o) => str(o["disk"]) && str(o["size"]) && (o["if_already"] === undefined || pieceOk(o["if_already"])),
  set: (o) => Array.isArray(o["set"]) && (o["set"] as unknown[]).every(pieceOk) && Array.isArray(o["delete"]) && (o["delete"] as unknown[]).every(str),
  move_volume: (o) => str(o["disk"]) && str(o["storage"]),
  start: () => true,
  password: (o) => path(o["from"]),
  ssh_keys: (o) => (Array.isArray(o["keys"]) && (o["keys"] as unknown[]).every(str)) || path(o["from"]),
  reboot: () => true,
  pending: (o) => Array.isArray(o["keys"]) && (o["keys"] as unknown[]).every(str),
  delete_detached: (o) => Array.isArray(o["volumes"]) && (o["volumes"] as unknown[]).every(str),
};

/**
 * The plan's operations as this provider's steps, or an error saying to plan again: a plan made
 * before operations existed has none, and one from another version may hold steps unknown here.
 * `others`: steps of a type built on this one (oci_container's), left in place for it to check.
 */
export function pctOperations(address: string, operations: readonly PlannedOperation[] | undefined, others?: ReadonlySet<string>): PctOperation[] {
  if (!operations) throw new Error(`${address}: the plan carries no operations for this change (it was made by an earlier pmxform version). Nothing was done; run "pmxform plan" again.`);
  for (const o of operations) {
    // Steps of a type built on this one: checked by it.
    if (others?.has(o.op)) continue;
    const check = Object.hasOwn(CHECKS, o.op) ? CHECKS[o.op as PctOperation["op"]] : undefined;
    if (!check?.(o)) throw new Error(`${address}: the plan holds an operation this pmxform cannot carry out (${JSON.stringify(o).slice(0, 200)}). Nothing was done; run "pmxform plan" again.`);
  }
  return operations as unknown as PctOperation[];
}

/** The pct set value for a piece the plan left to apply: printed from the configuration now. */
export function valueOf(p: SetPiece, resolve: (key: string) => string | undefined): string {
  if ("value" in p) return p.value;
  const v = resolve(p.key);
  if (v === undefined) throw new Error(`the value of ${p.key} is still unknown at apply`);
  return v;
}
