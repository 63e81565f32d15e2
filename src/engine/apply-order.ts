// Apply phase, ordering: the change graph the walk follows. Creates and updates go after what
// they depend on; destroys go before what they depend on (the dependent object is gone first),
// and a destroy waits for the replacements of what depended on it. A deposed object's destroy
// is a node of its own, so one address can have two changes in one run.
import { Dag } from "../graph/dag.js";
import type { Change } from "../plan/change.js";

/** A change's node in the apply graph: its address, or for a deposed object's destroy address + key. */
export function changeId(c: Change): string {
  return c.deposedKey ? `${c.address} (deposed object ${c.deposedKey})` : c.address;
}

/** The change graph: create/update after what they depend on; destroy before what they depend on. */
export function changeGraph(changes: readonly Change[]): Dag {
  const dag = new Dag();
  const active = changes.filter((c) => c.action !== "no-op" && c.action !== "read");
  const byDecl = new Map<string, Change[]>();
  for (const c of active) {
    dag.addNode(changeId(c));
    byDecl.set(c.decl, [...(byDecl.get(c.decl) ?? []), c]);
  }
  for (const c of active) {
    for (const dep of c.dependencies) {
      for (const d of byDecl.get(dep) ?? []) {
        if (d.address === c.address) continue;
        if (c.action === "delete") {
          // c depends on d: deleting c must come before deleting d.
          if (d.action === "delete") dag.connect(changeId(d), changeId(c));
        } else if (d.action !== "delete") dag.connect(changeId(c), changeId(d));
      }
    }
  }
  // A resource being destroyed must go after everything that depends on it is destroyed/replaced.
  for (const c of active) {
    if (c.action !== "delete") continue;
    for (const other of active) {
      if (other.address !== c.address && other.action === "replace" && other.dependencies.includes(c.decl)) dag.connect(changeId(c), changeId(other));
    }
  }
  return dag;
}
