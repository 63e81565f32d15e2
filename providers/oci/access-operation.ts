// The oci_image in-place update as the plan decides it and apply carries it out: only how the
// registry is reached changed (TLS verification, credentials, the reference's spelling), so nothing
// is pulled and apply only records. Its one `access` step holds every value the plan printed and,
// for a value it could not print (unknown until apply, or sensitive), the attribute path apply
// reads it from the configuration evaluated then, as the pull step does (pull-operation.ts).
// The password is not in it at all: the state never keeps one, so recording needs none.
import { isUnknown } from "../../src/config/value.js";
import type { Attrs, AttrPath, PlannedOperation } from "../../src/provider/types.js";
import { accessFields, isFrom, readers, secretIn, textOk, type From } from "./pull-operation.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});

export type AccessAuth =
  | { mode: "none" }
  | { mode: "authfile"; authfile: string | From }
  /** The user name the state records; by path when it is sensitive or unknown. */
  | { mode: "password"; username: string | From }
  /** The whole auth block unknown at plan time. */
  | { mode: "unknown"; auth: From };

export interface AccessOperation {
  op: "access";
  reference: string | From;
  tls_verify: boolean | From;
  auth: AccessAuth;
}

/** The access step of an update. `sensitive`: configured paths whose values a plan never prints. */
export function accessOperation(config: Attrs, sensitive: readonly AttrPath[]): AccessOperation {
  const secret = secretIn(sensitive);
  const text = (v: unknown, path: AttrPath): string | From => (typeof v === "string" && !secret(path) ? v : { from: path });
  const tls = config["tls_verify"];
  const raw = config["auth"];
  const auth = obj(raw);
  const set = (k: string) => auth[k] !== undefined && auth[k] !== null;
  return {
    op: "access",
    reference: text(config["reference"], ["reference"]),
    tls_verify: isUnknown(tls) || secret(["tls_verify"]) ? { from: ["tls_verify"] } : tls !== false,
    auth: isUnknown(raw)
      ? { mode: "unknown", auth: { from: ["auth"] } }
      : set("authfile")
        ? { mode: "authfile", authfile: text(auth["authfile"], ["auth", "authfile"]) }
        : set("username")
          ? { mode: "password", username: text(auth["username"], ["auth", "username"]) }
          : { mode: "none" },
  };
}

function authOk(a: unknown): boolean {
  const o = obj(a);
  const keys = Object.keys(o).sort().join(",");
  switch (o["mode"]) {
    case "none":
      return keys === "mode";
    case "authfile":
      return keys === "authfile,mode" && textOk(o["authfile"]);
    case "password":
      return keys === "mode,username" && textOk(o["username"]);
    case "unknown":
      return keys === "auth,mode" && isFrom(o["auth"]);
    default:
      return false;
  }
}

/**
 * The plan's access step, or an error saying to plan again (a plan from before the update had a
 * step, whose apply recorded the configuration; a shape from another version). Checked before
 * anything is recorded.
 */
export function plannedAccess(address: string, operations: readonly PlannedOperation[] | undefined): AccessOperation {
  const again = 'Nothing was done; run "pmxform plan" again.';
  if (!operations?.length) throw new Error(`${address}: the plan carries no access step for this image's update (it was made by an earlier pmxform version). ${again}`);
  const o = operations[0]!;
  const ok =
    operations.length === 1 &&
    o.op === "access" &&
    Object.keys(o).sort().join(",") === "auth,op,reference,tls_verify" &&
    textOk(o["reference"]) &&
    (typeof o["tls_verify"] === "boolean" || isFrom(o["tls_verify"])) &&
    authOk(o["auth"]);
  if (!ok) throw new Error(`${address}: the plan holds an update step this pmxform cannot carry out (${JSON.stringify(operations).slice(0, 200)}). ${again}`);
  return o as unknown as AccessOperation;
}

/**
 * The configuration the update records, as the step says: printed values as planned, the rest
 * read from the configuration evaluated at apply (still unknown: an error).
 */
export function accessConfig(address: string, op: AccessOperation, config: Attrs): Attrs {
  const { text } = readers(address, config);
  return { reference: text(op.reference, "reference"), ...accessFields(address, op, config) };
}
