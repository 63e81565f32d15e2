// create_before_destroy leftovers (the state's `deposed[]`): old objects a replacement set aside
// that a killed or failed run did not destroy. They are refreshed with the resources (under an
// address no configuration can name), dropped when gone or when they are still the current
// object (the replacement's create never finished), and otherwise planned as destroys.
import { createHash, randomBytes } from "node:crypto";
import type { Diagnostic } from "../diag/diagnostic.js";
import { warning } from "../diag/diagnostic.js";
import type { Attrs } from "../provider/types.js";
import type { DeposedResource, StateFile } from "../state/types.js";
import type { ProviderRegistry } from "../provider/registry.js";
import { describeObject, sameObject } from "./identity.js";
import type { DeposedObject, PriorResource } from "./plan-types.js";

export function newDeposedKey(): string {
  return randomBytes(4).toString("hex");
}

/** The entry's key; entries written before keys existed get one derived from their content, the same in every run. */
export function deposedKeyOf(d: DeposedResource): string {
  return d.deposed_key ?? createHash("sha256").update(d.address).update("\0").update(JSON.stringify(d.attributes)).digest("hex").slice(0, 8);
}

function refreshAddressOf(d: DeposedResource): string {
  return `${d.address} (deposed ${deposedKeyOf(d)})`;
}

/** The deposed objects as extra entries for refresh, which reads them like any resource. */
export function deposedForRefresh(state: StateFile): PriorResource[] {
  return (state.deposed ?? []).map((d) => ({ ...d, address: refreshAddressOf(d) }));
}

/**
 * Settles `state.deposed` against the refresh, in memory (apply saves it), and returns what is
 * left to destroy. The refresh entries of deposed objects are taken out of `refreshed` and
 * `unreachable`, so the plan sees resources only.
 */
export function settleDeposed(
  registry: ProviderRegistry,
  state: StateFile,
  refreshed: Map<string, Attrs | null>,
  unreachable: Map<string, string>,
): { objects: DeposedObject[]; diagnostics: Diagnostic[] } {
  const objects: DeposedObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const kept: DeposedResource[] = [];
  for (const d of state.deposed ?? []) {
    const key = deposedKeyOf(d);
    const at = refreshAddressOf(d);
    const fresh = refreshed.has(at) ? refreshed.get(at)! : d.attributes;
    const why = unreachable.get(at);
    refreshed.delete(at);
    unreachable.delete(at);
    const current = state.resources.find((r) => r.address === d.address);
    // Deposed, but its replacement was never recorded: it is still the current object.
    if (current && sameObject(registry, d.type, current.attributes, d.attributes)) continue;
    if (fresh === null && !why) continue; // gone from the cluster: nothing left to destroy
    kept.push({ ...d, deposed_key: key });
    objects.push({
      address: d.address,
      key,
      type: d.type,
      ...(d.index !== undefined ? { index: d.index } : {}),
      attributes: fresh ?? d.attributes,
      sensitive_attributes: d.sensitive_attributes,
      dependencies: d.dependencies,
      ...(why ? { unreachable: why } : {}),
    });
    if (why)
      diagnostics.push(
        warning(
          "Deposed object could not be refreshed",
          `${d.address} (deposed object ${key}, ${describeObject(registry, d.type, d.attributes)}): ${why}. It stays in the state and its destroy is planned once its node can be read.`,
          undefined,
          d.address,
        ),
      );
  }
  if (kept.length) state.deposed = kept;
  else delete state.deposed;
  return { objects, diagnostics };
}
