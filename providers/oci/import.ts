// `pmxform import` for oci_container: recognises application containers (an entrypoint other than
// /sbin/init, as pct create writes it from the image), reads them like lxc_container plus the OCI
// keys, and writes configuration that reproduces them. The image is not stored by Proxmox.
import type { ParsedConf } from "../../src/pve/conf.js";
import type { Attrs, ImportCandidate } from "../../src/provider/types.js";
import { asSnapshot, type LxcSnapshot } from "../lxc/snapshot.js";
import { explainImportMiss, parseImportId, rawConfig, unexpressedAttrs, validArguments } from "../lxc/import.js";
import { ociContainerSchema } from "./schema.js";
import { envMap, lxcConfigOf, ociAttrsFromConf, shellQuote } from "./container-attrs.js";

/** Written as `image` for imported containers: pct does not record the archive a container came from. */
export const IMAGE_UNKNOWN_AT_IMPORT = "local:vztmpl/unknown-at-import.tar";

/** An OCI application container: pct create set an entrypoint other than the system init. */
export function isOciConf(conf: ParsedConf): boolean {
  const ep = conf.main.keys.get("entrypoint");
  return ep !== undefined && ep.trim() !== "" && ep.trim() !== "/sbin/init";
}

/**
 * Splits a shell-quoted entrypoint into words (single quotes, double quotes, backslashes), or
 * undefined when it uses more shell than words (unbalanced quotes).
 */
export function shellWords(text: string): string[] | undefined {
  const words: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === " " || c === "\t") {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      cur = (cur ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let s = "";
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && j + 1 < text.length && '"\\$`'.includes(text[j + 1]!)) j++;
        s += text[j];
      }
      if (j >= text.length) return undefined;
      cur = (cur ?? "") + s;
      i = j;
    } else if (c === "\\") {
      if (i + 1 >= text.length) return undefined;
      cur = (cur ?? "") + text[++i];
    } else cur = (cur ?? "") + c;
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

/** The entrypoint as configuration words, when writing them back gives exactly what is stored. */
export function entrypointWords(stored: unknown): string[] | undefined {
  if (typeof stored !== "string") return undefined;
  const words = shellWords(stored);
  return words && words.length && shellQuote(words) === stored ? words : undefined;
}

export function importOciContainer(address: string, id: string, snap: LxcSnapshot): Attrs | null {
  const parsed = parseImportId(id);
  if (!parsed) throw new Error(`${address}: import id "${id}" is not NODE/VMID or VMID (e.g. "pve1/105")`);
  const ct = snap.containers.get(parsed.vmid);
  if (!ct || (parsed.node && parsed.node !== ct.node) || !isOciConf(ct.conf)) return null;
  const attrs = ociAttrsFromConf(parsed.vmid, ct.node, ct.conf, ct.running, null, ct.digest);
  // Every variable is adopted (the image's and the user's cannot be told apart); the
  // generated env reproduces them all, so nothing is reset.
  const env = envMap(ct.conf.main.env);
  if (Object.keys(env).length) attrs["env"] = env;
  attrs["address"] = address;
  attrs["managed_keys"] = Object.keys(lxcConfigOf(generateOciConfig(attrs), attrs)).sort();
  return attrs;
}

/** Configuration arguments that reproduce imported oci_container attributes (those the schema accepts). */
export function generateOciConfig(attrs: Attrs): Attrs {
  return validArguments(ociContainerSchema, rawOciConfig(attrs)).config;
}

function rawOciConfig(attrs: Attrs): Attrs {
  const { template: _template, ...c } = rawConfig(attrs);
  const out: Attrs = { node: c["node"], vmid: c["vmid"], image: typeof attrs["image"] === "string" ? attrs["image"] : IMAGE_UNKNOWN_AT_IMPORT };
  for (const [k, v] of Object.entries(c)) if (!(k in out)) out[k] = v;
  const words = entrypointWords(attrs["entrypoint"]);
  if (words) out["entrypoint"] = words;
  const env = attrs["env"];
  if (env && typeof env === "object" && Object.keys(env).length) out["env"] = env;
  for (const k of ["working_dir", "user"]) if (typeof attrs[k] === "string") out[k] = attrs[k];
  return out;
}

/** What was kept but is not configuration, plus an entrypoint that is not a list of words. */
export function unexpressedOciAttrs(attrs: Attrs, snapshot?: unknown): string[] {
  const out = unexpressedAttrs(attrs, snapshot, ociContainerSchema, rawOciConfig);
  if (typeof attrs["entrypoint"] === "string" && !entrypointWords(attrs["entrypoint"])) out.push(`entrypoint "${attrs["entrypoint"]}" (not a plain list of words; kept, not managed)`);
  return out;
}

/** Every OCI application container of the snapshot, ordered by vmid. */
export function importableOciContainers(snapshot: unknown): ImportCandidate[] {
  const snap = asSnapshot(snapshot);
  return [...snap.containers.entries()]
    .filter(([, ct]) => isOciConf(ct.conf))
    .sort(([a], [b]) => a - b)
    .map(([vmid, ct]) => {
      const hostname = ct.conf.main.keys.get("hostname");
      return { id: `${ct.node}/${vmid}`, node: ct.node, identity: { node: ct.node, vmid }, suffix: String(vmid), namePrefix: "ct", ...(hostname ? { name: hostname } : {}) };
    });
}

export function explainOciImportMiss(id: string, snapshot: unknown): string {
  const snap = asSnapshot(snapshot);
  const parsed = parseImportId(id);
  const ct = parsed && snap.containers.get(parsed.vmid);
  if (ct && (!parsed.node || parsed.node === ct.node) && !isOciConf(ct.conf)) {
    return `container ${parsed.vmid} is a system container (no entrypoint), not an OCI application container; import it as lxc_container`;
  }
  return explainImportMiss(id, snap);
}
