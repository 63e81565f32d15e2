// THE provider interface (architecture §5). The engine knows only these types; implementations
// live in providers/ and are wired in by src/cli.ts through the registry.
import type { ZodType } from "zod";
import type { Runner } from "../exec/runner.js";
import type { NodeInventory } from "./inventory.js";

/** Attribute values as stored in state and plans: JSON data; planned values may hold Unknown. */
export type Attrs = Record<string, unknown>;

/** A path into an attribute object, e.g. ["network", "eth0", "bridge"]. */
export type AttrPath = (string | number)[];

/** Shape of a resource body's nested blocks, needed to decode a body into a config object. */
export interface BlockSpec {
  /** Labelled blocks (`network "eth0" {}`) decode to a map label -> object; unlabelled to an object. */
  labelled: boolean;
  /** Repeatable unlabelled blocks decode to a list (none of pmxform's types use this yet). */
  list?: boolean;
  blocks?: Record<string, BlockSpec>;
}

/** A problem found by a provider while validating or diffing, located by attribute path. */
export interface ProviderIssue {
  severity: "error" | "warning";
  path: AttrPath;
  summary: string;
  detail?: string;
}

export type Action = "no-op" | "create" | "update" | "replace" | "delete";

export interface ChangeReason {
  path: AttrPath;
  /** "forces replacement", "requires restart", or another short note shown after the attribute. */
  reason: string;
}

/**
 * A storage volume that applying a change deletes, and all data on it. Plans list every one in a
 * section of their own, last; an in-place update may only plan one when the resource opts in.
 */
export interface VolumeDeletion {
  /** Proxmox volume id, e.g. "local-lvm:vm-105-disk-1". */
  volume: string;
  size?: string;
  /** What the volume is and why it goes, e.g. 'mount "data" (mp1), removed from the configuration'. */
  reason: string;
  /** Set when the deletion waits for something, e.g. "once the container restarts". */
  when?: string;
}

/** JSON data: what a plan file can hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One step of carrying out a change, decided by the provider's `diff` at plan time. The ordered
 * list travels unchanged in the plan's change (and in a saved plan, under its checksum) to
 * `create`/`update`/`replace`, which execute exactly these steps after their safety checks
 * instead of working the change out again. The engine never reads or reorders them.
 *
 * - `op` names the step in the provider's own vocabulary (lxc_container: "pct set",
 *   "pct resize", "pct stop", ...; see docs/provider-lxc.md), the other fields are its
 *   arguments, JSON data only.
 * - Never a secret, never a value only apply can know: such a piece names the attribute path it
 *   comes from (`DiffRequest.sensitivePaths` says which are secret), and apply takes the value
 *   from the configuration evaluated at apply, as before.
 * - A provider refuses operations it does not know (a plan made by another version) with a
 *   message saying to plan again.
 */
export interface PlannedOperation {
  op: string;
  [argument: string]: JsonValue;
}

export interface DiffRequest {
  address: string;
  /** The evaluated configuration (sensitive marks removed; may contain Unknown values). */
  config: Attrs;
  /** The refreshed prior attributes, or null when the resource does not exist yet. */
  prior: Attrs | null;
  /** What the cluster holds (the provider's own snapshot type, opaque to the engine). */
  snapshot: unknown;
  /** VMIDs already claimed by other resources in this plan: a provider allocating one adds it here. */
  claimedVmids: Set<number>;
  /** The user forced replacement (`--replace ADDR`). */
  forceReplace: boolean;
  /**
   * The state's lineage: what the identity of an object created for this state binds to (the
   * creation marker). Absent (a diff outside a run): that identity is known only after apply.
   */
  lineage?: string;
  /**
   * Attribute paths whose configured values are sensitive: an operation never carries their
   * values (it names the path; apply reads the value from the configuration).
   */
  sensitivePaths?: AttrPath[];
}

export interface Diff {
  action: Action;
  /** The attributes after apply as far as known (Unknown where only apply can tell). */
  planned: Attrs;
  reasons: ChangeReason[];
  issues: ProviderIssue[];
  /** Human notes for the plan, e.g. "data volume mp1 (8G) will be deleted". */
  notes?: string[];
  /** Volumes with data this change deletes (update: removed mounts; replace: what goes with the old object). */
  volumeDeletions?: VolumeDeletion[];
  /**
   * The prior attributes as this configuration names them, when that differs from the state
   * (a mount read back as `mp0` that the configuration calls "data"): shown and applied as before.
   */
  prior?: Attrs;
  /**
   * create/update/replace: the ordered steps apply executes (see PlannedOperation). Absent: the
   * type plans none, and apply works from `planned` alone.
   */
  operations?: PlannedOperation[];
}

export interface NodeRef {
  name: string;
  runner: Runner;
}

export interface ApplyContext {
  /** The runner for a given Proxmox node. */
  runnerFor(node: string): Runner;
  snapshot: unknown;
  /** A progress or warning line for the user. */
  log(message: string): void;
  /**
   * Records what is about to be created/destroyed before doing it, so a crash can be reconciled
   * (issue 10). Providers call it right before the irreversible step.
   */
  recordIntent(intent: { operation: string; node: string; vmid?: number; file?: string }): Promise<void>;
  /**
   * The step recordIntent announced provably created nothing (e.g. Proxmox refused it because the
   * vmid was taken): its intent is removed, so no later run adopts what someone else created there.
   */
  forgetIntent(intent: { operation: string; node: string; vmid?: number; file?: string }): Promise<void>;
  /** The state's lineage (see DiffRequest.lineage): what created objects are marked with. */
  lineage: string;
  /**
   * The provider knowingly leaves the plan for `path` because of something found at apply (e.g. a
   * container migrated since the plan, followed to its new node) and has said so through `log`:
   * the engine's check of the result against the plan (src/engine/verify-result.ts) skips it.
   */
  deviates?(path: AttrPath): void;
  signal: AbortSignal;
  /** As RefreshContext.pveRootFor: the node's /etc/pve as its runner sees it (default "/etc/pve"). */
  pveRootFor?(node: string): string;
}

export interface RefreshContext {
  runnerFor(node: string): Runner;
  signal: AbortSignal;
  /**
   * Where the node's /etc/pve lives as seen by its runner: "/etc/pve" on a real node (the
   * default when absent), "<simDir>/etc/pve" for the simulator.
   */
  pveRootFor?(node: string): string;
  /**
   * The prior state's resources (every type of this provider), so a snapshot can look up what
   * only they name, e.g. the registry digests of recorded images. Optional: absent means none.
   */
  priorResources?: ReadonlyArray<{ address: string; type: string; attributes: Attrs }>;
  /**
   * Nodes the run expects to find (declared in the provider block, or holding recorded
   * resources): a snapshot may read them without waiting to learn the cluster's members.
   */
  expectedNodes?: ReadonlyArray<string>;
  /**
   * The resource types the configuration declares. A read only some types need may be skipped
   * when neither this nor priorResources has them. Absent: unknown, read everything.
   */
  configuredTypes?: ReadonlySet<string>;
  /**
   * The configured instances of one resource type, evaluated with every resource reference
   * unknown (computed only when asked), so a snapshot can look up what only a new resource names,
   * e.g. the digest a new image's tag points to, which plan must show and apply must use.
   */
  configuredInstances?(type: string): ReadonlyArray<{ address: string; config: Attrs }>;
}

export interface ResourceType {
  /** e.g. "lxc_container" */
  type: string;
  blocks: Record<string, BlockSpec>;
  /** Validates the evaluated config object; Unknown values must be accepted wherever a value is. */
  schema: ZodType;
  /** Top-level attributes always treated as sensitive (passwords, keys). */
  sensitiveAttributes: string[];
  /**
   * Where a configured secret lives in the type's planned and recorded attributes when that is
   * not the configured path (oci_image records auth.username as auth_username): given the
   * configuration's sensitive paths, the attribute paths that hold them. The plan hides and the
   * plan file nulls those too, and the state marks them sensitive.
   */
  sensitiveAttributePaths?(configured: readonly AttrPath[]): AttrPath[];
  /** Top-level bookkeeping attributes never shown in plans or `show` (slot maps, digests, ...). */
  hiddenAttributes?: string[];
  /**
   * Top-level attributes the node decides when the configuration leaves them out (Proxmox's
   * defaults, what an image brings): references to them are "known after apply" until the
   * object exists. Other attributes left out are null.
   */
  computedAttributes?: readonly string[];
  /** The node this resource lives on, from config or prior attributes (used for per-node limits). */
  nodeOf(config: Attrs | null, prior: Attrs | null): string | undefined;
  /** Checks beyond the schema that need no I/O (e.g. two mounts at one path). */
  validate?(config: Attrs): ProviderIssue[];
  /** Pure: what would change. */
  diff(req: DiffRequest): Diff;
  /** Answers from the snapshot; null when the object is gone. */
  read(req: { address: string; prior: Attrs; snapshot: unknown }): Attrs | null;
  /**
   * create/update/replace get the planned attributes and the plan's operations (Diff.operations,
   * exactly as the plan showed them); `config` is the configuration evaluated at apply, the source
   * of secrets and of values the plan did not know. What they return is saved in the state and
   * then checked against `planned` (src/engine/verify-result.ts).
   */
  create(req: { address: string; config: Attrs; planned: Attrs; operations?: PlannedOperation[] }, ctx: ApplyContext): Promise<Attrs>;
  /** Absent: every change is a replace. */
  update?(req: { address: string; config: Attrs; prior: Attrs; planned: Attrs; operations?: PlannedOperation[] }, ctx: ApplyContext): Promise<Attrs>;
  delete(req: { address: string; prior: Attrs }, ctx: ApplyContext): Promise<void>;
  /**
   * Pure, optional: why destroying `prior` must not be planned (an object holding data without the
   * resource's opt-in); each issue is a plan error for the destroy, with the fix in its detail.
   */
  deleteIssues?(req: { address: string; prior: Attrs }): ProviderIssue[];
  /** Pure: the volumes with data that `delete` destroys together with the object (for the plan's list). */
  volumesDeletedWith?(prior: Attrs): VolumeDeletion[];
  /**
   * Optional: carries out a "replace" itself (e.g. create the new object, move data over, then
   * delete the old one) instead of the engine's delete + create. Returns the new attributes; on
   * failure the old object must still exist.
   */
  replace?(req: { address: string; config: Attrs; prior: Attrs; planned: Attrs; operations?: PlannedOperation[] }, ctx: ApplyContext): Promise<Attrs>;
  /** Reads an existing object by id (e.g. "pve1/105") for `pmxform import`. */
  import?(req: { address: string; id: string; snapshot: unknown }): Attrs | null;
  /** The node an import id names ("pve1/105" -> "pve1"), so the engine hands `import` that cluster's snapshot. */
  importNode?(id: string): string | undefined;
  /** Writes configuration (HCL body attributes) that reproduces imported attributes. */
  generateConfig?(attrs: Attrs): Attrs;
  /** For `import --all`: every object in the snapshot this type would adopt (ids as `import` takes them). */
  importable?(snapshot: unknown): ImportCandidate[];
  /** Why `import` found nothing for `id` (no such vmid, a VM, another node), as one sentence. */
  explainImportMiss?(id: string, snapshot: unknown): string;
  /**
   * Attributes of imported objects that were kept but cannot be written as configuration (reported,
   * never dropped); with the snapshot also what the object holds that could not be read at all.
   */
  unexpressed?(attrs: Attrs, snapshot?: unknown): string[];
  /**
   * Crash recovery (pure): the object an interrupted create for `address` left behind, found from
   * the recorded intent and the snapshot, or null when nothing of pmxform's is there (never an
   * object that merely reuses the vmid). The engine adopts what it returns into the state.
   */
  recover?(req: { address: string; intent: RecordedIntent; snapshot: unknown; lineage: string }): Recovery;
  /**
   * Identity (pure): why the object refreshed for a state entry (`live`) is not the one the entry
   * recorded (`recorded`), e.g. another state's container at the same vmid; undefined when it is.
   * The engine plans nothing for such an entry and reports an error.
   */
  identityConflict?(req: { address: string; recorded: Attrs; live: Attrs }): string | undefined;
  /**
   * Identity (pure): the cluster object a state entry names ("pve1/105"), comparable across the
   * provider's types; two entries naming one object make the state unusable until one is removed.
   */
  objectId?(attrs: Attrs): string | undefined;
  /**
   * Identity (pure): the object's key on its cluster, readable ("vmid 105", a template's volid):
   * the same on whichever node the object runs, comparable across the provider's types. Two
   * attribute sets with one key are one object (a deposed copy that is still the current one; an
   * import of what an entry already manages). Also given an ImportCandidate's `identity` and
   * what intentObject returns. Plans name the object as "KEY on NODE".
   */
  objectKey?(attrs: Attrs): string | undefined;
  /**
   * Identity (pure): the object a recorded intent names, as the attributes objectKey and objectId
   * read (lxc_container: `{ node, vmid }`); undefined when it names none (a pull's temporary file).
   * The engine matches intents to state entries and names them in messages through it.
   */
  intentObject?(intent: RecordedIntent): Attrs | undefined;
  /** What the type's objects are called in messages ("container", "template"); default "object". */
  objectNoun?: string;
  /**
   * Top-level attributes that say which object the resource is (lxc_container: node, vmid):
   * `ignore_changes = all` still takes them from the configuration.
   */
  identityAttributes?: readonly string[];
  /** Identity (pure): the id progress lines show after an operation, as in "[vmid=105]". */
  progressId?(attrs: Attrs): string | undefined;
  /**
   * Identity (pure): why an object being imported looks like another pmxform state's (its marker
   * is not the one this state gives `address`), as one sentence; undefined when it does not.
   */
  foreignOwner?(req: { address: string; attrs: Attrs; lineage: string }): string | undefined;
  /**
   * Crash cleanup (pure): when an interrupted step's only trace is a leftover the next apply may
   * remove (a killed pull's temporary archive, recognised by the provider's own naming), a
   * description of it; undefined keeps the intent for a person to check.
   */
  leftover?(intent: RecordedIntent): string | undefined;
  /** Removes what `leftover` described (apply time); the engine then drops the intent. */
  removeLeftover?(req: { address: string; intent: RecordedIntent }, ctx: ApplyContext): Promise<void>;
}

/**
 * What `recover` found for an interrupted create: the object, provably this state's (adopted);
 * nothing of this state's (the intent is dropped, with a note when something else is there);
 * or something that may be this state's but cannot be proven (the intent stays, with a warning).
 */
export type Recovery = { found: "ours"; attrs: Attrs } | { found: "nothing"; note?: string } | { found: "unproven"; detail: string };

/** What ApplyContext.recordIntent wrote, as handed back to `recover`. */
export interface RecordedIntent {
  operation: string;
  node: string;
  vmid?: number;
  file?: string;
}

export interface ImportCandidate {
  id: string;
  node: string;
  /**
   * The object named as its state attributes name it (lxc_container: `{ node, vmid }`): what
   * objectKey reads, so `import --all` skips what an entry manages and offers each object once.
   */
  identity: Attrs;
  /** Suggested resource name source (the hostname). */
  name?: string;
  /**
   * What tells the object apart (lxc_container: the vmid, "105"): a taken name becomes
   * `NAME_<suffix>`, and without a usable `name` it is `<namePrefix>_<suffix>`.
   */
  suffix: string;
  /** Starts names that would not start with a letter (lxc_container: "ct", as in "ct_105"). */
  namePrefix: string;
  /** Set when `import --all` must leave it out, with the reason it reports. */
  skip?: string;
}

/** A provider groups resource types that share one view of a cluster. */
export interface Provider {
  name: string;
  resourceTypes: ResourceType[];
  /**
   * Reads everything the provider needs from the cluster that `node` belongs to, in a number of
   * processes that does not grow with the number of containers. Returns the snapshot and the node
   * names it covers, so the engine asks each cluster only once.
   */
  snapshot(node: string, ctx: RefreshContext): Promise<{ snapshot: unknown; nodes: string[] }>;
  /** What `node` holds according to a snapshot this provider took (for `pmxform nodes`). */
  inventory?(snapshot: unknown, node: string): NodeInventory;
}
