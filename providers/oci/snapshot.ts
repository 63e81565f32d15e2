// The Proxmox provider's snapshot with what OCI images need on top of the lxc one: the template
// listing of every vztmpl storage (one pvesh call per node+storage, however many images), and the
// registry digest of every recorded tag-referenced image (one skopeo inspect each, pinned skipped).
import type { RefreshContext } from "../../src/provider/types.js";
import { asSnapshot, takeSnapshot, type LxcSnapshot } from "../lxc/snapshot.js";
import type { ClusterResources, ClusterStorage } from "../lxc/snapshot-parse.js";
import { inspectDigestArgv, parseDigest, explainSkopeoError } from "./skopeo.js";
import { parseReference, formatReference } from "./reference.js";

export type RegistryLookup = { digest: string } | { error: string } | { skipped: string };

export interface ProxmoxSnapshot extends LxcSnapshot {
  /** "node/storage" -> volid -> size in bytes; a storage missing here could not be listed. */
  templates: Map<string, Map<string, number>>;
  /** oci_image address -> what the registry says its tag points to now. */
  registry: Map<string, RegistryLookup>;
  /** volid of a recorded oci_image -> the image's Volumes (for the missing-mount warning). */
  imageVolumes: Map<string, string[]>;
}

export function asProxmoxSnapshot(s: unknown): ProxmoxSnapshot {
  const base = asSnapshot(s) as Partial<ProxmoxSnapshot> & LxcSnapshot;
  return { ...base, templates: base.templates ?? new Map(), registry: base.registry ?? new Map(), imageVolumes: base.imageVolumes ?? new Map() };
}

/** `pvesh get /nodes/N/storage/S/content --content vztmpl --output-format json` -> volid -> size. */
export function parseStorageContent(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  const list = JSON.parse(stdout || "[]") as unknown;
  if (!Array.isArray(list)) return out;
  for (const e of list as Record<string, unknown>[]) {
    if (typeof e["volid"] === "string") out.set(e["volid"], typeof e["size"] === "number" ? e["size"] : 0);
  }
  return out;
}

export const contentArgv = (node: string, storage: string) => ["pvesh", "get", `/nodes/${node}/storage/${storage}/content`, "--content", "vztmpl", "--output-format", "json"];

async function listTemplates(storages: ClusterStorage[], node: string, ctx: RefreshContext): Promise<Map<string, Map<string, number>>> {
  const run = ctx.runnerFor(node);
  const out = new Map<string, Map<string, number>>();
  const wanted = storages.filter((s) => (s.content ?? []).includes("vztmpl") && (s.status === undefined || s.status === "available"));
  await Promise.all(
    wanted.map(async (s) => {
      try {
        const r = await run.run(contentArgv(s.node, s.storage), { signal: ctx.signal });
        out.set(`${s.node}/${s.storage}`, parseStorageContent(r.stdout));
      } catch {
        // An unreadable storage leaves its images as recorded (read keeps the prior).
      }
    }),
  );
  return out;
}

/** Asks the registry for the current digest of each recorded image that follows a tag. */
async function lookupDigests(snap: LxcSnapshot, ctx: RefreshContext): Promise<Map<string, RegistryLookup>> {
  const out = new Map<string, RegistryLookup>();
  const images = (ctx.priorResources ?? []).filter((r) => r.type === "oci_image" && snap.nodes.includes(String(r.attributes["node"])));
  await Promise.all(
    images.map(async (r) => {
      const a = r.attributes;
      const ref = parseReference(String(a["reference"] ?? ""));
      if (typeof ref === "string") return;
      if (ref.digest) return; // pinned: never looked up, never re-pulled
      if (a["auth_mode"] === "password") {
        out.set(r.address, { skipped: "the registry credentials are not kept in the state, so a moved tag cannot be detected; pin a digest or use auth.authfile" });
        return;
      }
      const full = formatReference(ref);
      const access = { tlsVerify: a["tls_verify"] !== false, ...(typeof a["auth_authfile"] === "string" ? { authfile: a["auth_authfile"] } : {}) };
      try {
        const res = await ctx.runnerFor(String(a["node"])).run(inspectDigestArgv(full, access), { signal: ctx.signal, timeoutMs: 60_000 });
        const d = parseDigest(res.stdout);
        out.set(r.address, d ? { digest: d } : { error: `${r.address}: ${full}: skopeo printed no digest` });
      } catch (e) {
        out.set(r.address, { error: explainSkopeoError(String((e as { stderr?: unknown }).stderr ?? (e as Error).message), r.address, full) });
      }
    }),
  );
  return out;
}

/** Only oci_image reads the template listings: without one in the configuration or the state, they are not taken. */
function templatesWanted(ctx: RefreshContext): boolean {
  return !ctx.configuredTypes || ctx.configuredTypes.has("oci_image") || (ctx.priorResources ?? []).some((r) => r.type === "oci_image");
}

export async function takeProxmoxSnapshot(node: string, ctx: RefreshContext): Promise<{ snapshot: ProxmoxSnapshot; nodes: string[] }> {
  // The template listings need only the storages of the resource list: they run alongside the
  // per-node status reads instead of in a third round.
  const alongside = templatesWanted(ctx) ? (resources: ClusterResources) => listTemplates(resources.storages, node, ctx) : undefined;
  const { snapshot: lxc, nodes, extra } = await takeSnapshot(node, ctx, alongside);
  const templates = extra ?? new Map<string, Map<string, number>>();
  const registry = await lookupDigests(lxc, ctx);
  const imageVolumes = new Map<string, string[]>();
  for (const r of ctx.priorResources ?? []) {
    const v = r.attributes["volumes"];
    if (r.type === "oci_image" && typeof r.attributes["volid"] === "string" && Array.isArray(v)) imageVolumes.set(r.attributes["volid"], v.map(String));
  }
  return { snapshot: { ...lxc, templates, registry, imageVolumes }, nodes };
}
