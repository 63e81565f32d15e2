// The oci_image resource type: an image pulled by the real skopeo into a node's template storage
// as a single-arch OCI archive; tracks the registry digest so a moved tag plans a new pull.
import { Unknown, isUnknown } from "../../src/config/value.js";
import type { Runner } from "../../src/exec/runner.js";
import type { ApplyContext, Attrs, AttrPath, ChangeReason, Diff, DiffRequest, PlannedOperation, ProviderIssue, ResourceType } from "../../src/provider/types.js";
import { plannedPull, pullConfig, pullOperation, secretIn } from "./pull-operation.js";
import { accessConfig, accessOperation, plannedAccess } from "./access-operation.js";
import { ociImageBlocks, ociImageSchema } from "./schema.js";
import { isPullTemporary, pullTemporaryPath, removeTemporaryArgv } from "./pull-temp.js";
import { formatReference, parseReference, pullReference, templateFileName, userFileName, type ImageRef } from "./reference.js";
import { copyArgv, explainSkopeoError, inspectArchiveConfigArgv, inspectDigestArgv, parseDigest, parseImageConfig, type RegistryAccess } from "./skopeo.js";
import { secretsOf, withAuthfile, type Credentials } from "./authfile.js";
import { asProxmoxSnapshot } from "./snapshot.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});
const known = (v: unknown) => v !== undefined && v !== null && !isUnknown(v);

export const DEFAULT_PLATFORM = "amd64";

function validate(config: Attrs): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  if (typeof config["reference"] === "string") {
    const r = parseReference(config["reference"]);
    if (typeof r === "string") issues.push({ severity: "error", path: ["reference"], summary: "Invalid image reference", detail: `${r}.` });
  }
  const auth = obj(config["auth"]);
  const has = (k: string) => auth[k] !== undefined && auth[k] !== null;
  if (has("username") !== has("password")) {
    issues.push({ severity: "error", path: ["auth"], summary: "Incomplete registry credentials", detail: "auth needs both username and password (or only authfile). Add the missing one." });
  }
  if (has("authfile") && (has("username") || has("password"))) {
    issues.push({
      severity: "error",
      path: ["auth"],
      summary: "Conflicting registry credentials",
      detail: "Give either auth.authfile or auth.username + auth.password, not both. Remove one of them.",
    });
  }
  return issues;
}

/** Attributes that describe how to reach the registry (changing them needs no new pull). */
function accessAttrs(config: Attrs): Attrs {
  const auth = obj(config["auth"]);
  // Unknown until apply: shown so (the pull or access step reads them then).
  const a: Attrs = { tls_verify: isUnknown(config["tls_verify"]) ? new Unknown("bool") : config["tls_verify"] !== false };
  if (isUnknown(config["auth"])) a["auth_mode"] = new Unknown("string");
  else if (auth["authfile"] !== undefined) {
    a["auth_mode"] = "authfile";
    a["auth_authfile"] = auth["authfile"];
  } else if (auth["username"] !== undefined) {
    a["auth_mode"] = "password";
    a["auth_username"] = auth["username"];
  } else a["auth_mode"] = "none";
  return a;
}

function volidFor(config: Attrs, ref: ImageRef | undefined, digest: unknown): unknown {
  if (!known(config["storage"])) return new Unknown("string");
  if (typeof config["file_name"] === "string") return `${String(config["storage"])}:vztmpl/${userFileName(config["file_name"])}`;
  if (!ref || typeof digest !== "string" || isUnknown(config["platform"])) return new Unknown("string");
  return `${String(config["storage"])}:vztmpl/${templateFileName(ref, String(config["platform"] ?? DEFAULT_PLATFORM), digest)}`;
}

function plannedImage(config: Attrs, address: string, digest: unknown): Attrs {
  const ref = typeof config["reference"] === "string" ? parseReference(config["reference"]) : undefined;
  const r = typeof ref === "object" ? ref : undefined;
  const p: Attrs = {
    node: config["node"],
    storage: config["storage"],
    reference: config["reference"],
    full_reference: r ? formatReference(r) : new Unknown("string"),
    platform: config["platform"] ?? DEFAULT_PLATFORM,
    ...accessAttrs(config),
    digest,
    volid: volidFor(config, r, digest),
    size: new Unknown("number"),
    volumes: new Unknown("list"),
    address,
  };
  if (config["file_name"] !== undefined) p["file_name"] = config["file_name"];
  return p;
}

/** Configured registry credentials the state records under other names (accessAttrs). */
const RECORDED_AS: [string, AttrPath][] = [
  ["auth_username", ["auth", "username"]],
  ["auth_authfile", ["auth", "authfile"]],
];

const ACCESS_KEYS = ["tls_verify", "auth_mode", "auth_authfile", "auth_username"];

export function diffImage(req: DiffRequest): Diff {
  const { config, prior, address } = req;
  const issues = validate(config);
  const ref = typeof config["reference"] === "string" ? parseReference(config["reference"]) : undefined;
  const pinned = typeof ref === "object" ? ref.digest : undefined;
  const snap = asProxmoxSnapshot(req.snapshot);
  // A new pull shows (and, from a saved plan, pulls) the digest the tag pointed to at plan time.
  // (The plan's renderer hides every "digest" attribute, the containers' conf digests: a note says it.)
  const newNotes: string[] = [];
  const newDigest = (): unknown => {
    if (pinned) return pinned;
    if (typeof ref !== "object") return new Unknown("string");
    // A recorded image replaced with its reference unchanged (another node or storage): the
    // refresh already asked where the tag points now.
    const sameRef = prior?.["full_reference"] === formatReference(ref);
    const recorded = sameRef ? snap.registry.get(address) : undefined;
    const r = sameRef ? recorded && { reference: formatReference(ref), ...recorded } : snap.resolved.get(address);
    if (!r || r.reference !== formatReference(ref)) return new Unknown("string");
    if ("error" in r) {
      // A recorded lookup's error is reported below already.
      if (recorded) return new Unknown("string");
      issues.push({ severity: "warning", path: ["reference"], summary: "Could not resolve the image tag", detail: `${r.error} The digest is resolved when apply pulls the image.` });
      return new Unknown("string");
    }
    if ("skipped" in r) return new Unknown("string");
    newNotes.push(`${r.reference} points to ${r.digest} now; apply pulls exactly this digest`);
    return r.digest;
  };
  // A sensitive auth.username/authfile new or changed since the state is known after apply: the
  // step reads it then (ociImage.sensitiveAttributePaths hides the recorded one everywhere).
  const secret = secretIn(req.sensitivePaths ?? []);
  const shown = (planned: Attrs): Attrs => {
    for (const [attr, path] of RECORDED_AS) {
      const v = planned[attr];
      if (typeof v === "string" && secret([...path]) && v !== prior?.[attr]) planned[attr] = new Unknown("string");
    }
    return planned;
  };
  // The pull apply carries out, with every value the plan shows (pull-operation.ts).
  const pull = (planned: Attrs) => [pullOperation(config, planned, DEFAULT_PLATFORM, req.sensitivePaths ?? [])] as unknown as PlannedOperation[];
  if (!prior) {
    const planned = shown(plannedImage(config, address, newDigest()));
    return { action: "create", planned, reasons: [], issues, ...(newNotes.length ? { notes: newNotes } : {}), operations: pull(planned) };
  }

  const lookup = snap.registry.get(address);
  const notes: string[] = [];
  if (lookup && "error" in lookup)
    issues.push({ severity: "warning", path: ["reference"], summary: "Could not check the registry for a newer image", detail: `${lookup.error} The recorded image is kept.` });
  if (lookup && "skipped" in lookup) notes.push(`a moved tag is not checked: ${lookup.skipped}`);

  const reasons: ChangeReason[] = [];
  const force = (path: string, differs: boolean) => differs && reasons.push({ path: [path], reason: "forces replacement" });
  force("node", known(config["node"]) && config["node"] !== prior["node"]);
  force("storage", known(config["storage"]) && config["storage"] !== prior["storage"]);
  const full = typeof ref === "object" ? formatReference(ref) : undefined;
  force("reference", full !== undefined && full !== prior["full_reference"]);
  force("platform", known(config["platform"] ?? DEFAULT_PLATFORM) && (config["platform"] ?? DEFAULT_PLATFORM) !== prior["platform"]);
  force("file_name", !isUnknown(config["file_name"]) && (config["file_name"] ?? null) !== (prior["file_name"] ?? null));
  if (req.forceReplace) reasons.push({ path: [], reason: "replacement requested with --replace" });
  if (reasons.length) {
    const planned = shown(plannedImage(config, address, newDigest()));
    notes.push(...newNotes);
    return { action: "replace", planned, reasons, issues, ...(notes.length ? { notes } : {}), operations: pull(planned) };
  }

  const latest = prior["latest_digest"];
  if (!pinned && typeof latest === "string" && latest !== prior["digest"]) {
    const planned = shown(plannedImage(config, address, latest));
    notes.push(`${String(prior["full_reference"])} now points to ${latest} (was ${String(prior["digest"])}); apply pulls exactly this digest`);
    return { action: "replace", planned, reasons: [{ path: ["digest"], reason: "replace (the tag moved to a new digest)" }], issues, notes, operations: pull(planned) };
  }

  const { latest_digest: _l, ...kept } = prior;
  const planned: Attrs = { ...kept, ...accessAttrs(config), reference: config["reference"], address };
  for (const k of ACCESS_KEYS) if (!(k in accessAttrs(config))) delete planned[k];
  const changed = ["reference", ...ACCESS_KEYS].some((k) => isUnknown(planned[k]) || JSON.stringify(planned[k]) !== JSON.stringify(prior[k]));
  if (!changed) return { action: "no-op", planned, reasons: [], issues, ...(notes.length ? { notes } : {}) };
  shown(planned);
  // Nothing to pull: apply records what the access step holds (access-operation.ts).
  const operations = [accessOperation(config, req.sensitivePaths ?? [])] as unknown as PlannedOperation[];
  return { action: "update", planned, reasons: [], issues, ...(notes.length ? { notes } : {}), operations };
}

function credentialsOf(config: Attrs): Credentials | undefined {
  const auth = obj(config["auth"]);
  return typeof auth["username"] === "string" && typeof auth["password"] === "string" ? { username: auth["username"], password: auth["password"] } : undefined;
}

/** Runs fn with registry access options, creating (and removing) a temporary authfile if needed. */
async function withAccess<T>(run: Runner, config: Attrs, ref: ImageRef, signal: AbortSignal, fn: (a: RegistryAccess, redact: string[]) => Promise<T>): Promise<T> {
  const tlsVerify = config["tls_verify"] !== false;
  const creds = credentialsOf(config);
  const authfile = obj(config["auth"])["authfile"];
  if (creds) return withAuthfile(run, ref.registry, creds, signal, (path) => fn({ tlsVerify, authfile: path }, secretsOf(creds)));
  return fn({ tlsVerify, ...(typeof authfile === "string" ? { authfile } : {}) }, []);
}

function failure(err: unknown, address: string, reference: string, redact: string[]): Error {
  const e = err as { stderr?: unknown; message?: unknown };
  let text = typeof e.stderr === "string" && e.stderr ? e.stderr : String(e.message ?? err);
  for (const s of redact) text = text.split(s).join("***");
  return new Error(explainSkopeoError(text, address, reference), { cause: err });
}

/**
 * Pulls the image as the plan's pull step says (pull-operation.ts): its values, and the
 * configuration evaluated now only for those the plan could not print (credentials included).
 * The digest is the one the plan showed when it was known, so a tag moved between plan and apply
 * still installs exactly what was planned; only a plan that could not resolve the tag resolves it here.
 */
export async function createImage(address: string, configNow: Attrs, ctx: ApplyContext, operations: readonly PlannedOperation[] | undefined): Promise<Attrs> {
  const op = plannedPull(address, operations);
  const config = pullConfig(address, op, configNow);
  const parsed = parseReference(String(config["reference"]));
  if (typeof parsed === "string") throw new Error(`${address}: ${parsed}`);
  const ref = parsed;
  const node = String(config["node"]);
  const platform = String(config["platform"] ?? DEFAULT_PLATFORM);
  const run = ctx.runnerFor(node);
  const signal = ctx.signal;
  const full = formatReference(ref);
  return withAccess(run, config, ref, signal, async (access, redact) => {
    let digest = ref.digest ?? op.digest ?? undefined;
    if (!digest) {
      try {
        digest = parseDigest((await run.run(inspectDigestArgv(full, access), { signal, redact, timeoutMs: 120_000 })).stdout);
      } catch (err) {
        throw failure(err, address, full, redact);
      }
      if (!digest) throw new Error(`${address}: ${full}: skopeo printed no manifest digest`);
    }
    const volid = op.volid ?? String(volidFor(config, ref, digest));
    let path: string;
    try {
      path = (await run.run(["pvesm", "path", volid], { signal })).stdout.trim();
    } catch (err) {
      throw new Error(
        `${address}: cannot find the template directory of storage "${String(config["storage"])}" (pvesm path ${volid}): ${String((err as Error).message)}. Use a storage with content type vztmpl.`,
        { cause: err },
      );
    }
    // The template file name carries the digest: a file the snapshot listed under that name is
    // this very image (pulls land by rename), so it is adopted instead of copied again.
    if (
      config["file_name"] === undefined &&
      asProxmoxSnapshot(ctx.snapshot)
        .templates.get(`${node}/${String(config["storage"])}`)
        ?.has(volid)
    ) {
      ctx.log(`${volid} is already in the template storage with digest ${digest}; not pulling it again`);
      return finished(run, address, config, digest, volid, path, await archiveVolumes(run, address, full, path, platform, signal), signal);
    }
    const tmp = pullTemporaryPath(path);
    await ctx.recordIntent({ operation: "pull", node, file: tmp });
    let volumes: string[];
    try {
      try {
        await run.run(copyArgv(pullReference(ref, digest), tmp, platform, access), { signal, redact, timeoutMs: 3_600_000 });
      } catch (err) {
        throw failure(err, address, full, redact);
      }
      volumes = await archiveVolumes(run, address, full, tmp, platform, signal);
      await run.run(["mv", "-f", tmp, path], { signal });
    } catch (err) {
      await run.run(removeTemporaryArgv(tmp)).catch(() => undefined);
      throw err;
    }
    return finished(run, address, config, digest, volid, path, volumes, signal);
  });
}

/** Checks an OCI archive's config (architecture, OS) and returns its declared volumes. */
async function archiveVolumes(run: Runner, address: string, full: string, archive: string, platform: string, signal: AbortSignal): Promise<string[]> {
  let cfgText: string;
  try {
    cfgText = (await run.run(inspectArchiveConfigArgv(archive), { signal })).stdout;
  } catch (err) {
    throw new Error(
      `${address}: ${full}: the pulled archive is not a usable OCI image (${String((err as { stderr?: unknown }).stderr ?? err)
        .trim()
        .split("\n")
        .pop()}).`,
      { cause: err },
    );
  }
  const cfg = parseImageConfig(cfgText);
  if (cfg.architecture && cfg.architecture !== platform) {
    throw new Error(`${address}: ${full}: the image is for architecture ${cfg.architecture}, not ${platform}. Set platform = "${cfg.architecture}" or choose an image built for ${platform}.`);
  }
  if (cfg.os && cfg.os !== "linux") throw new Error(`${address}: ${full}: the image is for OS ${cfg.os}; Proxmox runs linux images only.`);
  return cfg.volumes;
}

async function finished(run: Runner, address: string, config: Attrs, digest: string, volid: string, path: string, volumes: string[], signal: AbortSignal): Promise<Attrs> {
  const size = Number((await run.run(["stat", "-c", "%s", path], { signal })).stdout.trim());
  const attrs = plannedImage(config, address, digest);
  return { ...attrs, volid, size: Number.isFinite(size) ? size : 0, volumes };
}

export async function deleteImage(address: string, prior: Attrs, ctx: ApplyContext): Promise<void> {
  const node = String(prior["node"]);
  const volid = String(prior["volid"]);
  await ctx.recordIntent({ operation: "delete", node, file: volid });
  try {
    await ctx.runnerFor(node).run(["pvesm", "free", volid], { signal: ctx.signal });
  } catch (err) {
    const text = String((err as { stderr?: unknown }).stderr ?? "") + String((err as Error).message ?? "");
    if (/does not exist|No such file/i.test(text)) return;
    throw new Error(`${address}: removing ${volid} failed: ${text.trim().split("\n").pop()}`, { cause: err });
  }
}

export function readImage(prior: Attrs, snapshot: unknown, address: string): Attrs | null {
  const snap = asProxmoxSnapshot(snapshot);
  const listing = snap.templates.get(`${String(prior["node"])}/${String(prior["storage"])}`);
  const out: Attrs = { ...prior };
  delete out["latest_digest"];
  if (listing) {
    const size = listing.get(String(prior["volid"]));
    if (size === undefined) return null;
    out["size"] = size;
  }
  const lookup = snap.registry.get(address);
  if (lookup && "digest" in lookup) out["latest_digest"] = lookup.digest;
  return out;
}

export const ociImage: ResourceType = {
  type: "oci_image",
  blocks: ociImageBlocks,
  schema: ociImageSchema,
  sensitiveAttributes: [],
  // A sensitive auth.username (or the whole auth block) is hidden in plans, nulled in plan files and marked in the state as auth_username.
  sensitiveAttributePaths(configured) {
    const secret = secretIn(configured);
    return RECORDED_AS.filter(([, path]) => secret(path)).map(([attr]): AttrPath => [attr]);
  },
  nodeOf(config, prior) {
    const n = config?.["node"] ?? prior?.["node"];
    return typeof n === "string" ? n : undefined;
  },
  validate,
  diff: diffImage,
  read: ({ address, prior, snapshot }) => readImage(prior, snapshot, address),
  create: ({ address, config, operations }, ctx) => createImage(address, config, ctx, operations),
  // Records the access step's values (the configuration at apply only for what the plan could not print).
  update: async ({ address, config, prior, operations }) => {
    const now = accessConfig(address, plannedAccess(address, operations), config);
    // A reference unknown at plan time is read now; one naming another image is no update.
    const ref = parseReference(String(now["reference"]));
    if (typeof ref === "string" || formatReference(ref) !== prior["full_reference"])
      throw new Error(`${address}: the reference is now "${String(now["reference"])}", not the recorded ${String(prior["full_reference"])}. Nothing was done; run "pmxform plan" again.`);
    const out: Attrs = { ...prior, ...accessAttrs(now), reference: now["reference"], address };
    for (const k of ACCESS_KEYS) if (!(k in accessAttrs(now))) delete out[k];
    delete out["latest_digest"];
    return out;
  },
  delete: ({ address, prior }, ctx) => deleteImage(address, prior, ctx),
  objectNoun: "image",
  // Identity: a template archive is its volume id (unique on the cluster, whatever the node).
  objectKey: (a) => (a["volid"] !== undefined ? String(a["volid"]) : undefined),
  progressId: (a) => (a["volid"] ? `volid=${String(a["volid"])}` : undefined),
  leftover: (intent) =>
    intent.operation === "pull" && typeof intent.file === "string" && isPullTemporary(intent.file) ? `the temporary archive ${intent.node}:${intent.file} of an interrupted image pull` : undefined,
  removeLeftover: async ({ intent }, ctx) => {
    // leftover() vouched for the name; checked again here since this deletes a file.
    if (!intent.file || !isPullTemporary(intent.file)) throw new Error(`${String(intent.file)} is not a temporary pull archive`);
    await ctx.runnerFor(intent.node).run(removeTemporaryArgv(intent.file), { signal: ctx.signal });
  },
};
