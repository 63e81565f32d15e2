// The state file's shape (architecture §4): what pmxform manages, as last written after each
// resource operation. Plain JSON data only; persistence and locking live in store.ts.

export const STATE_VERSION = 1;

/** Where a value sits inside attributes: object keys and list indexes. */
export type AttrPath = (string | number)[];

export interface StateResource {
  address: string;
  type: string;
  name: string;
  index?: number | string;
  /** The module instance path of the address (`module.media["a"]`), absent at the root. */
  module?: string;
  provider: string;
  attributes: Record<string, unknown>;
  /** Paths inside attributes whose values are sensitive (display only: see docs/state-and-plan-files.md). */
  sensitive_attributes: AttrPath[];
  /** Absolute addresses this resource depended on when it was last applied (orders destroys). */
  dependencies: string[];
  status?: "tainted";
}

/** An old object of a create_before_destroy replacement, kept until it is destroyed. */
export interface DeposedResource extends StateResource {
  /** Tells several deposed objects of one address apart (8 hex); older states may lack it. */
  deposed_key?: string;
}

export type IntentOperation = "create" | "delete" | "move" | "pull";

/**
 * An irreversible step that was started but not yet recorded as finished. Written before the
 * step begins, removed when its result is recorded, so a crash leaves evidence to reconcile.
 */
export interface Intent {
  address: string;
  // Known operations are listed for readers; providers may record others.
  operation: IntentOperation | (string & {});
  node: string;
  vmid?: number;
  file?: string;
  /** ISO 8601 time the step started. */
  started: string;
}

export interface StateOutput {
  value: unknown;
  sensitive: boolean;
}

export interface StateFile {
  version: typeof STATE_VERSION;
  pmxform_version: string;
  /** Fixed when the state is created; a plan from another lineage never applies to it. */
  lineage: string;
  /** Raised by one on every write that changes the content. */
  serial: number;
  resources: StateResource[];
  outputs: Record<string, StateOutput>;
  /** Steps in flight (crash safety). Absent when none. */
  intents?: Intent[];
  /** Objects replaced with create_before_destroy whose old copy is not destroyed yet. */
  deposed?: DeposedResource[];
  /** Short digest of the last saved plan applied to this state (refuses applying a plan twice). */
  applied_plan?: string;
}

/** A brand-new, empty state: fresh lineage, serial 0 (the first write makes it 1). */
export function newState(pmxformVersion: string): StateFile {
  return { version: STATE_VERSION, pmxform_version: pmxformVersion, lineage: crypto.randomUUID(), serial: 0, resources: [], outputs: {} };
}
