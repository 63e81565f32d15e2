// The Proxmox provider's snapshot with what OCI images need on top of the lxc one: the template
// listing of every vztmpl storage (one pvesh call per node+storage, however many images), and the
// registry digest of every recorded tag-referenced image (one skopeo inspect each, pinned skipped),
// and of every configured one the state does not hold yet (the digest its plan shows and pulls).
import type { RefreshContext } from "../../src/provider/types.js";
import { asSnapshot, takeSnapshot, type LxcSnapshot } from "../lxc/snapshot.js";
import { namedTemplateStorages, templatesWanted } from "../lxc/snapshot-needs.js";
import type { ClusterResources, ClusterStorage } from "../lxc/snapshot-parse.js";
import { inspectDigestArgv, parseDigest, explainSkopeoError, type RegistryAccess } from "./skopeo.js";
import { secretsOf, withAuthfile, type Credentials } from "./authfile.js";
import { isUnknown } from "../../src/config/value.js";
import { parseReference, formatReference } from "./reference.js";
import { takeZfsSnapshot, type ZfsSnapshot } from "../zfs/snapshot.js";
import { readShares, type SharesSnapshot } from "../shares/snapshot.js";

export type RegistryLookup = { digest: string } | { error: string } | { skipped: string };

export interface ProxmoxSnapshot extends LxcSnapshot {
  /** "node/storage" -> volid -> size in bytes; a storage missing here could not be listed. */
  templates: Map<string, Map<string, number>>;
  /** oci_image address -> what the registry says its recorded tag points to now. */
  registry: Map<string, RegistryLookup>;
  /**
   * oci_image address -> what the registry says the configured reference (a tag the state does not
   * record for that address: a new image or a changed reference) points to now.
   */
  resolved: Map<string, RegistryLookup & { reference: string }>;
  /** volid of a recorded oci_image -> the image's Volumes (for the missing-mount warning). */
  imageVolumes: Map<string, string[]>;
  /** node -> its ZFS datasets (providers/zfs/snapshot.ts); only nodes with a zfs_dataset are read. */
  zfs?: ZfsSnapshot;
  /** node -> its Samba and NFS share files (providers/shares/snapshot.ts); absent when no share type is involved. */
  shares?: SharesSnapshot;
}

export function asProxmoxSnapshot(s: unknown): ProxmoxSnapshot {
  const base = asSnapshot(s) as Partial<ProxmoxSnapshot> & LxcSnapshot;
  return {
    ...base,
    templates: base.templates ?? new Map<string, Map<string, number>>(),
    registry: base.registry ?? new Map<string, RegistryLookup>(),
    resolved: base.resolved ?? new Map<string, RegistryLookup & { reference: string }>(),
    imageVolumes: base.imageVolumes ?? new Map<string, string[]>(),
  };
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

/** One storage's template listing; undefined when it cannot be read (a read keeps the prior's images). */
type Listing = Promise<Map<string, number> | undefined>;

function listStorage(run: ReturnType<RefreshContext["runnerFor"]>, node: string, storage: string, signal: AbortSignal | undefined): Listing {
  return run.run(contentArgv(node, storage), { signal }).then(
    (r) => parseStorageContent(r.stdout),
    () => undefined,
  );
}

/**
 * The listing of every template storage of the resource list; `early` holds the listings started
 * before that list was in (namedTemplateStorages), used when the list confirms the guess.
 */
async function listTemplates(storages: ClusterStorage[], node: string, ctx: RefreshContext, early: ReadonlyMap<string, Listing>): Promise<Map<string, Map<string, number>>> {
  const run = ctx.runnerFor(node);
  const out = new Map<string, Map<string, number>>();
  const wanted = storages.filter((s) => (s.content ?? []).includes("vztmpl") && (s.status === undefined || s.status === "available"));
  await Promise.all(
    wanted.map(async (s) => {
      const key = `${s.node}/${s.storage}`;
      const listing = await (early.get(key) ?? listStorage(run, s.node, s.storage, ctx.signal));
      if (listing) out.set(key, listing);
    }),
  );
  return out;
}

interface Lookup {
  address: string;
  node: string;
  /** The full reference (registry/repository:tag). */
  reference: string;
  access: RegistryAccess;
  credentials?: Credentials;
}

/** One `skopeo inspect` for the digest a tag points to now (with a temporary authfile for credentials). */
async function lookupDigest(l: Lookup, ctx: RefreshContext): Promise<RegistryLookup> {
  const run = ctx.runnerFor(l.node);
  const redact = secretsOf(l.credentials);
  const inspect = async (access: RegistryAccess): Promise<RegistryLookup> => {
    const res = await run.run(inspectDigestArgv(l.reference, access), { signal: ctx.signal, timeoutMs: 60_000, redact });
    const d = parseDigest(res.stdout);
    return d ? { digest: d } : { error: `${l.address}: ${l.reference}: skopeo printed no digest` };
  };
  try {
    if (!l.credentials) return await inspect(l.access);
    const ref = parseReference(l.reference);
    const registry = typeof ref === "object" ? ref.registry : l.reference.split("/")[0]!;
    return await withAuthfile(run, registry, l.credentials, ctx.signal, (authfile) => inspect({ ...l.access, authfile }));
  } catch (e) {
    let text = String((e as { stderr?: unknown }).stderr ?? (e as Error).message);
    for (const s of redact) text = text.split(s).join("***");
    return { error: explainSkopeoError(text, l.address, l.reference) };
  }
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
      const access = { tlsVerify: a["tls_verify"] !== false, ...(typeof a["auth_authfile"] === "string" ? { authfile: a["auth_authfile"] } : {}) };
      out.set(r.address, await lookupDigest({ address: r.address, node: String(a["node"]), reference: formatReference(ref), access }, ctx));
    }),
  );
  return out;
}

/**
 * Asks the registry for the digest of each configured tag the state does not record for that
 * address (a new image, a changed reference): the plan shows it and apply pulls exactly it.
 */
async function resolveConfigured(snap: LxcSnapshot, ctx: RefreshContext): Promise<Map<string, RegistryLookup & { reference: string }>> {
  const out = new Map<string, RegistryLookup & { reference: string }>();
  if (!ctx.configuredInstances || (ctx.configuredTypes && !ctx.configuredTypes.has("oci_image"))) return out;
  const recorded = new Map((ctx.priorResources ?? []).filter((r) => r.type === "oci_image").map((r) => [r.address, r.attributes["full_reference"]]));
  await Promise.all(
    ctx.configuredInstances("oci_image").map(async ({ address, config }) => {
      const node = config["node"];
      const ref = typeof config["reference"] === "string" ? parseReference(config["reference"]) : undefined;
      if (typeof node !== "string" || !snap.nodes.includes(node) || typeof ref !== "object" || ref.digest) return;
      const reference = formatReference(ref);
      if (recorded.get(address) === reference) return; // the recorded lookup covers it
      const auth = (config["auth"] ?? {}) as Record<string, unknown>;
      const access: RegistryAccess = { tlsVerify: config["tls_verify"] !== false, ...(typeof auth["authfile"] === "string" ? { authfile: auth["authfile"] } : {}) };
      if (isUnknown(config["tls_verify"]) || isUnknown(auth["authfile"]) || isUnknown(auth["username"]) || isUnknown(auth["password"])) return;
      const credentials = typeof auth["username"] === "string" && typeof auth["password"] === "string" ? { username: auth["username"], password: auth["password"] } : undefined;
      out.set(address, { reference, ...(await lookupDigest({ address, node, reference, access, ...(credentials ? { credentials } : {}) }, ctx)) });
    }),
  );
  return out;
}

export async function takeProxmoxSnapshot(node: string, ctx: RefreshContext): Promise<{ snapshot: ProxmoxSnapshot; nodes: string[] }> {
  // The template listings need only the storages of the resource list: they run alongside the
  // per-node status reads instead of in a third round.
  // The storages the configuration names are listed at once, with the cluster-wide reads: in the
  // usual case the listings then cost no round of their own.
  const wanted = templatesWanted(ctx);
  const early = new Map<string, Listing>();
  if (wanted) {
    const run = ctx.runnerFor(node);
    for (const key of namedTemplateStorages(ctx, new Set([node, ...(ctx.expectedNodes ?? [])]))) {
      const [n, storage] = key.split("/") as [string, string];
      early.set(key, listStorage(run, n, storage, ctx.signal));
    }
  }
  const alongside = wanted ? (resources: ClusterResources) => listTemplates(resources.storages, node, ctx, early) : undefined;
  const { snapshot: lxc, nodes, extra } = await takeSnapshot(node, ctx, alongside);
  const templates = extra ?? new Map<string, Map<string, number>>();
  const [registry, resolved, zfs, shares] = await Promise.all([lookupDigests(lxc, ctx), resolveConfigured(lxc, ctx), takeZfsSnapshot(nodes, ctx), readShares(nodes, ctx)]);
  const imageVolumes = new Map<string, string[]>();
  for (const r of ctx.priorResources ?? []) {
    const v = r.attributes["volumes"];
    if (r.type === "oci_image" && typeof r.attributes["volid"] === "string" && Array.isArray(v)) imageVolumes.set(r.attributes["volid"], v.map(String));
  }
  return { snapshot: { ...lxc, templates, registry, resolved, imageVolumes, zfs, ...(shares ? { shares } : {}) }, nodes };
}
