// Which optional reads a refresh takes, decided from what the configuration and the state hold,
// so a plan that cannot use them starts no process for them: each node's bridges (to check the
// bridges containers name) and the template listings (for lxc_template, oci_image, and the
// templates new containers are created from). Also the templates the configuration itself puts
// on nodes (lxc_template), which a container may name before they exist.
import type { Attrs, RefreshContext } from "../../src/provider/types.js";
import { TEMPLATE_UNKNOWN_AT_IMPORT } from "./template-placeholder.js";

/**
 * Whether a plan creates the container from `template`: a new container, or a replacement because
 * the recorded template differs. An imported container records none (or the placeholder of
 * generated configuration), and adopting it creates nothing (diff.ts replaceReasons).
 */
export function templateUsed(template: string, prior: Attrs | null): boolean {
  if (!prior) return true;
  const recorded = prior["template"];
  return typeof recorded === "string" && recorded !== TEMPLATE_UNKNOWN_AT_IMPORT && recorded !== template;
}

/** The node's bridges, as pve-manager API2/Network.pm index lists them (proxied by pvesh to `node`). */
export const bridgesArgv = (node: string): string[] => ["pvesh", "get", `/nodes/${node}/network`, "--type", "any_bridge", "--output-format", "json"];

const CONTAINER_TYPES = ["lxc_container", "oci_container"];

/** Bridges are read when a container type is configured (or nothing is known about the configuration). */
export function bridgesWanted(ctx: Pick<RefreshContext, "configuredTypes">): boolean {
  return !ctx.configuredTypes || CONTAINER_TYPES.some((t) => ctx.configuredTypes!.has(t));
}

const TEMPLATE_TYPES = ["oci_image", "lxc_template"];

/**
 * Template listings are read for a template-holding resource in the configuration or the state,
 * and for an lxc_container that a plan may create (a new address, or a template other than the
 * recorded one): only a creation uses its template.
 */
export function templatesWanted(ctx: Pick<RefreshContext, "configuredTypes" | "priorResources" | "configuredInstances">): boolean {
  if (!ctx.configuredTypes) return true;
  if (TEMPLATE_TYPES.some((t) => ctx.configuredTypes!.has(t))) return true;
  if ((ctx.priorResources ?? []).some((r) => TEMPLATE_TYPES.includes(r.type))) return true;
  if (!ctx.configuredTypes.has("lxc_container") || !ctx.configuredInstances) return false;
  const recorded = new Map((ctx.priorResources ?? []).filter((r) => r.type === "lxc_container").map((r) => [r.address, r.attributes]));
  return ctx.configuredInstances("lxc_container").some(({ address, config }) => typeof config["template"] === "string" && templateUsed(config["template"], recorded.get(address) ?? null));
}

/** The entry of plannedTemplateVolids standing for any OCI archive an oci_image pulls to a storage (its name holds the digest). */
export const anyOciArchive = (node: string, storage: string): string => `${node}/${storage}:vztmpl/*.tar`;

/**
 * "node/volid" of each template an lxc_template of the configuration names (known values only),
 * and anyOciArchive(node, storage) for each storage an oci_image of the configuration pulls to.
 */
export function plannedTemplateVolids(ctx: Pick<RefreshContext, "configuredTypes" | "configuredInstances">): Set<string> {
  const out = new Set<string>();
  if (!ctx.configuredInstances) return out;
  const has = (t: string) => !ctx.configuredTypes || ctx.configuredTypes.has(t);
  for (const { config } of has("lxc_template") ? ctx.configuredInstances("lxc_template") : []) {
    const { node, storage, template } = config;
    if (typeof node === "string" && typeof storage === "string" && typeof template === "string") out.add(`${node}/${storage}:vztmpl/${template}`);
  }
  for (const { config } of has("oci_image") ? ctx.configuredInstances("oci_image") : []) {
    const { node, storage } = config;
    if (typeof node === "string" && typeof storage === "string") out.add(anyOciArchive(node, storage));
  }
  return out;
}

/** The nodes with an lxc_template the state does not hold yet: their `pveam available` is read to check the name. */
export function catalogueNodes(ctx: Pick<RefreshContext, "configuredTypes" | "configuredInstances" | "priorResources">): string[] {
  if (!ctx.configuredInstances || (ctx.configuredTypes && !ctx.configuredTypes.has("lxc_template"))) return [];
  const recorded = new Map((ctx.priorResources ?? []).filter((r) => r.type === "lxc_template").map((r) => [r.address, r.attributes]));
  const out = new Set<string>();
  for (const { address, config } of ctx.configuredInstances("lxc_template")) {
    const prior = recorded.get(address);
    if (typeof config["node"] === "string" && (!prior || prior["template"] !== config["template"])) out.add(config["node"]);
  }
  return [...out].sort();
}

/** pve-manager PVE/CLI/pveam.pm available: "%-15s %-60s %s" (section, template, architecture) per line. */
export function parseAvailable(stdout: string): Set<string> {
  const out = new Set<string>();
  for (const line of stdout.split("\n")) {
    const name = line.trim().split(/\s+/)[1];
    if (name) out.add(name);
  }
  return out;
}

/**
 * "node/storage" of the template storages the configuration names on `nodes`: the storage part of
 * the templates new containers are created from, and the storages lxc_template and oci_image put
 * templates on. Their listings can start before the cluster's resource list says which storages
 * hold templates (providers/oci/snapshot.ts); a guess that is not such a storage is discarded.
 */
export function namedTemplateStorages(ctx: Pick<RefreshContext, "configuredTypes" | "priorResources" | "configuredInstances">, nodes: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  if (!ctx.configuredInstances) return out;
  const has = (t: string) => !ctx.configuredTypes || ctx.configuredTypes.has(t);
  const add = (node: unknown, storage: unknown) => {
    if (typeof node === "string" && typeof storage === "string" && nodes.has(node)) out.add(`${node}/${storage}`);
  };
  const recorded = new Map((ctx.priorResources ?? []).filter((r) => r.type === "lxc_container").map((r) => [r.address, r.attributes]));
  for (const { address, config } of has("lxc_container") ? ctx.configuredInstances("lxc_container") : []) {
    const t = config["template"];
    if (typeof t === "string" && templateUsed(t, recorded.get(address) ?? null)) add(config["node"], /^([^:]+):/.exec(t)?.[1]);
  }
  for (const type of TEMPLATE_TYPES) for (const { config } of has(type) ? ctx.configuredInstances(type) : []) add(config["node"], config["storage"]);
  return out;
}
