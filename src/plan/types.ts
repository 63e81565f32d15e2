// The saved plan file's shape (architecture §4): everything apply needs to carry out exactly
// what was reviewed, plus what it needs to refuse a plan that no longer fits the state.

import type { AttrPath, StateFile } from "../state/types.js";

export const PLAN_FORMAT_VERSION = 1;

export type PlannedAction = "create" | "update" | "delete" | "read" | "no-op" | "import" | "move";

export interface ChangeReason {
  /** Attribute path the reason is about ([] for the whole resource). */
  path: string[];
  reason: "forces replacement" | "requires restart" | "moved" | (string & {});
}

export interface PlannedChange {
  address: string;
  type: string;
  name: string;
  index?: number | string;
  /** The Proxmox node the change runs on (groups the apply walk). */
  node?: string;
  /** Ordered: ["delete","create"] is replace, ["create","delete"] is create-before-destroy replace. */
  actions: PlannedAction[];
  /** Attributes before and after. Sensitive values are null here: see sensitive_paths. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Paths in `after` known only after apply (written as null in `after`). */
  after_unknown: AttrPath[];
  reasons: ChangeReason[];
  /** Paths whose values are sensitive: nulled in before/after, re-evaluated from config at apply. */
  sensitive_paths: AttrPath[];
  moved_from?: string;
  import_id?: string;
  /** Set on the destroy of a deposed object (create_before_destroy leftover): its deposed key. */
  deposed?: string;
  /**
   * The provider's ordered steps for this change (src/provider/types.ts PlannedOperation): apply
   * executes exactly these. Covered by the checksum like every other field, so an edited step is
   * refused; they never hold a secret.
   */
  operations?: { op: string; [argument: string]: unknown }[];
  /** Whatever the provider/engine needs to repeat the plan exactly (planned argv, allocated vmid, ...). */
  provider_data?: unknown;
}

export interface PlanOptions {
  destroy: boolean;
  refresh_only: boolean;
  targets: string[];
  replace: string[];
}

export interface PlanFile {
  format_version: typeof PLAN_FORMAT_VERSION;
  pmxform_version: string;
  /** ISO 8601 creation time. */
  created: string;
  /** Lineage and serial of the state planned from; null for a plan from no/empty state. */
  lineage: string | null;
  serial: number | null;
  state_path_hint?: string;
  /** sha256 of the configuration files (canonical); apply refuses if the configuration changed. */
  config_digest: string;
  /** sha256 of the variable values (sensitive ones included: that is how their change is noticed). */
  variables_digest: string;
  cwd_digest?: string;
  /** Where the state planned from is: the backend's identity (no credentials) and workspace; apply refuses another. */
  backend?: string;
  workspace?: string;
  /** The refreshed prior state the changes were computed from. */
  prior_state: StateFile | null;
  changes: PlannedChange[];
  options: PlanOptions;
  /**
   * Variable values the plan was made with: apply uses them, as Terraform does. Sensitive ones
   * hold no value (secrets never reach a plan file): apply takes them from its own inputs and
   * checks them against variables_digest.
   */
  variables?: Record<string, { value?: unknown; sensitive?: boolean }>;
  /** Parts of the JSON plan representation the changes do not hold (docs/json-output.md). */
  planned_outputs?: Record<string, unknown>;
  output_changes?: Record<string, unknown>;
  resource_drift?: unknown[];
  configuration?: object;
  /** sha256 (hex) of the canonical JSON of every other field. */
  checksum: string;
}
