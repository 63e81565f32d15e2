// oci_container attributes: lxc_container's, plus what the OCI runtime keys hold (entrypoint,
// env, lxc.init.cwd, lxc.init.uid/gid), and the mapping from oci config to an lxc config.
import type { ParsedConf } from "../../src/pve/conf.js";
import { isUnknown, putKey } from "../../src/config/value.js";
import type { Attrs } from "../../src/provider/types.js";
import { attrsFromConf } from "../lxc/attrs.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});

export const OCI_ONLY = ["image", "entrypoint", "env", "working_dir", "user"] as const;

/** String::ShellQuote's quoting, as pct stores an entrypoint: safe words stay bare. */
export function shellQuote(words: string[]): string {
  return words.map((w) => (w === "" ? "''" : /[^\w!%+,\-./:=@^]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(" ");
}

/** "UID" or "UID:GID" (numeric: Proxmox resolves names only from the image at create). */
export function parseUser(u: string): { uid: string; gid?: string } | undefined {
  const m = /^(\d+)(?::(\d+))?$/.exec(u);
  if (!m) return undefined;
  return m[2] !== undefined ? { uid: m[1]!, gid: m[2] } : { uid: m[1]! };
}

/** The lxc_container view of an oci_container config: the image is the template. */
export function lxcConfigOf(config: Attrs, prior: Attrs | null): Attrs {
  const c: Attrs = {};
  for (const [k, v] of Object.entries(config)) if (!(OCI_ONLY as readonly string[]).includes(k)) c[k] = v;
  c["template"] = config["image"];
  // pct create turns on host-managed networking for every interface of an app container; keep it.
  const net = obj(config["network"]);
  const priorNet = obj(prior?.["network"]);
  if (Object.keys(net).length) {
    const out: Obj = {};
    for (const [name, n] of Object.entries(net)) {
      const hm = Object.hasOwn(priorNet, name) ? obj(priorNet[name])["host_managed"] : undefined;
      putKey(out, name, typeof hm === "boolean" && obj(n)["host_managed"] === undefined ? { ...obj(n), host_managed: hm } : n);
    }
    c["network"] = out;
  }
  return c;
}

/** Env entries NAME=value -> map (own keys: a variable may be called __proto__ or constructor). */
export function envMap(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const eq = e.indexOf("=");
    if (eq > 0) putKey(out, e.slice(0, eq), e.slice(eq + 1));
  }
  return out;
}

/** What one conf edit of the OCI keys writes, every value resolved (the plan's oci_keys step). */
export interface OciKeys {
  /** Variables set (over the image's and the previous ones). */
  env: Record<string, string>;
  /** Variables the configuration managed before: removed unless `env` sets them again. */
  remove: readonly string[];
  /** lxc.init.cwd; absent: the image's stays. */
  working_dir?: string;
  /** "UID" or "UID:GID" for lxc.init.uid/gid; absent: the image's stays. */
  user?: string;
}

/**
 * Rewrites env and lxc.init.cwd/uid/gid in a parsed conf (the locked conf editor applies it;
 * pct cannot pass several NUL-separated env entries on a command line).
 */
export function writeOciKeys(conf: ParsedConf, keys: OciKeys): void {
  // An env waiting in [pve:pending] (pct set --env on the running CT) replaces the current one
  // verbatim at the next start (pve-container Config.pm vmconfig_apply_pending), and refresh
  // reads it: edit that one, write it as the current env, and drop the pending copy.
  const pending = conf.pending?.env.length ? conf.pending : undefined;
  const env = envMap(pending ? pending.env : conf.main.env);
  for (const k of keys.remove) delete env[k];
  for (const [k, v] of Object.entries(keys.env)) putKey(env, k, v);
  conf.main.env = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  if (pending) pending.env = [];
  conf.main.lxc = withInitKeys(conf.main.lxc, keys);
}

/**
 * The conf's lxc lines with the planned working_dir and user in place of the image's; what the
 * configuration leaves unset stays as pct create derived it from the image. A user that changes
 * drops lxc.init.groups too: those supplementary groups were the image user's.
 */
function withInitKeys(lxc: [string, string][], keys: OciKeys): [string, string][] {
  const current = initKeysOf(lxc);
  let out = lxc;
  const cwd = keys.working_dir;
  if (cwd !== undefined && cwd !== current.working_dir) out = [...out.filter(([k]) => k !== "lxc.init.cwd"), ["lxc.init.cwd", cwd]];
  const user = keys.user !== undefined && keys.user !== current.user ? parseUser(keys.user) : undefined;
  if (user) {
    out = out.filter(([k]) => !["lxc.init.uid", "lxc.init.gid", "lxc.init.groups"].includes(k));
    out.push(["lxc.init.uid", user.uid]);
    if (user.gid !== undefined) out.push(["lxc.init.gid", user.gid]);
  }
  return out;
}

export function ociAttrsFromConf(vmid: number, node: string, conf: ParsedConf, running: boolean, prior: Attrs | null, digest?: string): Attrs {
  const a = attrsFromConf(vmid, node, conf, running, prior, digest);
  // The image's halt signal is not a raw_lxc line of the configuration (raw-lxc.ts, OCI_OWNED).
  if (Array.isArray(a["raw_lxc"])) {
    const raw = (a["raw_lxc"] as string[]).filter((l) => !l.startsWith("lxc.signal.halt:"));
    if (raw.length || Array.isArray(prior?.["raw_lxc"])) a["raw_lxc"] = raw;
    else delete a["raw_lxc"];
  }
  const unknown = { ...obj(a["unknown_keys"]) } as Record<string, string>;
  const entrypoint = Object.hasOwn(unknown, "entrypoint") ? unknown["entrypoint"] : undefined;
  if (entrypoint !== undefined) a["entrypoint"] = entrypoint;
  delete unknown["entrypoint"];
  const env = envMap(Object.hasOwn(unknown, "env") && typeof unknown["env"] === "string" ? unknown["env"].split("\0") : []);
  delete unknown["env"];
  if (Object.keys(unknown).length) a["unknown_keys"] = unknown;
  else delete a["unknown_keys"];
  // Only the variables the configuration manages are compared; the image's own stay as they are.
  // An empty map managed (env = {}) is still a managed map: read back as {}, not as absent.
  const priorEnv = prior?.["env"];
  if (priorEnv && typeof priorEnv === "object" && !Array.isArray(priorEnv) && !isUnknown(priorEnv)) {
    const mine: Record<string, string> = {};
    for (const k of Object.keys(priorEnv)) if (Object.hasOwn(env, k)) putKey(mine, k, env[k]!);
    a["env"] = mine;
  }
  Object.assign(a, initKeysOf(conf.main.lxc));
  if (prior?.["image"] !== undefined) a["image"] = prior["image"];
  return a;
}

/** working_dir and user as the conf's lxc.init.cwd / lxc.init.uid[:gid] lines hold them. */
export function initKeysOf(lxc: [string, string][]): { working_dir?: string; user?: string } {
  const out: { working_dir?: string; user?: string } = {};
  const cwd = lxc.find(([k]) => k === "lxc.init.cwd")?.[1];
  if (cwd !== undefined) out.working_dir = cwd;
  const uid = lxc.find(([k]) => k === "lxc.init.uid")?.[1];
  const gid = lxc.find(([k]) => k === "lxc.init.gid")?.[1];
  if (uid !== undefined) out.user = gid !== undefined ? `${uid}:${gid}` : uid;
  return out;
}

/** The OCI parts of the planned attributes: what the user set; the rest stays as read. */
export function plannedOci(config: Attrs, prior: Attrs | null, planned: Attrs): Attrs {
  const p = { ...planned };
  p["image"] = config["image"];
  delete p["template"];
  for (const k of ["entrypoint", "working_dir", "user"] as const) {
    const v = config[k];
    if (v === undefined || v === null) {
      if (prior?.[k] !== undefined) p[k] = prior[k];
      continue;
    }
    p[k] = k === "entrypoint" && Array.isArray(v) && !v.some(isUnknown) ? shellQuote(v.map(String)) : v;
  }
  if (config["env"] !== undefined && config["env"] !== null) p["env"] = config["env"];
  else if (prior?.["env"] !== undefined) p["env"] = {};
  return p;
}

/** Which OCI parts differ between prior and planned (applied after pct set, before start). */
export function ociChanges(prior: Attrs | null, planned: Attrs): { entrypoint?: string; confEdit: boolean } {
  // No env and an empty env are the same conf: nothing to write.
  const norm = (k: string, v: unknown) => (k === "env" && v && typeof v === "object" && !Object.keys(v).length ? null : (v ?? null));
  const same = (k: string) => JSON.stringify(norm(k, prior?.[k])) === JSON.stringify(norm(k, planned[k]));
  const out: { entrypoint?: string; confEdit: boolean } = { confEdit: !same("env") || !same("working_dir") || !same("user") };
  if (!same("entrypoint") && typeof planned["entrypoint"] === "string") out.entrypoint = planned["entrypoint"];
  return out;
}
