// Crash recovery for lxc_container: the container an interrupted apply created but never
// recorded. It is adopted only when it sits at the vmid the create intent named AND carries this
// state's marker for the address (bound to the lineage: another project's container never does).
// pct's bare `lock: create` placeholder says nothing about whose create wrote it, so it is never
// adopted: the intent stays with a warning saying how to clear it.
import type { Attrs, Recovery, RecordedIntent } from "../../src/provider/types.js";
import { legacyMarkerFor, markerFor } from "./identity.js";
import { importContainer } from "./import.js";
import { asSnapshot, type LxcSnapshot } from "./snapshot.js";

/** `read` turns the container into the type's attributes (oci_container reads its OCI keys too). */
export function recoverContainer(
  address: string,
  intent: RecordedIntent,
  snapshot: unknown,
  lineage: string,
  read: (address: string, id: string, snap: LxcSnapshot) => Attrs | null = importContainer,
): Recovery {
  if (intent.operation !== "create" || typeof intent.vmid !== "number") return { found: "nothing" };
  const snap = asSnapshot(snapshot);
  const vmid = intent.vmid;
  const ct = snap.containers.get(vmid);
  if (!ct) return { found: "nothing" };
  const keys = ct.conf.main.keys;
  // pct create's first write: nothing but the lock. It may be this state's killed create, or
  // another project's create (running, or killed) that got the vmid first.
  const placeholder = keys.get("lock") === "create" && keys.size === 1 && ct.conf.main.description === undefined;
  const attrs = placeholder ? null : read(address, `${ct.node}/${vmid}`, snap);
  if (attrs && attrs["marker"] === markerFor(lineage, address)) return { found: "ours", attrs };
  if (placeholder && ct.node === intent.node) {
    return {
      found: "unproven",
      detail: `CT ${vmid} on ${ct.node} is the bare "lock: create" placeholder of an interrupted pct create, and nothing in it says whose: this state's interrupted run, or another project's create (still running, or killed). pmxform leaves it alone and keeps the intent. If no other run is creating CT ${vmid}, remove it with "pct unlock ${vmid}" and "pct destroy ${vmid} --purge 1 --destroy-unreferenced-disks 1" on ${ct.node}, then plan again; a create still running elsewhere finishes with its own marker, and the intent is then dropped`,
    };
  }
  if (attrs?.["marker"] === legacyMarkerFor(address)) {
    return {
      found: "nothing",
      note: `CT ${vmid} on ${ct.node} carries the marker earlier pmxform versions gave ${address} in every project, so it cannot be proven to be this state's; it is left alone. If it is this project's, adopt it with "pmxform import ${address} ${ct.node}/${vmid}"`,
    };
  }
  return { found: "nothing" }; // the vmid belongs to someone else now
}
