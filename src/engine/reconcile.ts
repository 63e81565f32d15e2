// Crash recovery before planning: the intents a killed run left in the state are checked against
// the refreshed cluster. A created-but-unrecorded object is adopted into the state (and then
// planned like any other), a destroy whose object is gone is completed, and every intent that
// could be settled is dropped. Pure: the caller decides whether the result is saved.
import type { Diagnostic } from "../diag/diagnostic.js";
import { warning } from "../diag/diagnostic.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { Attrs } from "../provider/types.js";
import type { DeposedResource, Intent, StateResource } from "../state/types.js";
import { parseAddress } from "./address.js";
import { toStateResource } from "./import.js";
import { newDeposedKey } from "./deposed.js";
import { recordedIntent, intentHasObject, intentIsAbout, intentNames, intentObjectOf, nounOf, objectLabel, sameObject } from "./identity.js";

export interface ReconcileInput {
  registry: ProviderRegistry;
  resources: readonly StateResource[];
  /** Deposed objects (create_before_destroy): a create killed while one was set aside is adopted as current. */
  deposed?: readonly StateResource[];
  intents: readonly Intent[];
  /** The state's lineage: only an object carrying this state's identity is adopted. */
  lineage: string;
  /** Refreshed attributes by address (null = gone; absent = not read), as refresh returns them. */
  refreshed: ReadonlyMap<string, Attrs | null>;
  snapshotFor: (type: string, node: string | undefined) => unknown;
}

export interface ReconcileResult {
  resources: StateResource[];
  /** Intents that could not be settled (node unreadable, unknown operation): kept in the state. */
  intents: Intent[];
  /** Refreshed attributes of adopted objects, to merge into the refresh result. */
  adopted: Map<string, Attrs>;
  /** Objects an interrupted replace created and nothing uses: to be recorded as deposed (and destroyed). */
  deposed: DeposedResource[];
  /** Addresses removed because the destroy an interrupted run started had finished. */
  completed: string[];
  diagnostics: Diagnostic[];
}

export function reconcileIntents(input: ReconcileInput): ReconcileResult {
  const resources = [...input.resources];
  const kept: Intent[] = [];
  const adopted = new Map<string, Attrs>();
  const completed: string[] = [];
  const deposed: DeposedResource[] = [];
  const diagnostics: Diagnostic[] = [];

  for (const intent of input.intents) {
    const p = parseAddress(intent.address);
    const type = p && input.registry.resourceType(p.type);
    if (!p || !type) {
      kept.push(intent);
      continue;
    }
    const label = (a: Attrs | null | undefined) => objectLabel(input.registry, p.type, a, intent);
    const noun = nounOf(input.registry, p.type);
    if (intent.operation === "delete") {
      const existing = resources.find((r) => r.address === intent.address);
      if (!existing || !intentNames(input.registry, p.type, intent, existing.attributes)) continue; // already recorded as gone, or a later object took the address
      if (!input.refreshed.has(intent.address)) {
        kept.push(intent); // not refreshed (--refresh=false): cannot tell yet
        continue;
      }
      if (input.refreshed.get(intent.address) === null) {
        resources.splice(resources.indexOf(existing), 1);
        completed.push(intent.address);
        diagnostics.push(
          warning(
            "Completed an interrupted destroy",
            `${intent.address}: ${label(existing.attributes)} was being destroyed by an interrupted run and is gone now; it is removed from the state.`,
            undefined,
            intent.address,
          ),
        );
      }
      continue; // still there: planned like any recorded object
    }

    if (intent.operation === "create" && type.recover) {
      const current = resources.find((r) => r.address === intent.address);
      // A create_before_destroy create (the old object is current and deposed meanwhile) that
      // was killed: its new object is what apply would have recorded; the old one stays deposed.
      // The intent names another object than the one the address records.
      const other = current !== undefined && intentHasObject(input.registry, p.type, intent) && !intentNames(input.registry, p.type, intent, current.attributes);
      const replacing = current && other && (input.deposed ?? []).some((d) => d.address === intent.address && sameObject(input.registry, d.type, d.attributes, current.attributes));
      // A provider's own replace (create the new object, move data, destroy the old one) killed
      // after its create: the address still records the old object.
      const stray = current && !replacing && other;
      if (current && !replacing && !stray) continue; // the create's result was recorded after all
      const created = intentObjectOf(input.registry, p.type, intent);
      if (stray && input.intents.some((i) => i !== intent && i.address === intent.address && intentIsAbout(input.registry, p.type, i, created))) {
        kept.push(intent); // its later steps began (data may have moved to it): a person decides
        continue;
      }
      const snapshot = input.snapshotFor(p.type, intent.node);
      if (snapshot === undefined) {
        kept.push(intent);
        diagnostics.push(
          warning(
            "Interrupted operation not checked",
            `${intent.address}: a previous run was interrupted while creating ${label(null)}, but no node could be read to check what it left. pmxform checks again on the next run that reaches the node.`,
            undefined,
            intent.address,
          ),
        );
        continue;
      }
      const found = type.recover({
        address: intent.address,
        intent: recordedIntent(intent),
        snapshot,
        lineage: input.lineage,
      });
      if (found.found === "unproven") {
        kept.push(intent);
        diagnostics.push(warning("Interrupted create not adopted", `${intent.address}: ${found.detail}.`, undefined, intent.address));
        continue;
      }
      if (found.found === "nothing") {
        // Nothing of this state's was created (or the object's id belongs to someone else now).
        if (found.note) diagnostics.push(warning("Interrupted create left nothing of this state's", `${intent.address}: ${found.note}.`, undefined, intent.address));
        continue;
      }
      const attrs = found.attrs;
      if (stray && current) {
        // Nothing was moved to it yet: destroyed as a deposed object; the old one stays current.
        deposed.push({ ...toStateResource(input.registry, intent.address, type, attrs), dependencies: current.dependencies, deposed_key: newDeposedKey() });
        diagnostics.push(
          warning(
            "Found an object left by an interrupted run",
            `${intent.address}: ${noun} ${label(attrs)} was created by an interrupted run that had not yet replaced ${label(current.attributes)} with it. It is recorded as a deposed object and destroyed by the next apply; ${label(current.attributes)} stays.`,
            undefined,
            intent.address,
          ),
        );
        continue;
      }
      if (current) resources.splice(resources.indexOf(current), 1, { ...toStateResource(input.registry, intent.address, type, attrs), dependencies: current.dependencies });
      else resources.push(toStateResource(input.registry, intent.address, type, attrs));
      adopted.set(intent.address, attrs);
      const locked =
        (attrs["lock"] === "create" ? " (half-created: it will be replaced)" : "") +
        (current ? ` as the replacement of ${label(current.attributes)}, which stays deposed and is destroyed by the next apply` : "");
      diagnostics.push(
        warning(
          "Adopted an object left by an interrupted run",
          `${intent.address}: adopted ${noun} ${label(attrs)} left by an interrupted run${locked}. It is in the state now and planned like any other resource.`,
          undefined,
          intent.address,
        ),
      );
      continue;
    }
    kept.push(intent); // operations without a recovery rule stay recorded for a person to check
  }
  resources.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { resources, intents: kept, adopted, deposed, completed, diagnostics };
}
