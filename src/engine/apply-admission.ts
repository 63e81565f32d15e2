// Apply phase, admission: before any operation runs, the plan's state-only changes are written
// (moves rename entries, import blocks adopt objects) and every reference is given a value to
// start from: the state's values, then the planned ones, so each resource's configuration can be
// evaluated again just before its operation.
import type { Value } from "../config/value.js";
import type { Change } from "../plan/change.js";
import { parseAddress } from "./address.js";
import { toStateResource } from "./import.js";
import type { Session } from "./session.js";
import type { StateHolder } from "./state-holder.js";

/** Records moves and imports; returns how many objects were imported. Saves once if anything was written. */
export async function admitStateChanges(session: Session, state: StateHolder, changes: readonly Change[], out: (line: string) => void): Promise<number> {
  let imported = 0;
  for (const c of changes) if (c.movedFrom) state.move(c.movedFrom, c.address);
  for (const c of changes) {
    if (c.importId === undefined || !c.before) continue;
    const type = session.registry.resourceType(c.type);
    if (!type) continue;
    out(`${c.address}: Importing... [id=${c.importId}]`);
    const r = toStateResource(session.registry, c.address, type, c.before);
    state.upsert({ ...r, dependencies: c.dependencies });
    out(`${c.address}: Import complete [id=${c.importId}]`);
    imported++;
  }
  if (changes.some((c) => c.movedFrom || c.importId !== undefined)) await state.save();
  return imported;
}

/** What references resolve to before anything runs: state values, then planned values. */
export function seedReferences(session: Session, state: StateHolder, changes: readonly Change[]): void {
  const ev = session.evaluation;
  const registry = session.registry;
  for (const r of state.resources()) {
    const p = parseAddress(r.address);
    const decl = p && session.module.resources.get(p.decl);
    if (decl) ev.setInstanceAttributes(decl, p.key, registry.resourceType(decl.type), r.attributes as Value, false, r.sensitive_attributes);
  }
  for (const c of changes) {
    const p = parseAddress(c.address);
    const decl = p && session.module.resources.get(p.decl);
    if (decl && c.after) ev.setInstanceAttributes(decl, p.key, registry.resourceType(decl.type), c.after as Value, c.action !== "no-op", c.sensitivePaths);
  }
}
