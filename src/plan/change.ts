// One planned change (and one drift entry, one output change) as the engine makes it, the plan
// file carries it and rendering shows it: plan data, so src/plan owns it and the engine imports it.
import type { Attrs, AttrPath, ChangeReason, PlannedOperation, VolumeDeletion } from "../provider/types.js";

export type ChangeAction = "create" | "update" | "replace" | "delete" | "no-op" | "read";

export interface Change {
  address: string;
  type: string;
  /** The declaration address `type.name`. */
  decl: string;
  index?: number | string;
  node?: string;
  action: ChangeAction;
  before: Attrs | null;
  /** Planned attributes; Unknown values are serialised as null with their paths in afterUnknown. */
  after: Attrs | null;
  afterUnknown: AttrPath[];
  sensitivePaths: AttrPath[];
  reasons: ChangeReason[];
  notes: string[];
  /** The provider's steps for this change (Diff.operations), executed as planned at apply. */
  operations?: PlannedOperation[];
  /** Volumes with data this change deletes: listed loudly at the end of the plan. */
  volumeDeletions?: VolumeDeletion[];
  /** Declaration addresses this resource depends on (for ordering and for state). */
  dependencies: string[];
  movedFrom?: string;
  /** Set when an import block adopts an existing object: its id (e.g. "pve1/105"). */
  importId?: string;
  /** Why a delete happens ("no longer in the configuration", "--destroy"). */
  deleteReason?: string;
  createBeforeDestroy?: boolean;
  /** Why a replace was planned when the user asked for it rather than an attribute forcing it. */
  replaceCause?: "requested" | "replace_triggered_by";
  /** The destroy of a deposed object (the old copy a create_before_destroy replacement left): its key. */
  deposedKey?: string;
}

export interface DriftEntry {
  address: string;
  /** "changed" with the attribute paths that differ, or "deleted". */
  kind: "changed" | "deleted";
  paths: AttrPath[];
  before: Attrs;
  after: Attrs | null;
}

/** An output the plan adds, changes or removes (Terraform's "Changes to Outputs"). */
export interface OutputChange {
  name: string;
  action: "create" | "update" | "delete";
  before: unknown;
  /** May hold Unknown values ("known after apply"). */
  after: unknown;
  sensitive: boolean;
}
