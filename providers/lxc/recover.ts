// Crash recovery for lxc_container: the container an interrupted apply created but never
// recorded. It is ours only when it sits at the vmid the create intent named AND carries this
// address's marker tag, or is the bare `lock: create` placeholder pct writes before anything else.
import type { Attrs, RecordedIntent } from "../../src/provider/types.js";
import { markerFor } from "./desired.js";
import { importContainer } from "./import.js";
import { asSnapshot } from "./snapshot.js";

export function recoverContainer(address: string, intent: RecordedIntent, snapshot: unknown): Attrs | null {
  if (intent.operation !== "create" || typeof intent.vmid !== "number") return null;
  const snap = asSnapshot(snapshot);
  const ct = snap.containers.get(intent.vmid);
  if (!ct) return null;
  const keys = ct.conf.main.keys;
  // pct create's first write: nothing but the lock (no marker yet). A vmid reused by someone
  // else after the crash would carry their settings, so it is never mistaken for ours.
  const placeholder = keys.get("lock") === "create" && keys.size === 1 && ct.conf.main.description === undefined;
  const attrs = importContainer(address, `${ct.node}/${intent.vmid}`, snap);
  if (!attrs) return null;
  return attrs["marker"] === markerFor(address) || placeholder ? attrs : null;
}
