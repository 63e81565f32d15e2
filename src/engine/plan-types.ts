// The data planning works on and produces: its input (prior state, refresh, options), its
// result, and the deposed objects it plans destroys for. Types only, so the phases of plan and
// deposed.ts share them without importing each other.
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Value } from "../config/value.js";
import type { Attrs, AttrPath } from "../provider/types.js";
import type { Change, DriftEntry } from "../plan/change.js";
import type { GeneratedResource } from "../config/generate/model.js";
import type { Session } from "./session.js";

/** What the engine keeps per resource in state (architecture §4). */
export interface PriorResource {
  address: string;
  type: string;
  name: string;
  index?: number | string;
  attributes: Attrs;
  sensitive_attributes: AttrPath[];
  dependencies: string[];
}

export interface PlanOptions {
  destroy: boolean;
  refreshOnly: boolean;
  targets: string[];
  replace: string[];
  /** Import blocks whose target has no resource block produce configuration instead of an error. */
  generateConfig?: boolean;
}

export interface PlanInput {
  session: Session;
  prior: PriorResource[];
  /** Refreshed attributes by address: null = gone; absent = not refreshed (prior kept). */
  refreshed: Map<string, Attrs | null>;
  /** Addresses whose node could not be reached: no change may be planned for them. */
  unreachable: Map<string, string>;
  snapshotFor: (type: string, node: string | undefined) => unknown;
  options: PlanOptions;
  /** Deposed objects left by create_before_destroy (settled against the refresh): each is destroyed. */
  deposed?: DeposedObject[];
  /** The state's lineage, which objects created for it are marked with (DiffRequest.lineage). */
  lineage: string;
}

export interface PlanResult {
  changes: Change[];
  drift: DriftEntry[];
  outputs: Map<string, { value: Value; sensitive: boolean }>;
  diagnostics: Diagnostic[];
  /** The prior state after refresh and moves (what --refresh-only would save). */
  refreshedPrior: PriorResource[];
  /** Configuration for import blocks without a resource block (with options.generateConfig). */
  generated: GeneratedResource[];
}

/** An old copy a create_before_destroy replacement set aside (state `deposed[]`), as settled against the refresh. */
export interface DeposedObject {
  address: string;
  key: string;
  type: string;
  index?: number | string;
  /** As refreshed (or as recorded when refresh was skipped). */
  attributes: Attrs;
  sensitive_attributes: AttrPath[];
  dependencies: string[];
  /** Why its node could not be read: nothing is planned for it this time. */
  unreachable?: string;
}
