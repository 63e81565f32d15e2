// What a reference to a resource instance (`lxc_container.web.memory`) sees: every attribute the
// type's schema declares is there, as in Terraform. One the configuration leaves out is null,
// or, while the object is only planned, unknown ("known after apply") when the node decides it.
import { Unknown, type Value } from "../config/value.js";
import { knownKeysAt } from "../provider/schema.js";
import type { ResourceType } from "../provider/types.js";

const namesOf = new WeakMap<ResourceType, string[]>();

/** The attribute and block names the type's configuration schema declares. */
export function declaredAttributes(type: ResourceType): string[] {
  let names = namesOf.get(type);
  if (!names) {
    names = [...new Set([...knownKeysAt(type.schema), ...Object.keys(type.blocks)])];
    namesOf.set(type, names);
  }
  return names;
}

/**
 * `attrs` completed with the declared attributes it lacks. `planned`: the values of a plan, where
 * the type's computedAttributes are not known yet; otherwise (state, applied) they are null too.
 * Anything that is not an attribute object (null, unknown) is returned as it is.
 */
export function referenceValue(type: ResourceType | undefined, attrs: Value, planned: boolean): Value {
  if (!type || attrs === null || typeof attrs !== "object" || Array.isArray(attrs) || attrs instanceof Unknown) return attrs;
  const record = attrs as { [k: string]: Value };
  let out: { [k: string]: Value } | undefined;
  for (const name of declaredAttributes(type)) {
    if (name in record) continue;
    out ??= { ...record };
    out[name] = planned && type.computedAttributes?.includes(name) ? new Unknown() : null;
  }
  return out ?? attrs;
}
