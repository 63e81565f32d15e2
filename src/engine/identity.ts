// Which object a state entry owns: an entry may change or destroy only the object it recorded.
// Two checks, both through the provider's identity hooks: a refreshed object that is not the one
// recorded (another state's container at the same vmid), and two entries claiming one object.
// Both are errors that stop the run before anything is planned for those entries. Also how the
// engine names and matches objects (objectKey, "vmid 105 on pve1") without knowing what a vmid is.
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { Attrs, RecordedIntent } from "../provider/types.js";
import type { Intent, StateResource } from "../state/types.js";
import { deepEqual } from "../plan/attr-diff.js";

/** Why `live` (refreshed for the entry) is not the object the entry recorded; undefined when it is. */
export function conflictOf(registry: ProviderRegistry, entry: { address: string; type: string; attributes: Attrs }, live: Attrs | null | undefined): string | undefined {
  if (!live) return undefined;
  return registry.resourceType(entry.type)?.identityConflict?.({ address: entry.address, recorded: entry.attributes, live });
}

export function conflictError(address: string, conflict: string): Diagnostic {
  return error("Object belongs to someone else", `${address}: ${conflict}. pmxform changes and destroys only what a state entry recorded, so nothing is planned for ${address}.`, undefined, address);
}

/** State entries that claim one object (an entry copied under a second address): one error per object. */
export function duplicateClaims(registry: ProviderRegistry, resources: readonly StateResource[]): Diagnostic[] {
  const claims = new Map<string, string[]>();
  for (const r of resources) {
    const id = registry.resourceType(r.type)?.objectId?.(r.attributes);
    if (id !== undefined) claims.set(id, [...(claims.get(id) ?? []), r.address]);
  }
  const out: Diagnostic[] = [];
  for (const [id, addresses] of claims) {
    if (addresses.length < 2) continue;
    const [first, ...rest] = addresses;
    out.push(
      error(
        "State entries claim the same object",
        `Two state entries claim ${nounOf(registry, resources.find((r) => r.address === first)!.type)} ${id}: ${addresses.join(" and ")}. One object can belong to one entry only; otherwise one of them would change or destroy it for the other, so pmxform does nothing until this is fixed. Remove the entry that should not own it (the container itself stays), e.g. ${rest.map((a) => `pmxform state rm ${a}`).join(", ")} (or pmxform state rm ${first} if that one is the copy), then plan again.`,
      ),
    );
  }
  return out;
}

/** The object's key on its cluster (ResourceType.objectKey), e.g. "vmid 105"; undefined when its type has none. */
export function objectKeyOf(registry: ProviderRegistry, type: string, attrs: Attrs | null | undefined): string | undefined {
  return attrs ? registry.resourceType(type)?.objectKey?.(attrs) : undefined;
}

/** Whether two attribute sets of one type name the same cluster object: by key, else (no key) by content. */
export function sameObject(registry: ProviderRegistry, type: string, a: Attrs, b: Attrs): boolean {
  const ka = objectKeyOf(registry, type, a);
  const kb = objectKeyOf(registry, type, b);
  if (ka !== undefined && kb !== undefined) return ka === kb;
  return deepEqual(a, b);
}

/** "vmid 105 on pve1" (the key on its node), for plan lines and warnings. */
export function describeObject(registry: ProviderRegistry, type: string, attrs: Attrs): string {
  const node = registry.resourceType(type)?.nodeOf(null, attrs);
  const key = objectKeyOf(registry, type, attrs);
  const on = node ? `on ${node}` : "";
  return key !== undefined ? `${key}${on ? ` ${on}` : ""}` : on || "no id recorded";
}

/** The state entry that already manages the object `attrs` (of type `type`) names, if any. */
export function managedBy(registry: ProviderRegistry, state: readonly StateResource[], type: string, attrs: Attrs): string | undefined {
  const key = objectKeyOf(registry, type, attrs);
  if (key === undefined) return undefined;
  return state.find((r) => objectKeyOf(registry, r.type, r.attributes) === key)?.address;
}

/** What the type's objects are called in messages ("container"; "object" when it says nothing). */
export function nounOf(registry: ProviderRegistry, type: string): string {
  return registry.resourceType(type)?.objectNoun ?? "object";
}

/** The object a recorded intent names, as its type's identity hooks read attributes (ResourceType.intentObject). */
export function intentObjectOf(registry: ProviderRegistry, type: string, intent: Intent | RecordedIntent): Attrs | undefined {
  return registry.resourceType(type)?.intentObject?.(recordedIntent(intent));
}

/** The intent as the provider recorded it (without the engine's address and start time). */
export function recordedIntent(intent: Intent | RecordedIntent): RecordedIntent {
  const { address: _a, started: _s, ...recorded } = intent as Intent;
  return recorded;
}

/**
 * Whether an intent may be about the object `attrs` describes: yes unless both have a key and the
 * keys differ (an intent that names no object, or an object without a key, is not told apart).
 */
export function intentNames(registry: ProviderRegistry, type: string, intent: Intent | RecordedIntent, attrs: Attrs | null | undefined): boolean {
  const named = intentObjectOf(registry, type, intent);
  const a = named && objectKeyOf(registry, type, named);
  const b = objectKeyOf(registry, type, attrs);
  return a === undefined || b === undefined || a === b;
}

/** Whether the intent names exactly the object `attrs` describes (both have a key, the same one). */
export function intentIsAbout(registry: ProviderRegistry, type: string, intent: Intent | RecordedIntent, attrs: Attrs | null | undefined): boolean {
  const named = intentObjectOf(registry, type, intent);
  const a = named && objectKeyOf(registry, type, named);
  return a !== undefined && a === objectKeyOf(registry, type, attrs);
}

/** Whether the intent names an object at all (then intentNames can tell objects apart). */
export function intentHasObject(registry: ProviderRegistry, type: string, intent: Intent | RecordedIntent): boolean {
  const named = intentObjectOf(registry, type, intent);
  return named !== undefined && objectKeyOf(registry, type, named) !== undefined;
}

/** The two intent matches the state holder needs, bound to the registry (StateHolder.useIdentity). */
export interface IntentIdentity {
  /** intentNames: the intent may be about this object. */
  mayName(type: string, intent: Intent, attrs: Attrs): boolean;
  /** intentIsAbout: the intent is about exactly this object. */
  isAbout(type: string, intent: Intent, attrs: Attrs): boolean;
}

export function intentIdentity(registry: ProviderRegistry): IntentIdentity {
  return {
    mayName: (type, intent, attrs) => intentNames(registry, type, intent, attrs),
    isAbout: (type, intent, attrs) => intentIsAbout(registry, type, intent, attrs),
  };
}

/**
 * How messages name an object: its id ("pve1/105", ResourceType.objectId), else the intent's,
 * else its node.
 */
export function objectLabel(registry: ProviderRegistry, type: string, attrs: Attrs | null | undefined, intent?: Intent | RecordedIntent): string {
  const t = registry.resourceType(type);
  const named = intent && intentObjectOf(registry, type, intent);
  const id = (attrs && t?.objectId?.(attrs)) ?? (named && t?.objectId?.(named));
  if (id !== undefined) return id;
  const node = typeof attrs?.["node"] === "string" ? attrs["node"] : intent?.node;
  return intent?.file !== undefined ? `${node ?? ""}/${intent.file}` : (node ?? "an unnamed object");
}
