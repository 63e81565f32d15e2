// The oci_image pull as the plan decides it and apply carries it out: one `pull` step holding every
// value the plan printed (reference, digest, node, storage, platform, file name, volume id, TLS
// verification, authfile path) and, for a value the plan could not print (unknown until apply, or
// a registry credential), the attribute path apply reads it from the configuration evaluated then.
// Apply's side checks the step's shape before anything runs (a plan from another version).
import { isUnknown } from "../../src/config/value.js";
import type { Attrs, AttrPath, PlannedOperation } from "../../src/provider/types.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});

/** A value the plan printed, or the path apply reads it from. */
export type From = { from: AttrPath };

export type PullAuth =
  | { mode: "none" }
  | { mode: "authfile"; authfile: string | From }
  /** Credentials are never printed in a plan: both are read from the configuration at apply. */
  | { mode: "password"; username: From; password: From }
  /** The whole auth block unknown at plan time. */
  | { mode: "unknown"; auth: From };

export interface PullOperation {
  op: "pull";
  reference: string | From;
  /** The manifest digest pulled; null: the plan could not resolve the tag, apply asks the registry. */
  digest: string | null;
  node: string | From;
  storage: string | From;
  platform: string | From;
  /** The user's file name; null: named after reference, platform and digest. */
  file_name: string | null | From;
  /** The template volume id; null: known once the digest (or storage) is. */
  volid: string | null;
  tls_verify: boolean | From;
  auth: PullAuth;
}

/**
 * The pull step of a create (or a replacement's create). `defaultPlatform`: what an unset
 * platform means. `sensitive`: configured paths whose values a plan never prints.
 */
export function pullOperation(config: Attrs, planned: Attrs, defaultPlatform: string, sensitive: readonly AttrPath[]): PullOperation {
  const secret = secretIn(sensitive);
  const text = (k: string, fallback?: string): string | From => {
    const v = config[k] ?? fallback;
    return typeof v === "string" && !secret([k]) ? v : { from: [k] };
  };
  const fileName = config["file_name"];
  const tls = config["tls_verify"];
  return {
    op: "pull",
    reference: text("reference"),
    digest: typeof planned["digest"] === "string" ? planned["digest"] : null,
    node: text("node"),
    storage: text("storage"),
    platform: text("platform", defaultPlatform),
    file_name: fileName === undefined || fileName === null ? null : text("file_name"),
    volid: typeof planned["volid"] === "string" ? planned["volid"] : null,
    tls_verify: isUnknown(tls) ? { from: ["tls_verify"] } : tls !== false,
    auth: authOf(config, secret),
  };
}

function authOf(config: Attrs, secret: (path: AttrPath) => boolean): PullAuth {
  const raw = config["auth"];
  if (isUnknown(raw)) return { mode: "unknown", auth: { from: ["auth"] } };
  const auth = obj(raw);
  const set = (k: string) => auth[k] !== undefined && auth[k] !== null;
  if (set("authfile")) {
    const f = auth["authfile"];
    return { mode: "authfile", authfile: typeof f === "string" && !secret(["auth", "authfile"]) ? f : { from: ["auth", "authfile"] } };
  }
  if (set("username") || set("password")) return { mode: "password", username: { from: ["auth", "username"] }, password: { from: ["auth", "password"] } };
  return { mode: "none" };
}

/** Whether `path` is (inside) one of the `sensitive` configured paths, or holds one. */
export function secretIn(sensitive: readonly AttrPath[]): (path: AttrPath) => boolean {
  return (path) => sensitive.some((s) => s.slice(0, Math.min(s.length, path.length)).every((seg, i) => String(seg) === String(path[i])));
}

const isPath = (v: unknown): v is AttrPath => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string" || typeof s === "number");
export const isFrom = (v: unknown): v is From => !!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && isPath((v as Obj)["from"]);
export const textOk = (v: unknown) => typeof v === "string" || isFrom(v);

function authOk(a: unknown): boolean {
  const o = obj(a);
  switch (o["mode"]) {
    case "none":
      return true;
    case "authfile":
      return textOk(o["authfile"]);
    case "password":
      return isFrom(o["username"]) && isFrom(o["password"]);
    case "unknown":
      return isFrom(o["auth"]);
    default:
      return false;
  }
}

/**
 * The plan's pull step, or an error saying to plan again: a plan made before oci_image planned
 * its pull has no step (its apply read the configuration), one from another version may hold a
 * shape unknown here. Checked before anything runs.
 */
export function plannedPull(address: string, operations: readonly PlannedOperation[] | undefined): PullOperation {
  const again = 'Nothing was done; run "pmxform plan" again.';
  if (!operations?.length) throw new Error(`${address}: the plan carries no pull step for this image (it was made by an earlier pmxform version). ${again}`);
  const o = operations[0]!;
  const ok =
    operations.length === 1 &&
    o.op === "pull" &&
    textOk(o["reference"]) &&
    (o["digest"] === null || (typeof o["digest"] === "string" && /^sha256:[0-9a-f]{64}$/.test(o["digest"]))) &&
    textOk(o["node"]) &&
    textOk(o["storage"]) &&
    textOk(o["platform"]) &&
    (o["file_name"] === null || textOk(o["file_name"])) &&
    (o["volid"] === null || typeof o["volid"] === "string") &&
    (typeof o["tls_verify"] === "boolean" || isFrom(o["tls_verify"])) &&
    authOk(o["auth"]);
  if (!ok) throw new Error(`${address}: the plan holds a pull step this pmxform cannot carry out (${JSON.stringify(operations).slice(0, 200)}). ${again}`);
  return o as unknown as PullOperation;
}

/**
 * The image's configuration as the plan's step says it, for the pull to run from: printed values
 * as planned, the rest read from the configuration evaluated at apply (still unknown: an error).
 */
export function pullConfig(address: string, op: PullOperation, config: Attrs): Attrs {
  const { text } = readers(address, config);
  const out: Attrs = {
    reference: text(op.reference, "reference"),
    node: text(op.node, "node"),
    storage: text(op.storage, "storage"),
    platform: text(op.platform, "platform"),
  };
  if (op.file_name !== null) out["file_name"] = text(op.file_name, "file_name");
  return { ...out, ...accessFields(address, op, config) };
}

/** What a step says of a registry's access (shared by the pull and the access-only update). */
interface AccessStep {
  tls_verify: boolean | From;
  auth: { mode: "none" } | { mode: "authfile"; authfile: string | From } | { mode: "password"; username: string | From; password?: From } | { mode: "unknown"; auth: From };
}

/** tls_verify and auth as the step says them, the named ones read from the configuration at apply. */
export function accessFields(address: string, op: AccessStep, config: Attrs): Attrs {
  const { read, text } = readers(address, config);
  const out: Attrs = { tls_verify: typeof op.tls_verify === "boolean" ? op.tls_verify : read(op.tls_verify, "tls_verify") !== false };
  const a = op.auth;
  if (a.mode === "authfile") out["auth"] = { authfile: text(a.authfile, "auth.authfile") };
  else if (a.mode === "password") out["auth"] = { username: text(a.username, "auth.username"), ...(a.password ? { password: text(a.password, "auth.password") } : {}) };
  else if (a.mode === "unknown") out["auth"] = knownAuth(address, read(a.auth, "auth"));
  return out;
}

/** A whole auth block read at apply: every value in it known by then. */
function knownAuth(address: string, raw: unknown): Obj {
  const auth = obj(raw);
  if (isUnknown(raw) || Object.values(auth).some(isUnknown)) throw new Error(`${address}: auth is still unknown at apply. Nothing was done; run "pmxform plan" again.`);
  return auth;
}

/** Reading a step's named values from the configuration evaluated at apply (still unknown: an error). */
export function readers(address: string, config: Attrs) {
  const read = (v: From, what: string): unknown => {
    let cur: unknown = config;
    for (const seg of v.from) cur = cur !== null && typeof cur === "object" && !isUnknown(cur) ? (cur as Obj)[String(seg)] : undefined;
    if (cur === undefined || isUnknown(cur)) throw new Error(`${address}: ${what} is still unknown at apply. Nothing was done; run "pmxform plan" again.`);
    return cur;
  };
  const text = (v: string | From, what: string): string => {
    const s = typeof v === "string" ? v : read(v, what);
    if (typeof s !== "string") throw new Error(`${address}: ${what} is not a string at apply. Nothing was done; run "pmxform plan" again.`);
    return s;
  };
  return { read, text };
}
